import { sql, type SQL } from 'drizzle-orm';
import { maskPassCode, type ScanMessage, type Verdict } from '@aptic/contracts';
import { arrayParam, type Emit } from '@aptic/runtime';
import { decide, type Decision } from '../domain/verdict.ts';
import { BatchTally } from '../domain/batch.ts';
import type { GatheredScan, ScannedPass, StoredVerdict } from './facts.ts';

/**
 * A judged scan, and the rows and event it is recorded as: shared by the kiosk intake's one
 * statement (judge.ts) and the transactional path (scans.ts). Each builder gives the columns and
 * rows for an INSERT, in key order, so two batches wait for each other in one order, never in a cycle.
 */

export const FACE_VALUE_CENTS = 1_000;
const ACCEPTED_MESSAGE = 'Pass accepté : 10,00 €';

export interface Judged {
  scan: ScanMessage;
  pass: ScannedPass | undefined;
  placeId: string | undefined;
  decision: Decision;
  /** The act an earlier pass of the session started, as the facts showed it. */
  actId: string | undefined;
  /** When the scan is judged to have happened, and when it arrived (facts.ts). */
  at: string;
  arrivedAt: Date;
  redemptionId?: string;
}

/** Judges scans in their order from their gathered facts, each seeing what the earlier ones of the batch decided. */
export function decideAll(batch: readonly ScanMessage[], gathered: readonly GatheredScan[]): Judged[] {
  const tally = new BatchTally();
  return batch.map((scan, i) => {
    const { facts, pass, placeName, actId, at, arrivedAt } = gathered[i]!;
    const subject = { ...scan, scannedAt: at, pass, placeName };
    const decision = decide(tally.facts(subject, facts));
    tally.record(subject, decision);
    return { scan, pass, placeId: facts.kiosk?.placeId, decision, actId, at, arrivedAt };
  });
}

/** The verdict a kiosk is sent for a recorded scan. */
export function storedVerdict(row: StoredVerdict): Verdict {
  return row.outcome === 'accepted'
    ? {
        scanId: row.scanId,
        outcome: 'accepted',
        redemptionId: row.redemptionId!,
        faceValueCents: FACE_VALUE_CENTS,
        message: row.message,
      }
    : { scanId: row.scanId, outcome: 'denied', reason: row.reason!, message: row.message };
}

/** A service act to create: its id and the first accepted scan of its session. */
export interface ActRow {
  id: string;
  first: Judged;
}

/** Columns and rows of new service acts (priced as their offer), for an INSERT INTO redemption.service_act; in session order. */
export function actRows(acts: readonly ActRow[]): SQL {
  const rows = [...acts].sort((a, b) => (a.first.scan.sessionId < b.first.scan.sessionId ? -1 : 1));
  const col = <T>(pick: (r: ActRow) => T) => rows.map(pick);
  return sql`(id, session_id, kiosk_id, place_id, offer_id, price_cents, started_at)
    SELECT a.id, a.session_id, a.kiosk_id, a.place_id, a.offer_id, coalesce((SELECT price_cents FROM redemption.offer o WHERE o.offer_id = a.offer_id), 0), a.started_at
      FROM unnest(${arrayParam(
        col((r) => r.id),
        'uuid',
      )}, ${arrayParam(
        col((r) => r.first.scan.sessionId),
        'uuid',
      )},
                  ${arrayParam(
                    col((r) => r.first.scan.kioskId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.first.placeId),
                    'uuid',
                  )},
                  ${arrayParam(
                    col((r) => r.first.scan.offerId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.first.at),
                    'timestamptz',
                  )})
           WITH ORDINALITY AS a(id, session_id, kiosk_id, place_id, offer_id, started_at, i)
     ORDER BY a.i`;
}

/** A redemption to record: its id, its service act and the accepted scan. */
export interface RedemptionRow {
  id: string;
  actId: string;
  j: Judged;
}

/**
 * Columns and rows of redemptions, for an INSERT INTO redemption.redemption; in pass order, so two
 * batches wait for each other in one order, never in a cycle.
 */
