import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { ScanMessage, Verdict } from '@aptic/contracts';
import { queryRows, type Emit, type Tx } from '@aptic/runtime';
import { decide, type Decision, type ScanFacts } from '../domain/verdict.ts';
import { earlierScanWins } from '../domain/cancellation.ts';
import { isSettled, markCancelled } from './cancellations.ts';
import { conflicts, offers, redemptions, scans, serviceActs } from './schema.ts';
import { scanFacts, type ScannedPass } from './facts.ts';

const FACE_VALUE_CENTS = 1_000;

type Pass = ScannedPass;

/** The service act of a scan session: created by its first accepted pass (one statement either way). */
async function serviceAct(tx: Tx, scan: ScanMessage, placeId: string): Promise<string> {
  const [act] = await queryRows<{ id: string }>(
    tx,
    sql`INSERT INTO ${serviceActs} (id, session_id, kiosk_id, place_id, offer_id, price_cents, started_at)
        SELECT ${randomUUID()}, ${scan.sessionId}, ${scan.kioskId}, ${placeId}, ${scan.offerId}, coalesce((SELECT price_cents FROM ${offers} WHERE offer_id = ${scan.offerId}), 0), ${new Date(scan.scannedAt)}
        ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id
        RETURNING id`,
  );
  return act!.id;
}

function storedVerdict(row: typeof scans.$inferSelect): Verdict {
  return row.outcome === 'accepted'
    ? { scanId: row.scanId, outcome: 'accepted', redemptionId: row.redemptionId!, faceValueCents: FACE_VALUE_CENTS, message: row.message }
    : { scanId: row.scanId, outcome: 'denied', reason: row.reason!, message: row.message };
}

interface Judged {
  facts: ScanFacts;
  pass: Pass | undefined;
  decision: Decision;
}

async function judge(tx: Tx, scan: ScanMessage, now: Date): Promise<Judged> {
  const { facts, pass } = await scanFacts(tx, scan, now);
  return { facts, pass, decision: decide(facts) };
}

/**
 * An offline scan found its pass redeemed by a scan made after it, online, meanwhile: the earliest
 * scan wins. Either the later redemption is cancelled (and this scan is judged again), or this
 * late scan loses; both ways the conflict is recorded, never silently dropped.
 */
async function resolveOfflineConflict(tx: Tx, emit: Emit, scan: ScanMessage, judged: Judged, now: Date): Promise<Judged> {
  const [existing] = await tx.select().from(redemptions).where(and(eq(redemptions.passId, judged.pass!.passId), isNull(redemptions.cancelledAt))).for('update');
  if (!existing) return judge(tx, scan, now);
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
  return wins ? judge(tx, scan, now) : judged;
}

/** Records the redemption; null when a concurrent scan won this pass (or this carnet in this act). */
async function redeem(tx: Tx, emit: Emit, scan: ScanMessage, pass: Pass, placeId: string): Promise<string | null> {
  const actId = await serviceAct(tx, scan, placeId);
  const id = randomUUID();
  const [won] = await tx
    .insert(redemptions)
    .values({ id, scanId: scan.scanId, passId: pass.passId, orderId: pass.orderId, funderId: pass.funderId, carnetNumber: pass.carnetNumber, serviceActId: actId, placeId, kioskId: scan.kioskId, offerId: scan.offerId, faceValueCents: FACE_VALUE_CENTS, scannedAt: new Date(scan.scannedAt), lateUpload: scan.offline })
    .onConflictDoNothing()
    .returning({ id: redemptions.id });
  if (!won) return null;
  await emit('pass.redeemed', { redemptionId: id, passId: pass.passId, orderId: pass.orderId, funderId: pass.funderId, placeId, kioskId: scan.kioskId, offerId: scan.offerId, serviceActId: actId, faceValueCents: FACE_VALUE_CENTS, scannedAt: scan.scannedAt, lateUpload: scan.offline });
  return id;
}

/**
 * Judges one scan and records it, in the caller's transaction. The same scan (same scan id)
 * always gets the same verdict; a pass is redeemed once, whatever the concurrency.
 */
export async function processScan(tx: Tx, emit: Emit, scan: ScanMessage, now: Date = new Date()): Promise<Verdict> {
  // Two deliveries of one scan wait for each other; different scans run in parallel.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${scan.scanId}))`);
  const [seen] = await tx.select().from(scans).where(eq(scans.scanId, scan.scanId));
  if (seen) return storedVerdict(seen);

  let judged = await judge(tx, scan, now);
  if (scan.offline && judged.decision.outcome === 'denied' && judged.decision.reason === 'already_redeemed') {
    judged = await resolveOfflineConflict(tx, emit, scan, judged, now);
  }
  let redemptionId: string | null = null;
  if (judged.decision.outcome === 'accepted') {
    redemptionId = await redeem(tx, emit, scan, judged.pass!, judged.facts.kiosk!.placeId);
    if (!redemptionId) {
      // Another scan won the race: judge again, now that it has committed.
      judged = await judge(tx, scan, now);
      if (judged.decision.outcome === 'accepted') throw new Error(`redemption conflict not explained by the rules for scan ${scan.scanId}`);
    }
  }
  const { decision } = judged;
  const message = decision.outcome === 'accepted' ? 'Pass accepté : 10,00 €' : decision.message;
  const [row] = await tx
    .insert(scans)
    .values({ scanId: scan.scanId, kioskId: scan.kioskId, sessionId: scan.sessionId, offerId: scan.offerId, code: scan.code, scannedAt: new Date(scan.scannedAt), offline: scan.offline, outcome: decision.outcome, reason: decision.outcome === 'denied' ? decision.reason : null, message, redemptionId })
    .returning();
  return storedVerdict(row!);
}
