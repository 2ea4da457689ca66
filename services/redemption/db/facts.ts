import { sql } from 'drizzle-orm';
import {
  lastRedemptionDay,
  readPassCode,
  type DenialReason,
  type ScanMessage,
  type UsageRules,
} from '@aptic/contracts';
import { arrayParam, businessDate, preparedRows, type Queryable } from '@aptic/runtime';
import type { OrderFacts, ScanFacts } from '../domain/verdict.ts';
import { scanTime, type ScanTime } from '../domain/clock.ts';
import { lookupHashOf } from './pass-lookup.ts';

/** The window in which a kiosk's unknown codes are counted (against guessing). */
const UNKNOWN_WINDOW_MS = 10 * 60_000;

export interface ScannedPass {
  passId: string;
  orderId: string;
  funderId: string;
  carnetNumber: number;
}

/** A verdict already recorded for a scan id: a redelivered scan is answered the same. */
export interface StoredVerdict {
  scanId: string;
  outcome: 'accepted' | 'denied';
  reason: DenialReason | null;
  message: string;
  redemptionId: string | null;
}

/** One scan's facts as the database shows them, with what recording its redemption needs. */
export interface GatheredScan {
  stored: StoredVerdict | undefined;
  facts: ScanFacts;
  pass: ScannedPass | undefined;
  /** The scanning kiosk's place, for the already-redeemed message of a later scan of the same pass. */
  placeName: string | undefined;
  /** The service act of the scan's session, when an earlier pass of the session started it. */
  actId: string | undefined;
  /** When the scan is judged to have happened (its arrival, or its offline scan time within bounds). */
  at: string;
  arrivedAt: Date;
}

interface Row {
  stored: StoredVerdict | null;
  kiosk: { placeId: string; revoked: boolean } | null;
  unknown: number;
  pass: ScannedPass | null;
  blocked: boolean;
  released: boolean;
  redeemed: { at: string; placeName: string | null } | null;
  /** Only on the first row of each order: a perimeter can list hundreds of communes. */
  rules: UsageRules | null;
  /** Likewise: when the order's redemption window closed, if it did. */
  windowClosedAt: string | null;
  place: {
    name: string | null;
    type: string | null;
    communeCode: string | null;
    qualified: boolean;
    kitActive: boolean;
  } | null;
  offer: { placeId: string | null; categoryCode: string | null; withdrawn: boolean } | null;
  actId: string | null;
  carnetInAct: boolean;
  lastOnlineAt: string | null;
  lastVerdictAt: string | null;
}

/**
 * Everything the rules need about a batch of scans, from redemption's own read models, in one
 * statement: this is the hot path, and a statement per fact per scan would cost dozens of round trips.
 * Each fact is a scalar subquery on a unique key (at most one row), never EXISTS: the planner may
 * turn an EXISTS into a hash of the whole table (every live redemption, every release), a cost
 * that would grow with the scheme's history instead of with the batch.
 */
