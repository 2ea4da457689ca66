import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { ScanMessage, Verdict } from '@aptic/contracts';
import { arrayParam, preparedRows, type Emit, type Tx } from '@aptic/runtime';
import { decide, type Decision } from '../domain/verdict.ts';
import { BatchTally } from '../domain/batch.ts';
import { earlierScanWins } from '../domain/cancellation.ts';
import { isSettled, markCancelled } from './cancellations.ts';
import { conflicts, redemptions } from './schema.ts';
import { gatherFacts, type GatheredScan, type ScannedPass, type StoredVerdict } from './facts.ts';

const FACE_VALUE_CENTS = 1_000;
const ACCEPTED_MESSAGE = 'Pass accepté : 10,00 €';

export interface Judged {
  scan: ScanMessage;
  pass: ScannedPass | undefined;
  placeId: string | undefined;
  decision: Decision;
  /** The act an earlier pass of the session started, as the facts showed it. */
  actId: string | undefined;
  redemptionId?: string;
}

/** Judges scans in their order from their gathered facts, each seeing what the earlier ones of the batch decided. */
export function decideAll(batch: readonly ScanMessage[], gathered: readonly GatheredScan[]): Judged[] {
  const tally = new BatchTally();
  return batch.map((scan, i) => {
    const { facts, pass, placeName, actId } = gathered[i]!;
    const subject = { ...scan, pass, placeName };
    const decision = decide(tally.facts(subject, facts));
    tally.record(subject, decision);
    return { scan, pass, placeId: facts.kiosk?.placeId, decision, actId };
  });
}

async function judge(tx: Tx, batch: readonly ScanMessage[], now: Date): Promise<Judged[]> {
  return decideAll(batch, await gatherFacts(tx, batch, now));
}

export function storedVerdict(row: StoredVerdict): Verdict {
  return row.outcome === 'accepted'
    ? { scanId: row.scanId, outcome: 'accepted', redemptionId: row.redemptionId!, faceValueCents: FACE_VALUE_CENTS, message: row.message }
    : { scanId: row.scanId, outcome: 'denied', reason: row.reason!, message: row.message };
}

/**
 * An offline scan found its pass redeemed by a scan made after it, online, meanwhile: the earliest
 * scan wins. Either the later redemption is cancelled (and this scan is judged again), or this
 * late scan loses; both ways the conflict is recorded, never silently dropped.
 */
async function resolveOfflineConflict(tx: Tx, emit: Emit, judged: Judged, now: Date): Promise<Judged> {
  const { scan } = judged;
  const [existing] = await tx.select().from(redemptions).where(and(eq(redemptions.passId, judged.pass!.passId), isNull(redemptions.cancelledAt))).for('update');
  if (!existing) return (await judge(tx, [scan], now))[0]!;
  const scannedAt = new Date(scan.scannedAt);
  const wins = earlierScanWins(scannedAt, { scannedAt: existing.scannedAt, settled: await isSettled(tx, existing.placeId, existing.scannedAt) });
  if (wins) await markCancelled(tx, emit, existing, `supplanté par un scan hors ligne antérieur (${scan.scanId})`, 'system: offline conflict');
  await tx.insert(conflicts).values({
    id: randomUUID(),
    passId: existing.passId,
    winnerScanId: wins ? scan.scanId : existing.scanId,
    loserScanId: wins ? existing.scanId : scan.scanId,
    cancelledRedemptionId: wins ? existing.id : null,
  });
  return wins ? (await judge(tx, [scan], now))[0]! : judged;
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
      FROM unnest(${arrayParam(col((r) => r.id), 'uuid')}, ${arrayParam(col((r) => r.first.scan.sessionId), 'uuid')},
                  ${arrayParam(col((r) => r.first.scan.kioskId), 'uuid')}, ${arrayParam(col((r) => r.first.placeId), 'uuid')},
                  ${arrayParam(col((r) => r.first.scan.offerId), 'uuid')}, ${arrayParam(col((r) => r.first.scan.scannedAt), 'timestamptz')})
           WITH ORDINALITY AS a(id, session_id, kiosk_id, place_id, offer_id, started_at, i)
     ORDER BY a.i`;
}

/** The service act of each scan session that accepted a pass: created by its first accepted pass. */
async function serviceActs(tx: Tx, accepted: readonly Judged[]): Promise<Map<string, string>> {
  const firsts = [...new Map(accepted.map((j) => [j.scan.sessionId, j])).values()];
  const rows = await preparedRows<{ id: string; session_id: string }>(
    tx,
    'redemption-insert-service-acts',
    sql`INSERT INTO redemption.service_act ${actRows(firsts.map((first) => ({ id: randomUUID(), first })))}
        ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id
        RETURNING id, session_id`,
  );
  return new Map(rows.map((r) => [r.session_id, r.id]));
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
      FROM unnest(${arrayParam(col((r) => r.id), 'uuid')}, ${arrayParam(col((r) => r.j.scan.scanId), 'uuid')}, ${arrayParam(col((r) => r.j.pass!.passId), 'uuid')},
                  ${arrayParam(col((r) => r.j.pass!.orderId), 'uuid')}, ${arrayParam(col((r) => r.j.pass!.funderId), 'uuid')}, ${arrayParam(col((r) => r.j.pass!.carnetNumber), 'integer')},
                  ${arrayParam(col((r) => r.actId), 'uuid')}, ${arrayParam(col((r) => r.j.placeId), 'uuid')}, ${arrayParam(col((r) => r.j.scan.kioskId), 'uuid')},
                  ${arrayParam(col((r) => r.j.scan.offerId), 'uuid')}, ${arrayParam(col((r) => r.j.scan.scannedAt), 'timestamptz')}, ${arrayParam(col((r) => r.j.scan.offline), 'boolean')})
           WITH ORDINALITY AS r(id, scan_id, pass_id, order_id, funder_id, carnet_number, act_id, place_id, kiosk_id, offer_id, scanned_at, late, i)
     ORDER BY r.i`;
}

