import { randomUUID } from 'node:crypto';
import { and, eq, lt, ne } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Emit, Queryable, Tx } from '@aptic/runtime';
import { mayOperate } from '../domain/lifecycle.ts';
import type { KitPlan } from '../domain/kit.ts';
import { audit } from './audit.ts';
import { emitAboutPlace, lockPlace } from './places.ts';
import { kits } from './schema.ts';

export type Kit = typeof kits.$inferSelect;

export async function liveKit(db: Queryable, placeId: string): Promise<Kit | undefined> {
  const [row] = await db
    .select()
    .from(kits)
    .where(and(eq(kits.placeId, placeId), ne(kits.status, 'cancelled')));
  return row;
}

/** The place subscribes the kit; billing waits for its first scan (`kit.activated`). */
export async function subscribeKit(tx: Tx, emit: Emit, placeId: string, plan: KitPlan, actor: string): Promise<Kit> {
  const place = await lockPlace(tx, placeId);
  if (!mayOperate(place.status))
    throw new DomainError('place_not_qualified', 'Seul un lieu qualifié peut souscrire au kit #APTIC.', {
      status: 409,
    });
  if (await liveKit(tx, placeId))
    throw new DomainError('kit_already_subscribed', 'Le lieu a déjà un abonnement au kit en cours.', { status: 409 });
  const [row] = await tx.insert(kits).values({ id: randomUUID(), placeId, plan, status: 'subscribed' }).returning();
  await audit(tx, {
    entity: 'kit',
    entityId: row!.id,
    scopeId: placeId,
    action: 'subscribe',
    actor,
    toStatus: 'subscribed',
    details: { plan },
  });
  await emitAboutPlace(tx, emit, 'kit.subscribed', { placeId, plan });
  return row!;
}

/** Ends the live subscription: the place can no longer endorse passes. */
export async function cancelKit(tx: Tx, emit: Emit, placeId: string, reason: string, actor: string): Promise<Kit> {
  await lockPlace(tx, placeId);
  const kit = await liveKit(tx, placeId);
  if (!kit) throw new DomainError('no_kit', 'Le lieu n’a pas d’abonnement au kit en cours.', { status: 409 });
  return endKit(tx, emit, kit, reason, actor);
}

export async function endKit(tx: Tx, emit: Emit, kit: Kit, reason: string, actor: string): Promise<Kit> {
  const at = new Date();
  const [row] = await tx
    .update(kits)
    .set({ status: 'cancelled', cancelledAt: at, cancelReason: reason })
    .where(eq(kits.id, kit.id))
    .returning();
  await audit(tx, {
    entity: 'kit',
    entityId: kit.id,
    scopeId: kit.placeId,
    action: 'cancel',
    actor,
    fromStatus: kit.status,
    toStatus: 'cancelled',
    details: { reason },
  });
  await emitAboutPlace(tx, emit, 'kit.cancelled', { placeId: kit.placeId, at: at.toISOString(), reason });
  return row!;
}

/** Sponsored kits whose funder's period ended before `today`: the sweep cancels them. */
export async function expiredSponsorships(db: Queryable, today: string): Promise<Kit[]> {
  return db
    .select()
    .from(kits)
    .where(and(ne(kits.status, 'cancelled'), lt(kits.sponsoredUntil, today)));
}
