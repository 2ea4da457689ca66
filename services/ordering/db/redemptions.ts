import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import type { ConsumerDefinition, Tx } from '@aptic/runtime';
import { redemptionCounts } from './schema.ts';

/** Net passes redeemed per order in a batch: +1 per redemption, −1 per cancellation. */
function netByOrder(events: EventEnvelope<'pass.redeemed' | 'redemption.cancelled'>[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const e of events) net.set(e.data.orderId, (net.get(e.data.orderId) ?? 0) + (e.type === 'pass.redeemed' ? 1 : -1));
  return net;
}

async function applyRedemptions(tx: Tx, events: EventEnvelope<'pass.redeemed' | 'redemption.cancelled'>[]): Promise<void> {
  for (const [orderId, delta] of netByOrder(events)) {
    await tx
      .insert(redemptionCounts)
      .values({ orderId, redeemed: delta })
      .onConflictDoUpdate({ target: redemptionCounts.orderId, set: { redeemed: sql`${redemptionCounts.redeemed} + ${delta}` } });
  }
}

/** Keeps the count the credit note is computed from (unused passes at the end of validity). */
export const redemptionCounter: ConsumerDefinition<'pass.redeemed' | 'redemption.cancelled'> = {
  name: 'redemption-counts',
  events: ['pass.redeemed', 'redemption.cancelled'],
  apply: applyRedemptions,
};