/** Announces a recorded redemption (settlement pays it, analytics counts it). */
export function announce(emit: Emit, r: RedemptionRow): Promise<unknown> {
  const { scan, pass, placeId } = r.j;
  return emit('pass.redeemed', { redemptionId: r.id, passId: pass!.passId, orderId: pass!.orderId, funderId: pass!.funderId, placeId: placeId!, kioskId: scan.kioskId, offerId: scan.offerId, serviceActId: r.actId, faceValueCents: FACE_VALUE_CENTS, scannedAt: scan.scannedAt, lateUpload: scan.offline });
}

/**
 * Records the redemptions of accepted scans and announces them. The unique indexes settle races
 * with other transactions: a scan whose pass (or carnet in this act) another one took meanwhile is
 * returned, to be judged again now that the winner has committed.
 */
async function redeem(tx: Tx, emit: Emit, accepted: Judged[]): Promise<Judged[]> {
  if (accepted.length === 0) return [];
  const acts = await serviceActs(tx, accepted);
  const rows = accepted.map((j) => ({ id: randomUUID(), actId: acts.get(j.scan.sessionId)!, j }));
  const won = await preparedRows<{ scan_id: string }>(tx, 'redemption-insert-redemptions', sql`
    INSERT INTO redemption.redemption ${redemptionRows(rows)} ON CONFLICT DO NOTHING RETURNING scan_id`);
  const winners = new Set(won.map((w) => w.scan_id));
  const lost: Judged[] = [];
  for (const r of rows) {
    if (!winners.has(r.j.scan.scanId)) {
      lost.push(r.j);
      continue;
    }
    r.j.redemptionId = r.id;
    await announce(emit, r);
  }
  return lost;
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
  const rows = [...judged].sort((a, b) => (a.scan.scanId < b.scan.scanId ? -1 : 1)).map((j) => ({ scan: j.scan, verdict: verdictRow(j) }));
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  return sql`(scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id)
    SELECT scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id
      FROM unnest(${arrayParam(col((r) => r.scan.scanId), 'uuid')}, ${arrayParam(col((r) => r.scan.kioskId), 'uuid')}, ${arrayParam(col((r) => r.scan.sessionId), 'uuid')},
                  ${arrayParam(col((r) => r.scan.offerId), 'uuid')}, ${arrayParam(col((r) => r.scan.code), 'text')}, ${arrayParam(col((r) => r.scan.scannedAt), 'timestamptz')},
                  ${arrayParam(col((r) => r.scan.offline), 'boolean')}, ${arrayParam(col((r) => r.verdict.outcome), 'text')}, ${arrayParam(col((r) => r.verdict.reason), 'text')},
                  ${arrayParam(col((r) => r.verdict.message), 'text')}, ${arrayParam(col((r) => r.verdict.redemptionId), 'uuid')})
           WITH ORDINALITY AS s(scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message, redemption_id, i)
     ORDER BY s.i`;
}

