import { randomUUID } from 'node:crypto';
import { and, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { lastRedemptionDay, readPassCode, type ScanMessage, type Verdict } from '@aptic/contracts';
import { businessDate, type Emit, type Tx } from '@aptic/runtime';
import { decide, type Decision, type ScanFacts } from '../domain/verdict.ts';
import { earlierScanWins } from '../domain/cancellation.ts';
import { isSettled, markCancelled } from './cancellations.ts';
import { carnetReleases, conflicts, kiosks, offers, orderRules, passBlocks, passes, places, redemptions, scans, serviceActs } from './schema.ts';

const FACE_VALUE_CENTS = 1_000;
/** The window in which a kiosk's unknown codes are counted (against guessing). */
const UNKNOWN_WINDOW_MS = 10 * 60_000;

type Pass = typeof passes.$inferSelect;

async function liveRedemption(tx: Tx, passId: string) {
  const [row] = await tx
    .select({ at: redemptions.scannedAt, placeName: places.name })
    .from(redemptions)
    .leftJoin(places, eq(places.placeId, redemptions.placeId))
    .where(and(eq(redemptions.passId, passId), isNull(redemptions.cancelledAt)));
  return row && { at: row.at.toISOString(), placeName: row.placeName ?? 'une autre structure' };
}

async function passFacts(tx: Tx, pass: Pass): Promise<ScanFacts['pass']> {
  const [[blocked], [released], redeemed] = await Promise.all([
    tx.select().from(passBlocks).where(eq(passBlocks.passId, pass.passId)),
    tx.select().from(carnetReleases).where(and(eq(carnetReleases.orderId, pass.orderId), eq(carnetReleases.carnetNumber, pass.carnetNumber))),
    liveRedemption(tx, pass.passId),
  ]);
  return { status: blocked ? 'blocked' : released ? 'released' : 'issued', redeemed };
}

/** Everything the rules need, read from redemption's own read models. */
async function gatherFacts(tx: Tx, scan: ScanMessage, now: Date): Promise<{ facts: ScanFacts; pass: Pass | undefined }> {
  const reading = readPassCode(scan.code);
  const [[kiosk], [unknown], [pass], [offer]] = await Promise.all([
    tx.select().from(kiosks).where(eq(kiosks.kioskId, scan.kioskId)),
    tx.select({ n: count() }).from(scans).where(and(eq(scans.kioskId, scan.kioskId), gt(scans.receivedAt, new Date(now.getTime() - UNKNOWN_WINDOW_MS)), inArray(scans.reason, ['unknown_pass', 'misread']))),
    reading.ok ? tx.select().from(passes).where(eq(passes.code, scan.code)) : Promise.resolve([]),
    tx.select().from(offers).where(eq(offers.offerId, scan.offerId)),
  ]);
  const [[order], [place], carnetInAct] = await Promise.all([
    pass ? tx.select().from(orderRules).where(eq(orderRules.orderId, pass.orderId)) : Promise.resolve([]),
    kiosk ? tx.select().from(places).where(eq(places.placeId, kiosk.placeId)) : Promise.resolve([]),
    pass ? carnetAlreadyInAct(tx, scan.sessionId, pass) : Promise.resolve(false),
  ]);
  const rules = order?.rules;
  const facts: ScanFacts = {
    scannedOn: businessDate(new Date(scan.scannedAt)),
    kiosk: kiosk && { placeId: kiosk.placeId, revoked: kiosk.revoked },
    recentUnknownScans: unknown?.n ?? 0,
    reading,
    pass: pass && (await passFacts(tx, pass)),
    order: rules && {
      validFrom: rules.validFrom,
      lastDay: lastRedemptionDay(rules.validUntil),
      communes: rules.resolvedCommunes.length ? new Set(rules.resolvedCommunes) : null,
      placeTypes: rules.placeTypes.length ? new Set(rules.placeTypes) : null,
      serviceCategories: rules.serviceCategories.length ? new Set(rules.serviceCategories) : null,
    },
    place: place?.name && place.type && place.communeCode ? { qualified: place.qualified, kitActive: place.kitActive, type: place.type, communeCode: place.communeCode } : undefined,
    offer: offer?.placeId && offer.categoryCode ? { placeId: offer.placeId, categoryCode: offer.categoryCode, withdrawn: offer.withdrawn } : undefined,
    carnetAlreadyInAct: carnetInAct,
  };
  return { facts, pass };
}

async function carnetAlreadyInAct(tx: Tx, sessionId: string, pass: Pass): Promise<boolean> {
  const [row] = await tx
    .select({ id: redemptions.id })
    .from(redemptions)
    .innerJoin(serviceActs, eq(serviceActs.id, redemptions.serviceActId))
    .where(and(eq(serviceActs.sessionId, sessionId), eq(redemptions.orderId, pass.orderId), eq(redemptions.carnetNumber, pass.carnetNumber), isNull(redemptions.cancelledAt)));
  return Boolean(row);
}

/** The service act of a scan session: created by its first accepted pass. */
async function serviceAct(tx: Tx, scan: ScanMessage, placeId: string): Promise<string> {
  const [offer] = await tx.select({ priceCents: offers.priceCents }).from(offers).where(eq(offers.offerId, scan.offerId));
  await tx
    .insert(serviceActs)
    .values({ id: randomUUID(), sessionId: scan.sessionId, kioskId: scan.kioskId, placeId, offerId: scan.offerId, priceCents: offer?.priceCents ?? 0, startedAt: new Date(scan.scannedAt) })
    .onConflictDoNothing({ target: serviceActs.sessionId });
  const [act] = await tx.select({ id: serviceActs.id }).from(serviceActs).where(eq(serviceActs.sessionId, scan.sessionId));
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
  const { facts, pass } = await gatherFacts(tx, scan, now);
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
