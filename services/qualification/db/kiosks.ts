import { and, eq, like } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Emit, Queryable, Tx } from '@aptic/runtime';
import { mayOperate } from '../domain/lifecycle.ts';
import { audit } from './audit.ts';
import { lockPlace, type Place } from './places.ts';
import { kiosks } from './schema.ts';

export type Kiosk = typeof kiosks.$inferSelect;

/** A kiosk may be registered for a qualified (or suspended) place, never a revoked one. */
export function assertKioskAllowed(place: Place): void {
  if (!mayOperate(place.status))
    throw new DomainError('place_not_qualified', 'Seul un lieu qualifié peut enregistrer une borne.', {
      status: 409,
      field: 'placeId',
    });
}

export async function insertKiosk(
  tx: Tx,
  emit: Emit,
  kiosk: { id: string; placeId: string; name: string; userPublicKey: string },
  actor: string,
): Promise<Kiosk> {
  assertKioskAllowed(await lockPlace(tx, kiosk.placeId));
  const [row] = await tx
    .insert(kiosks)
    .values({ ...kiosk, status: 'active', registeredBy: actor })
    .returning();
  await audit(tx, {
    entity: 'kiosk',
    entityId: kiosk.id,
    scopeId: kiosk.placeId,
    action: 'register',
    actor,
    toStatus: 'active',
    details: { name: kiosk.name, userPublicKey: kiosk.userPublicKey },
  });
  await emit('kiosk.registered', { kioskId: kiosk.id, placeId: kiosk.placeId });
  return row!;
}

export async function findKiosk(db: Queryable, id: string): Promise<Kiosk> {
  const [row] = await db.select().from(kiosks).where(eq(kiosks.id, id));
  if (!row) throw new DomainError('unknown_kiosk', 'Borne inconnue.', { status: 404, field: 'kioskId' });
  return row;
}

/** Records the revocation (the user key stays for the NATS revocation list) and announces it. */
export async function revokeKiosk(tx: Tx, emit: Emit, kiosk: Kiosk, reason: string, actor: string): Promise<Kiosk> {
  if (kiosk.status === 'revoked')
    throw new DomainError('kiosk_already_revoked', 'Cette borne est déjà révoquée.', { status: 409 });
  const [row] = await tx
    .update(kiosks)
    .set({ status: 'revoked', revokedAt: new Date(), revokedBy: actor, revokeReason: reason })
    .where(and(eq(kiosks.id, kiosk.id), eq(kiosks.status, 'active')))
    .returning();
  if (!row) throw new DomainError('kiosk_already_revoked', 'Cette borne est déjà révoquée.', { status: 409 });
  await audit(tx, {
    entity: 'kiosk',
    entityId: kiosk.id,
    scopeId: kiosk.placeId,
    action: 'revoke',
    actor,
    fromStatus: 'active',
    toStatus: 'revoked',
    details: { reason, userPublicKey: kiosk.userPublicKey },
  });
  await emit('kiosk.revoked', { kioskId: kiosk.id, placeId: kiosk.placeId });
  return row;
}

export function activeKiosks(db: Queryable, placeId: string): Promise<Kiosk[]> {
  return db
    .select()
    .from(kiosks)
    .where(and(eq(kiosks.placeId, placeId), eq(kiosks.status, 'active')));
}

/**
 * Every revoked kiosk's NATS user key and when it was revoked, for the account's revocation list
 * (embedded-mode kiosks, which have no NATS user, left out).
 */
export function revokedUsers(db: Queryable): Promise<{ userPublicKey: string; revokedAt: Date | null }[]> {
  return db
    .select({ userPublicKey: kiosks.userPublicKey, revokedAt: kiosks.revokedAt })
    .from(kiosks)
    .where(and(eq(kiosks.status, 'revoked'), like(kiosks.userPublicKey, 'U%')));
}
