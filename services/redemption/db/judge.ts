import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { ScanMessage, Verdict } from '@aptic/contracts';
import { preparedRows, violatesUniqueness, type Db, type Emit, type ServiceContext } from '@aptic/runtime';
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
  type ActRow,
  type RedemptionRow,
} from './judged.ts';
import { processScans } from './scans.ts';
import { hitClosedWindow } from './windows.ts';

const MAX_WINDOW_RETRIES = 5;

/**
 * Judges a batch of online scans and records everything in one statement: new service acts,
 * redemptions, scans with their verdicts and the pass.redeemed events, atomic on its own. Every
 * unique index still guards it: a row a concurrent batch wrote first (the same scan, the same pass,
 * a carnet already in the act) fails the whole statement, and nothing of it is kept.
 */
async function recordAtOnce(
  db: Db,
  emit: Emit,
  outbox: () => SQL,
  batch: readonly ScanMessage[],
  now: Date,
  arrivals: Arrivals,
): Promise<Verdict[]> {
  const gathered = await gatherFacts(db, batch, now, arrivals);
  const fresh = batch.flatMap((scan, i) => (gathered[i]!.stored ? [] : [{ scan, gathered: gathered[i]! }]));
  const judged = decideAll(
    fresh.map((f) => f.scan),
    fresh.map((f) => f.gathered),
  );
  const acts: ActRow[] = [];
  const redemptions: RedemptionRow[] = [];
  const newActs = new Map<string, string>();
  for (const j of judged.filter((j) => j.decision.outcome === 'accepted')) {
    let actId = j.actId ?? newActs.get(j.scan.sessionId);
    if (!actId) {
      actId = randomUUID();
      newActs.set(j.scan.sessionId, actId);
      acts.push({ id: actId, first: j });
    }
    j.redemptionId = randomUUID();
    redemptions.push({ id: j.redemptionId, actId, j });
  }
  for (const r of redemptions) await announce(emit, r);
  await announceDenied(emit, judged);
  await preparedRows(
    db,
    'redemption-record-at-once',
    sql`
    WITH acts AS (INSERT INTO redemption.service_act ${actRows(acts)}),
         redemptions AS (INSERT INTO redemption.redemption ${redemptionRows(redemptions)}),
         events AS (${outbox()})
    INSERT INTO redemption.scan ${scanRows(judged)}`,
  );
  const verdicts = new Map(judged.map((j) => [j.scan.scanId, storedVerdict(verdictRow(j))]));
  return batch.map((scan, i) => verdicts.get(scan.scanId) ?? storedVerdict(gathered[i]!.stored!));
}

/**
 * The kiosk intake's way to judge a batch: two round trips (the facts, then one statement that
 * records it all) with no transaction around them, when no scan was made offline and no concurrent
 * batch interferes. Otherwise (an offline scan may take a pass back; a race lost on a unique index)
 * the batch is judged again by processScans, in a transaction that settles such cases row by row.
 * Either way a batch decides what the same scans judged one by one would.
 */
export async function judgeScans(
  ctx: ServiceContext,
  batch: readonly ScanMessage[],
  now: Date = new Date(),
  arrivals: Arrivals = new Map(),
): Promise<Verdict[]> {
  const unique = [...new Map(batch.map((s) => [s.scanId, s])).values()];
  if (!unique.some((s) => s.offline)) {
    try {
      const verdicts = new Map(
        (await ctx.statement((db, emit, outbox) => recordAtOnce(db, emit, outbox, unique, now, arrivals))).map((v) => [
          v.scanId,
          v,
        ]),
      );
      return batch.map((s) => verdicts.get(s.scanId)!);
    } catch (err) {
      if (!violatesUniqueness(err) && !hitClosedWindow(err)) throw err;
    }
  }
  // An order's window closing while the batch was judged fails it whole: judged again, its scans
  // are refused. A window closes once, so this settles after as many tries as orders in the batch.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transaction((tx, emit) => processScans(tx, emit, batch, now, arrivals));
    } catch (err) {
      if (!hitClosedWindow(err) || attempt >= MAX_WINDOW_RETRIES) throw err;
    }
  }
}
