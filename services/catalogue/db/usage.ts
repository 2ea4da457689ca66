/**
 * What catalogue keeps of other services' events for the territorial diagnosis: redemptions at
 * its places (redemption's events) and paid orders' perimeters (ordering's `order.paid`).
 */
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import type { ConsumerDefinition, Tx } from '@aptic/runtime';
import { orderPerimeters, redemptions } from './schema.ts';

type UsageEvent = 'pass.redeemed' | 'redemption.cancelled' | 'order.paid';

async function redeemed(tx: Tx, e: EventEnvelope<'pass.redeemed'>): Promise<void> {
  const d = e.data;
  const facts = {
    placeId: d.placeId,
    offerId: d.offerId,
    funderId: d.funderId,
    orderId: d.orderId,
    scannedAt: new Date(d.scannedAt),
  };
  // A cancellation delivered first left the row: complete it, keep its cancellation.
  await tx
    .insert(redemptions)
    .values({ redemptionId: d.redemptionId, ...facts })
    .onConflictDoUpdate({ target: redemptions.redemptionId, set: facts });
}

async function cancelled(tx: Tx, e: EventEnvelope<'redemption.cancelled'>): Promise<void> {
  const d = e.data;
  const at = new Date(e.occurredAt);
  await tx
    .insert(redemptions)
    .values({ redemptionId: d.redemptionId, placeId: d.placeId, orderId: d.orderId, cancelledAt: at })
    .onConflictDoUpdate({
      target: redemptions.redemptionId,
      set: { cancelledAt: sql`coalesce(${redemptions.cancelledAt}, ${at.toISOString()}::timestamptz)` },
    });
}

async function paid(tx: Tx, e: EventEnvelope<'order.paid'>): Promise<void> {
  const { orderId, funderId, rules } = e.data;
  const row = {
    funderId,
    perimeter: rules.perimeter,
    resolvedCommunes: rules.resolvedCommunes,
    paidAt: new Date(e.occurredAt),
  };
  await tx
    .insert(orderPerimeters)
    .values({ orderId, ...row })
    .onConflictDoNothing();
}

export const usageEvents: ConsumerDefinition<UsageEvent> = {
  name: 'usage',
  events: ['pass.redeemed', 'redemption.cancelled', 'order.paid'],
  async apply(tx, events) {
    for (const e of events) {
      if (e.type === 'pass.redeemed') await redeemed(tx, e as EventEnvelope<'pass.redeemed'>);
      else if (e.type === 'redemption.cancelled') await cancelled(tx, e as EventEnvelope<'redemption.cancelled'>);
      else await paid(tx, e as EventEnvelope<'order.paid'>);
    }
  },
};
