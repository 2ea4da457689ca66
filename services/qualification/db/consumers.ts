import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import type { ConsumerDefinition, Emit, Tx } from '@aptic/runtime';
import { audit } from './audit.ts';
import { liveKit } from './kits.ts';
import { emitAboutPlace } from './places.ts';
import { kits, places } from './schema.ts';

/** The earliest scan of each place in a batch. */
function firstScans(events: EventEnvelope<'pass.redeemed'>[]): Map<string, string> {
  const first = new Map<string, string>();
  for (const e of events) {
    const seen = first.get(e.data.placeId);
    if (seen === undefined || e.data.scannedAt < seen) first.set(e.data.placeId, e.data.scannedAt);
  }
  return first;
}

/**
 * Billing of the kit starts at the place's first scan: the first `pass.redeemed` of a place
 * whose kit is `subscribed` activates it, once. The status change is the guard, in the update
 * itself: of transactions activating the same kit at once (instances applying batches of the same
 * place), the later ones wait for the first and then find it active, and change nothing.
 */
async function activateKits(tx: Tx, events: EventEnvelope<'pass.redeemed'>[], emit: Emit): Promise<void> {
  for (const [placeId, scannedAt] of firstScans(events)) {
    const kit = await liveKit(tx, placeId);
    if (kit?.status !== 'subscribed') continue;
    const activated = await tx
      .update(kits)
      .set({ status: 'active', activatedAt: new Date(scannedAt) })
      .where(and(eq(kits.id, kit.id), eq(kits.status, 'subscribed')))
      .returning({ id: kits.id });
    if (activated.length === 0) continue;
    await audit(tx, {
      entity: 'kit',
      entityId: kit.id,
      scopeId: placeId,
      action: 'activate',
      actor: 'system: first scan',
      fromStatus: 'subscribed',
      toStatus: 'active',
      details: { scannedAt },
    });
    await emitAboutPlace(tx, emit, 'kit.activated', {
      placeId,
      plan: kit.plan,
      from: new Date(scannedAt).toISOString(),
    });
  }
}

export const kitActivation: ConsumerDefinition<'pass.redeemed'> = {
  name: 'kit-activation',
  events: ['pass.redeemed'],
  apply: activateKits,
};

/**
 * A funder pays the kit of chosen places: the live subscription records its sponsor, or one is
 * opened (monthly, so that it can end with the funder's period). Places unknown here, or
 * revoked, are skipped: ordering does not know qualification's places.
 */
async function applySponsorship(tx: Tx, event: EventEnvelope<'kit.sponsored'>, emit: Emit): Promise<void> {
  const { funderId, placeIds, until } = event.data;
  const actor = `system: kit.sponsored ${event.id}`;
  const known = await tx
    .select({ id: places.id, status: places.status })
    .from(places)
    .where(inArray(places.id, placeIds))
    .for('update');
  for (const place of known.filter((p) => p.status !== 'revoked')) {
    const kit = await liveKit(tx, place.id);
    if (kit) {
      await tx.update(kits).set({ sponsoredBy: funderId, sponsoredUntil: until }).where(eq(kits.id, kit.id));
      await audit(tx, {
        entity: 'kit',
        entityId: kit.id,
        scopeId: place.id,
        action: 'sponsor',
        actor,
        details: { funderId, until },
      });
      await emitAboutPlace(tx, emit, 'kit.subscribed', { placeId: place.id, plan: kit.plan, sponsoredBy: funderId });
      continue;
    }
    const id = randomUUID();
    await tx.insert(kits).values({
      id,
      placeId: place.id,
      plan: 'monthly',
      status: 'subscribed',
      sponsoredBy: funderId,
      sponsoredUntil: until,
    });
    await audit(tx, {
      entity: 'kit',
      entityId: id,
      scopeId: place.id,
      action: 'subscribe',
      actor,
      toStatus: 'subscribed',
      details: { plan: 'monthly', funderId, until },
    });
    await emitAboutPlace(tx, emit, 'kit.subscribed', { placeId: place.id, plan: 'monthly', sponsoredBy: funderId });
  }
}

export const kitSponsorship: ConsumerDefinition<'kit.sponsored'> = {
  name: 'kit-sponsorship',
  events: ['kit.sponsored'],
  apply: async (tx, events, emit) => {
    for (const e of events) await applySponsorship(tx, e, emit);
  },
};