/**
 * Writes every judged scan with its verdict (two batches wait for each other in one order). A scan
 * another transaction recorded meanwhile (the same scan delivered twice at once) keeps that
 * transaction's verdict: the primary key decides, and this one answers the same.
 */
async function recordScans(tx: Tx, judged: readonly Judged[]): Promise<Verdict[]> {
  if (judged.length === 0) return [];
  const written = await preparedRows<{ scan_id: string }>(tx, 'redemption-insert-scans', sql`
    INSERT INTO redemption.scan ${scanRows(judged)} ON CONFLICT (scan_id) DO NOTHING RETURNING scan_id`);
  const mine = new Set(written.map((w) => w.scan_id));
  const theirs = judged.filter((j) => !mine.has(j.scan.scanId)).map((j) => j.scan);
  const earlier = new Map((await gatherFacts(tx, theirs, new Date())).map((g, i) => [theirs[i]!.scanId, g.stored!]));
  return judged.map((j) => storedVerdict(earlier.get(j.scan.scanId) ?? verdictRow(j)));
}

/** Redeems what was accepted, judges again the scans a concurrent transaction beat, and records them all. */
async function record(tx: Tx, emit: Emit, judged: Judged[], now: Date): Promise<Verdict[]> {
  const lost = await redeem(tx, emit, judged.filter((j) => j.decision.outcome === 'accepted'));
  if (lost.length > 0) {
    const again = new Map((await judge(tx, lost.map((j) => j.scan), now)).map((j) => [j.scan.scanId, j]));
    for (const j of again.values()) if (j.decision.outcome === 'accepted') throw new Error(`redemption conflict not explained by the rules for scan ${j.scan.scanId}`);
    judged = judged.map((j) => again.get(j.scan.scanId) ?? j);
  }
  return recordScans(tx, judged);
}

/**
 * Judges a batch of scans and records them, in the caller's transaction; returns a verdict per scan,
 * in order. The same scan (same scan id) always gets the same verdict; a pass is redeemed once,
 * whatever the concurrency; a batch decides what the same scans judged one by one would.
 */
export async function processScans(tx: Tx, emit: Emit, batch: readonly ScanMessage[], now: Date = new Date()): Promise<Verdict[]> {
  const unique = [...new Map(batch.map((s) => [s.scanId, s])).values()];
  const gathered = await gatherFacts(tx, unique, now);
  const verdicts = new Map<string, Verdict>();
  const add = (vs: Verdict[]) => vs.forEach((v) => verdicts.set(v.scanId, v));
  add(gathered.flatMap((g) => (g.stored ? [storedVerdict(g.stored)] : [])));
  const online = unique.flatMap((s, i) => (verdicts.has(s.scanId) || s.offline ? [] : [{ scan: s, gathered: gathered[i]! }]));
  add(await record(tx, emit, decideAll(online.map((o) => o.scan), online.map((o) => o.gathered)), now));
  // Offline scans may have to take a pass back from a later scan: one by one, once the online ones are written.
  for (const scan of unique.filter((s) => s.offline && !verdicts.has(s.scanId))) {
    let [judged] = await judge(tx, [scan], now);
    if (judged!.decision.outcome === 'denied' && judged!.decision.reason === 'already_redeemed') judged = await resolveOfflineConflict(tx, emit, judged!, now);
    add(await record(tx, emit, [judged!], now));
  }
  return batch.map((s) => verdicts.get(s.scanId)!);
}

/** Judges one scan and records it, in the caller's transaction. */
export async function processScan(tx: Tx, emit: Emit, scan: ScanMessage, now: Date = new Date()): Promise<Verdict> {
  return (await processScans(tx, emit, [scan], now))[0]!;
}