async function factRows(
  tx: Queryable,
  scans: readonly ScanMessage[],
  now: Date,
  arrivals: readonly Date[],
): Promise<Row[]> {
  const hashes = scans.map((s) => (readPassCode(s.code).ok ? lookupHashOf(s.code) : null));
  return preparedRows<Row>(
    tx,
    'redemption-scan-facts',
    sql`
    SELECT
      (SELECT json_build_object('scanId', x.scan_id, 'outcome', x.outcome, 'reason', x.reason, 'message', x.message, 'redemptionId', x.redemption_id)
         FROM redemption.scan x WHERE x.scan_id = s.scan_id) AS stored,
      CASE WHEN k.kiosk_id IS NOT NULL THEN json_build_object('placeId', k.place_id, 'revoked', k.revoked) END AS kiosk,
      (SELECT count(*)::int FROM redemption.scan x
        WHERE x.kiosk_id = s.kiosk_id AND x.received_at > ${new Date(now.getTime() - UNKNOWN_WINDOW_MS).toISOString()}::timestamptz AND x.reason IN ('unknown_pass', 'misread')) AS unknown,
      CASE WHEN p.pass_id IS NOT NULL THEN json_build_object('passId', p.pass_id, 'orderId', p.order_id, 'funderId', p.funder_id, 'carnetNumber', p.carnet_number) END AS pass,
      (SELECT true FROM redemption.pass_block b WHERE b.pass_id = p.pass_id) IS NOT NULL AS blocked,
      (SELECT true FROM redemption.carnet_release r WHERE r.order_id = p.order_id AND r.carnet_number = p.carnet_number) IS NOT NULL AS released,
      (SELECT json_build_object('at', r.scanned_at, 'placeName', rp.name)
         FROM redemption.redemption r LEFT JOIN redemption.place rp ON rp.place_id = r.place_id
        WHERE r.pass_id = p.pass_id AND r.cancelled_at IS NULL) AS redeemed,
      CASE WHEN row_number() OVER (PARTITION BY p.order_id ORDER BY s.i) = 1
           THEN (SELECT o.rules FROM redemption.order_rules o WHERE o.order_id = p.order_id) END AS rules,
      CASE WHEN row_number() OVER (PARTITION BY p.order_id ORDER BY s.i) = 1
           THEN (SELECT w.closed_at FROM redemption.order_window w WHERE w.order_id = p.order_id) END AS "windowClosedAt",
      CASE WHEN pl.place_id IS NOT NULL THEN json_build_object('name', pl.name, 'type', pl.type, 'communeCode', pl.commune_code, 'qualified', pl.qualified, 'kitActive', pl.kit_active) END AS place,
      CASE WHEN o.offer_id IS NOT NULL THEN json_build_object('placeId', o.place_id, 'categoryCode', o.category_code, 'withdrawn', o.withdrawn) END AS offer,
      a.id AS "actId",
      -- Only for an offline scan: the kiosk's latest online scan that arrived before it (the bound when no verdict is named).
      CASE WHEN s.offline THEN (SELECT max(x.received_at) FROM redemption.scan x
        WHERE x.kiosk_id = s.kiosk_id AND x.received_at < s.arrived_at AND NOT x.offline) END AS "lastOnlineAt",
      -- The arrival of the scan whose verdict the kiosk received last before an offline scan, if it is this kiosk's.
      (SELECT x.received_at FROM redemption.scan x WHERE x.scan_id = s.last_verdict AND x.kiosk_id = s.kiosk_id) AS "lastVerdictAt",
      -- From the session's act to its live redemption of this carnet (partial unique index).
      (SELECT true FROM redemption.redemption r
        WHERE r.service_act_id = a.id AND r.cancelled_at IS NULL
          AND r.order_id = p.order_id AND r.carnet_number = p.carnet_number) IS NOT NULL AS "carnetInAct"
    FROM unnest(${arrayParam(
      scans.map((s) => s.scanId),
      'uuid',
    )}, ${arrayParam(
      scans.map((s) => s.kioskId),
      'uuid',
    )}, ${arrayParam(hashes, 'text')},
                ${arrayParam(
                  scans.map((s) => s.offerId),
                  'uuid',
                )}, ${arrayParam(
                  scans.map((s) => s.sessionId),
                  'uuid',
                )},
                ${arrayParam(
                  scans.map((s) => s.offline),
                  'boolean',
                )}, ${arrayParam(
                  arrivals.map((a) => a.toISOString()),
                  'timestamptz',
                )}, ${arrayParam(
                  scans.map((s) => (s.offline ? (s.lastVerdictScanId ?? null) : null)),
                  'uuid',
                )})
         WITH ORDINALITY AS s(scan_id, kiosk_id, code_hash, offer_id, session_id, offline, arrived_at, last_verdict, i)
    LEFT JOIN redemption.kiosk k ON k.kiosk_id = s.kiosk_id
    LEFT JOIN redemption.place pl ON pl.place_id = k.place_id
    LEFT JOIN redemption.pass p ON p.code_hash = s.code_hash
    LEFT JOIN redemption.offer o ON o.offer_id = s.offer_id
    LEFT JOIN redemption.service_act a ON a.session_id = s.session_id
    ORDER BY s.i`,
  );
}

