import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { ScanMessage, Verdict } from '@aptic/contracts';
import { preparedRows, type Emit, type Tx } from '@aptic/runtime';
import { earlierScanWins } from '../domain/cancellation.ts';
import { isSettled, markCancelled } from './cancellations.ts';
import { conflicts, redemptions, scans } from './schema.ts';
import { gatherFacts, type Arrivals } from './facts.ts';
import {
  actRows,
  announce,
  announceDenied,
  decideAll,
  redemptionRows,
  scanRows,
  storedVerdict,
  verdictRow,
  type Judged,
} from './judged.ts';

/** The instant a batch is judged, and when each of its scans arrived. */
interface Timing {
  now: Date;
  arrivals: Arrivals;
}

async function judge(tx: Tx, batch: readonly ScanMessage[], t: Timing): Promise<Judged[]> {
  return decideAll(batch, await gatherFacts(tx, batch, t.now, t.arrivals));
}

/**
 * An offline scan found its pass redeemed by a scan made after it, online, meanwhile: the earliest
 * scan wins. Either the later redemption is cancelled (and this scan is judged again), or this
 * late scan loses; both ways the conflict is recorded, never silently dropped.
 */
async function resolveOfflineConflict(tx: Tx, emit: Emit, judged: Judged, t: Timing): Promise<Judged> {
  const { scan } = judged;
  const [existing] = await tx
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.passId, judged.pass!.passId), isNull(redemptions.cancelledAt)))
    .for('update');
  if (!existing) return (await judge(tx, [scan], t))[0]!;
  const scannedAt = new Date(judged.at);
  const wins = earlierScanWins(scannedAt, {
    scannedAt: existing.scannedAt,
    settled: await isSettled(tx, existing.placeId, existing.scannedAt),
  });
  if (wins)
    await markCancelled(
      tx,
      emit,
      existing,
      `supplanté par un scan hors ligne antérieur (${scan.scanId})`,
      'system: offline conflict',
    );
  await tx.insert(conflicts).values({
    id: randomUUID(),
    passId: existing.passId,
    winnerScanId: wins ? scan.scanId : existing.scanId,
    loserScanId: wins ? existing.scanId : scan.scanId,
    cancelledRedemptionId: wins ? existing.id : null,
  });
  return wins ? (await judge(tx, [scan], t))[0]! : judged;
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

/**
 * Records the redemptions of accepted scans (their ids given when their scans were recorded) and
 * announces them. The unique indexes settle races with other transactions: a scan whose pass (or
 * carnet in this act) another one took meanwhile is returned, to be judged again now that the
 * winner has committed.
 */
async function redeem(tx: Tx, emit: Emit, accepted: Judged[]): Promise<Judged[]> {
  if (accepted.length === 0) return [];
  const acts = await serviceActs(tx, accepted);
  const rows = accepted.map((j) => ({ id: j.redemptionId!, actId: acts.get(j.scan.sessionId)!, j }));
  const won = await preparedRows<{ scan_id: string }>(
    tx,
    'redemption-insert-redemptions',
    sql`
    INSERT INTO redemption.redemption ${redemptionRows(rows)} ON CONFLICT DO NOTHING RETURNING scan_id`,
  );
  const winners = new Set(won.map((w) => w.scan_id));
  for (const r of rows) if (winners.has(r.j.scan.scanId)) await announce(emit, r);
  return accepted.filter((j) => !winners.has(j.scan.scanId));
}

/**
 * Writes every judged scan with its verdict, before anything is redeemed for it (two batches wait
 * for each other in one order). A scan another transaction recorded meanwhile (the same scan
 * delivered twice at once) keeps that transaction's verdict: the primary key decides, this one
 * answers the same and redeems nothing for it. Returns the scans written here.
 */
