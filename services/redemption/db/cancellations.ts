import { and, eq, isNull } from 'drizzle-orm';
import { DomainError, type CancelOutcome, type CancelRequest } from '@aptic/contracts';
import { businessDate, type Emit, type Tx } from '@aptic/runtime';
import { mayCancel, settlementMonth, type Canceller } from '../domain/cancellation.ts';
import { redemptions, scans, settledPeriods } from './schema.ts';
import { assertWindowOpen } from './windows.ts';

export type Redemption = typeof redemptions.$inferSelect;

export async function isSettled(tx: Tx, placeId: string, scannedAt: Date): Promise<boolean> {
  const [row] = await tx
    .select()
    .from(settledPeriods)
    .where(
      and(eq(settledPeriods.placeId, placeId), eq(settledPeriods.month, settlementMonth(businessDate(scannedAt)))),
    );
  return Boolean(row);
}

/** Marks a redemption cancelled and announces it: the pass may be redeemed again. */
export async function markCancelled(
  tx: Tx,
  emit: Emit,
  redemption: Redemption,
  reason: string,
  by: string,
): Promise<Redemption> {
  const [row] = await tx
    .update(redemptions)
    .set({ cancelledAt: new Date(), cancelledBy: by, cancelReason: reason })
    .where(and(eq(redemptions.id, redemption.id), isNull(redemptions.cancelledAt)))
    .returning();
  if (!row) throw new DomainError('already_cancelled', 'Ce passage a déjà été annulé.', { status: 409 });
  await emit('redemption.cancelled', {
    redemptionId: row.id,
    passId: row.passId,
    orderId: row.orderId,
    placeId: row.placeId,
    faceValueCents: row.faceValueCents,
    reason,
  });
  return row;
}

/** A kiosk's undo or a staff member's cancellation, if the rules allow it. */
export async function cancelRedemption(
  tx: Tx,
  emit: Emit,
  redemptionId: string,
  by: Canceller,
  actor: string,
  now = new Date(),
): Promise<Redemption> {
  const [redemption] = await tx.select().from(redemptions).where(eq(redemptions.id, redemptionId)).for('update');
  if (!redemption) throw new DomainError('unknown_redemption', 'Passage inconnu.', { status: 404 });
  await assertWindowOpen(tx, redemption.orderId);
  const decision = mayCancel(
    {
      kioskId: redemption.kioskId,
      acceptedAt: redemption.acceptedAt,
      cancelled: redemption.cancelledAt !== null,
      settled: await isSettled(tx, redemption.placeId, redemption.scannedAt),
    },
    by,
    now,
  );
  if (!decision.ok) throw new DomainError(decision.code, decision.message, { status: 409 });
  const reason = by.kind === 'staff' ? by.reason : 'annulé par la borne (erreur de scan)';
  return markCancelled(tx, emit, redemption, reason, actor);
}

/**
 * A kiosk takes back one of its scans. Answered the same way if the request comes twice (the
 * cancellation carries the request's id).
 */
export async function kioskUndo(tx: Tx, emit: Emit, request: CancelRequest, now = new Date()): Promise<CancelOutcome> {
  const answer = (outcome: CancelOutcome['outcome'], message: string): CancelOutcome => ({
    cancelId: request.cancelId,
    scanId: request.scanId,
    outcome,
    message,
  });
  const [scan] = await tx
    .select({ redemptionId: scans.redemptionId, kioskId: scans.kioskId })
    .from(scans)
    .where(eq(scans.scanId, request.scanId));
  if (!scan?.redemptionId || scan.kioskId !== request.kioskId)
    return answer('refused', 'Aucun pass accepté par cette borne pour ce scan.');
  const actor = `kiosk:${request.kioskId}:${request.cancelId}`;
  const [current] = await tx
    .select({ cancelledBy: redemptions.cancelledBy })
    .from(redemptions)
    .where(eq(redemptions.id, scan.redemptionId));
  if (current?.cancelledBy === actor) return answer('cancelled', 'Passage annulé : le pass peut être réutilisé.');
  try {
    await cancelRedemption(tx, emit, scan.redemptionId, { kind: 'kiosk', kioskId: request.kioskId }, actor, now);
    return answer('cancelled', 'Passage annulé : le pass peut être réutilisé.');
  } catch (err) {
    if (err instanceof DomainError) return answer('refused', err.message);
    throw err;
  }
}