function orderFacts(rules: UsageRules, windowClosedAt: string | null): OrderFacts {
  const setOrAnything = (codes: string[]) => (codes.length ? new Set(codes) : null);
  return {
    validFrom: rules.validFrom,
    lastDay: lastRedemptionDay(rules.validUntil),
    windowClosedAt: windowClosedAt === null ? undefined : new Date(windowClosedAt).toISOString(),
    communes: setOrAnything(rules.resolvedCommunes),
    placeTypes: setOrAnything(rules.placeTypes),
    serviceCategories: setOrAnything(rules.serviceCategories),
    activatedAtHandOut: rules.activation === 'hand_out',
  };
}

function scanFacts(f: Row, code: string, order: OrderFacts | undefined, time: ScanTime, arrivedAt: Date): ScanFacts {
  return {
    scannedOn: businessDate('at' in time ? new Date(time.at) : arrivedAt),
    clockSkew: 'skew' in time ? time.skew : undefined,
    kiosk: f.kiosk ?? undefined,
    recentUnknownScans: f.unknown,
    reading: readPassCode(code),
    pass: f.pass
      ? {
          status: f.blocked ? 'blocked' : f.released ? 'released' : 'issued',
          redeemed: f.redeemed
            ? { at: new Date(f.redeemed.at).toISOString(), placeName: f.redeemed.placeName ?? 'une autre structure' }
            : undefined,
        }
      : undefined,
    order,
    place:
      f.place?.name && f.place.type && f.place.communeCode
        ? {
            qualified: f.place.qualified,
            kitActive: f.place.kitActive,
            type: f.place.type,
            communeCode: f.place.communeCode,
          }
        : undefined,
    offer:
      f.offer?.placeId && f.offer.categoryCode
        ? { placeId: f.offer.placeId, categoryCode: f.offer.categoryCode, withdrawn: f.offer.withdrawn }
        : undefined,
    carnetAlreadyInAct: f.carnetInAct,
  };
}

/**
 * The longest a kiosk's scans may wait offline (APTIC_KIOSK_OFFLINE_DAYS): like the rest of the
 * configuration, one per process, set when the service starts.
 */
let offlineLimitDays: number | undefined;

export function useOfflineLimit(days: number): void {
  offlineLimitDays = days;
}

const dateOf = (at: string | null) => (at === null ? undefined : new Date(at));

/** When each scan arrived (its stream's timestamp), by scan id; a scan not listed arrived `now`. */
export type Arrivals = ReadonlyMap<string, Date>;

/**
 * The verdict already given to each scan, if any, and its facts, in the order given, as committed
 * data and this transaction's own writes show them; each scan judged at its arrival, or at its
 * offline scan time within bounds (domain/clock.ts).
 */
export async function gatherFacts(
  tx: Queryable,
  scans: readonly ScanMessage[],
  now: Date,
  arrivals: Arrivals = new Map(),
): Promise<GatheredScan[]> {
  if (scans.length === 0) return [];
  if (offlineLimitDays === undefined) throw new Error('redemption: the offline limit is not set (service not started)');
  const arrived = scans.map((s) => arrivals.get(s.scanId) ?? now);
  const rows = await factRows(tx, scans, now, arrived);
  const orders = new Map<string, OrderFacts>();
  for (const row of rows)
    if (row.pass && row.rules) orders.set(row.pass.orderId, orderFacts(row.rules, row.windowClosedAt));
  return rows.map((row, i) => {
    const scan = scans[i]!;
    const arrivedAt = arrived[i]!;
    const time = scanTime({
      scannedAt: scan.scannedAt,
      offline: scan.offline,
      arrivedAt,
      lastVerdictScanId: scan.lastVerdictScanId,
      lastVerdictArrivedAt: dateOf(row.lastVerdictAt),
      lastOnlineAt: dateOf(row.lastOnlineAt),
      offlineLimitDays: offlineLimitDays!,
    });
    return {
      stored: row.stored ?? undefined,
      facts: scanFacts(row, scan.code, row.pass ? orders.get(row.pass.orderId) : undefined, time, arrivedAt),
      pass: row.pass ?? undefined,
      placeName: row.place?.name ?? undefined,
      actId: row.actId ?? undefined,
      at: 'at' in time ? time.at : arrivedAt.toISOString(),
      arrivedAt,
    };
  });
}