export function redemptionRows(redemptions: readonly RedemptionRow[]): SQL {
  const rows = [...redemptions].sort((a, b) => (a.j.pass!.passId < b.j.pass!.passId ? -1 : 1));
  const col = <T>(pick: (r: RedemptionRow) => T) => rows.map(pick);
  return sql`(id, scan_id, pass_id, order_id, funder_id, carnet_number, service_act_id, place_id, kiosk_id, offer_id, face_value_cents, scanned_at, late_upload)
    SELECT r.id, r.scan_id, r.pass_id, r.order_id, r.funder_id, r.carnet_number, r.act_id, r.place_id, r.kiosk_id, r.offer_id, ${FACE_VALUE_CENTS}, r.scanned_at, r.late
      FROM unnest(${arrayParam(
        col((r) => r.id),
        'uuid',
      )}, ${arrayParam(
        col((r) => r.j.scan.scanId),
        'uuid',
      )}, ${arrayParam(
        col((r) => r.j.pass!.passId),
        'uuid',
      )},
                  ${arrayParam(
                    col((r) => r.j.pass!.orderId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.j.pass!.funderId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.j.pass!.carnetNumber),
                    'integer',
                  )},
                  ${arrayParam(
                    col((r) => r.actId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.j.placeId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.j.scan.kioskId),
                    'uuid',
                  )},
                  ${arrayParam(
                    col((r) => r.j.scan.offerId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => r.j.at),
                    'timestamptz',
                  )}, ${arrayParam(
                    col((r) => r.j.scan.offline),
                    'boolean',
                  )})
           WITH ORDINALITY AS r(id, scan_id, pass_id, order_id, funder_id, carnet_number, act_id, place_id, kiosk_id, offer_id, scanned_at, late, i)
     ORDER BY r.i`;
}

/** Announces a recorded redemption (settlement pays it, analytics counts it). */
export function announce(emit: Emit, r: RedemptionRow): Promise<unknown> {
  const { scan, pass, placeId } = r.j;
  return emit('pass.redeemed', {
    redemptionId: r.id,
    passId: pass!.passId,
    orderId: pass!.orderId,
    funderId: pass!.funderId,
    placeId: placeId!,
    kioskId: scan.kioskId,
    offerId: scan.offerId,
    serviceActId: r.actId,
    faceValueCents: FACE_VALUE_CENTS,
    scannedAt: r.j.at,
    lateUpload: scan.offline,
  });
}

/** Announces the refused scans of a batch in one event (analytics counts denials by reason). */
export async function announceDenied(emit: Emit, judged: readonly Judged[]): Promise<void> {
  const scans = judged.flatMap(({ scan, pass, placeId, decision, at }) =>
    decision.outcome === 'denied'
      ? [
          {
            scanId: scan.scanId,
            kioskId: scan.kioskId,
            placeId,
            offerId: scan.offerId,
            orderId: pass?.orderId,
            funderId: pass?.funderId,
            reason: decision.reason,
            scannedAt: at,
          },
        ]
      : [],
  );
  if (scans.length > 0) await emit('scans.denied', { scans });
}

/** The verdict a judged scan is recorded with. */
export function verdictRow(j: Judged): StoredVerdict {
  return {
    scanId: j.scan.scanId,
    outcome: j.decision.outcome,
    reason: j.decision.outcome === 'denied' ? j.decision.reason : null,
    message: j.decision.outcome === 'accepted' ? ACCEPTED_MESSAGE : j.decision.message,
    redemptionId: j.redemptionId ?? null,
  };
}

/** Columns and rows of judged scans with their verdicts, for an INSERT INTO redemption.scan; in scan id order. */
export function scanRows(judged: readonly Judged[]): SQL {
  const rows = [...judged]
    .sort((a, b) => (a.scan.scanId < b.scan.scanId ? -1 : 1))
    .map((j) => ({ scan: j.scan, arrivedAt: j.arrivedAt, verdict: verdictRow(j) }));
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  // scanned_at: the kiosk's own clock, as sent; received_at: the arrival the scan was judged at.
  return sql`(scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id, received_at)
    SELECT scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id, received_at
      FROM unnest(${arrayParam(
        col((r) => r.scan.scanId),
        'uuid',
      )}, ${arrayParam(
        col((r) => r.scan.kioskId),
        'uuid',
      )}, ${arrayParam(
        col((r) => r.scan.sessionId),
        'uuid',
      )},
                  ${arrayParam(
                    col((r) => r.scan.offerId),
                    'uuid',
                  )}, ${arrayParam(
                    col((r) => maskPassCode(r.scan.code)),
                    'text',
                  )}, ${arrayParam(
                    col((r) => r.scan.scannedAt),
                    'timestamptz',
                  )},
                  ${arrayParam(
                    col((r) => r.scan.offline),
                    'boolean',
                  )}, ${arrayParam(
                    col((r) => r.verdict.outcome),
                    'text',
                  )}, ${arrayParam(
                    col((r) => r.verdict.reason),
                    'text',
                  )},
                  ${arrayParam(
                    col((r) => r.verdict.message),
                    'text',
                  )}, ${arrayParam(
                    col((r) => r.verdict.redemptionId),
                    'uuid',
                  )},
                  ${arrayParam(
                    col((r) => r.arrivedAt.toISOString()),
                    'timestamptz',
                  )})
           WITH ORDINALITY AS s(scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id, received_at, i)
     ORDER BY s.i`;
}
