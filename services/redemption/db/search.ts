import { and, desc, eq, gte, isNull, like, lt, sql, type SQL } from 'drizzle-orm';
import { DomainError, carnetDigits, maskPassCode } from '@aptic/contracts';
import type { Queryable } from '@aptic/runtime';
import { conflicts, redemptions, scans, serviceActs } from './schema.ts';

export interface ScanQuery {
  code?: string;
  carnet?: number;
  placeId?: string;
  kioskId?: string;
  reason?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/**
 * Scans by pass, carnet, place, kiosk, denial reason and date (scan time), newest first. Codes are
 * kept masked (carnet, position and check digits): a code finds the scans of its pass, a carnet
 * those whose code starts with its number.
 */
export async function searchScans(db: Queryable, q: ScanQuery) {
  const where: SQL[] = [];
  if (q.code) where.push(eq(scans.code, maskPassCode(q.code)));
  if (q.carnet !== undefined) where.push(like(scans.code, `${carnetDigits(q.carnet)}%`));
  if (q.placeId)
    where.push(sql`${scans.kioskId} IN (SELECT kiosk_id FROM redemption.kiosk WHERE place_id = ${q.placeId})`);
  if (q.kioskId) where.push(eq(scans.kioskId, q.kioskId));
  if (q.reason) where.push(eq(scans.reason, q.reason as never));
  if (q.from) where.push(gte(scans.scannedAt, new Date(`${q.from}T00:00:00Z`)));
  if (q.to) where.push(lt(scans.scannedAt, new Date(`${q.to}T23:59:59.999Z`)));
  return db
    .select()
    .from(scans)
    .where(and(...where))
    .orderBy(desc(scans.scannedAt))
    .limit(q.limit ?? 100);
}

export async function findRedemption(db: Queryable, id: string) {
  const [row] = await db.select().from(redemptions).where(eq(redemptions.id, id));
  if (!row) throw new DomainError('unknown_redemption', 'Passage inconnu.', { status: 404 });
  return row;
}

/** A service act: its price, the passes that paid it, and what the beneficiary pays (reste à charge). */
export async function serviceActView(db: Queryable, id: string) {
  const [act] = await db.select().from(serviceActs).where(eq(serviceActs.id, id));
  if (!act) throw new DomainError('unknown_service_act', 'Acte de service inconnu.', { status: 404 });
  const paid = await db
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.serviceActId, id), isNull(redemptions.cancelledAt)));
  const coveredCents = paid.reduce((sum, r) => sum + r.faceValueCents, 0);
  return {
    ...act,
    passes: paid.map((r) => ({ redemptionId: r.id, passId: r.passId, carnetNumber: r.carnetNumber })),
    coveredCents,
    // A pass may pay a service fully or partly; beyond the price, the place keeps no more than the price.
    restCents: Math.max(0, act.priceCents - coveredCents),
  };
}

export function listConflicts(db: Queryable, limit = 100) {
  return db.select().from(conflicts).orderBy(desc(conflicts.resolvedAt)).limit(limit);
}

/** Passes of a carnet redeemed now (cancelled redemptions not counted): printing's renewal rule asks. */
export async function carnetUsage(db: Queryable, orderId: string, carnetNumber: number) {
  const [row] = await db
    .select({ redeemed: sql<number>`count(*)::int` })
    .from(redemptions)
    .where(
      and(
        eq(redemptions.orderId, orderId),
        eq(redemptions.carnetNumber, carnetNumber),
        isNull(redemptions.cancelledAt),
      ),
    );
  return { redeemed: row?.redeemed ?? 0 };
}