async function recordScans(tx: Tx, judged: readonly Judged[]): Promise<{ mine: Judged[]; theirs: Verdict[] }> {
  if (judged.length === 0) return { mine: [], theirs: [] };
  const written = await preparedRows<{ scan_id: string }>(
    tx,
    'redemption-insert-scans',
    sql`
    INSERT INTO redemption.scan ${scanRows(judged)} ON CONFLICT (scan_id) DO NOTHING RETURNING scan_id`,
  );
  const ids = new Set(written.map((w) => w.scan_id));
  const others = judged.filter((j) => !ids.has(j.scan.scanId)).map((j) => j.scan);
  return {
    mine: judged.filter((j) => ids.has(j.scan.scanId)),
    theirs: (await gatherFacts(tx, others, new Date())).map((g) => storedVerdict(g.stored!)),
  };
}

/**
 * Records the scans, then redeems what was accepted among those recorded here; a scan whose pass a
 * concurrent transaction took is judged again and its recorded verdict corrected.
 */
async function record(tx: Tx, emit: Emit, judged: Judged[], t: Timing): Promise<Verdict[]> {
  for (const j of judged) if (j.decision.outcome === 'accepted') j.redemptionId = randomUUID();
  const { mine, theirs } = await recordScans(tx, judged);
  const lost = await redeem(
    tx,
    emit,
    mine.filter((j) => j.decision.outcome === 'accepted'),
  );
  const again = new Map(
    (
      await judge(
        tx,
        lost.map((j) => j.scan),
        t,
      )
    ).map((j) => [j.scan.scanId, j]),
  );
  for (const j of again.values()) {
    if (j.decision.outcome === 'accepted')
      throw new Error(`redemption conflict not explained by the rules for scan ${j.scan.scanId}`);
    const { outcome, reason, message, redemptionId } = verdictRow(j);
    await tx.update(scans).set({ outcome, reason, message, redemptionId }).where(eq(scans.scanId, j.scan.scanId));
  }
  const final = mine.map((j) => again.get(j.scan.scanId) ?? j);
  await announceDenied(emit, final);
  return [...final.map((j) => storedVerdict(verdictRow(j))), ...theirs];
}

/**
 * Judges a batch of scans and records them, in the caller's transaction; returns a verdict per scan,
 * in order. The same scan (same scan id) always gets the same verdict; a pass is redeemed once,
 * whatever the concurrency; a batch decides what the same scans judged one by one would.
 */
export async function processScans(
  tx: Tx,
  emit: Emit,
  batch: readonly ScanMessage[],
  now: Date = new Date(),
  arrivals: Arrivals = new Map(),
): Promise<Verdict[]> {
  const t = { now, arrivals };
  const unique = [...new Map(batch.map((s) => [s.scanId, s])).values()];
  const gathered = await gatherFacts(tx, unique, now, arrivals);
  const verdicts = new Map<string, Verdict>();
  const add = (vs: Verdict[]) => vs.forEach((v) => verdicts.set(v.scanId, v));
  add(gathered.flatMap((g) => (g.stored ? [storedVerdict(g.stored)] : [])));
  const online = unique.flatMap((s, i) =>
    verdicts.has(s.scanId) || s.offline ? [] : [{ scan: s, gathered: gathered[i]! }],
  );
  add(
    await record(
      tx,
      emit,
      decideAll(
        online.map((o) => o.scan),
        online.map((o) => o.gathered),
      ),
      t,
    ),
  );
  // Offline scans may have to take a pass back from a later scan: one by one, once the online ones are written.
  for (const scan of unique.filter((s) => s.offline && !verdicts.has(s.scanId))) {
    let [judged] = await judge(tx, [scan], t);
    if (judged!.decision.outcome === 'denied' && judged!.decision.reason === 'already_redeemed')
      judged = await resolveOfflineConflict(tx, emit, judged!, t);
    add(await record(tx, emit, [judged!], t));
  }
  return batch.map((s) => verdicts.get(s.scanId)!);
}

/** Judges one scan and records it, in the caller's transaction. */
export async function processScan(tx: Tx, emit: Emit, scan: ScanMessage, now: Date = new Date()): Promise<Verdict> {
  return (await processScans(tx, emit, [scan], now))[0]!;
}
