import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import { businessDate, type ConsumerDefinition, type Tx } from '@aptic/runtime';
import { closeOrder } from './billing.ts';
import { redemptionCounts } from './schema.ts';

/** Net passes redeemed per order in a batch: +1 per redemption, −1 per cancellation. */
function netByOrder(events: EventEnvelope<'pass.redeemed' | 'redemption.cancelled'>[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const e of events)
    net.set(e.data.orderId, (net.get(e.data.orderId) ?? 0) + (e.type === 'pass.redeemed' ? 1 : -1));
  return net;
}

async function applyRedemptions(
  tx: Tx,
  events: EventEnvelope<'pass.redeemed' | 'redemption.cancelled'>[],
): Promise<void> {
  for (const [orderId, delta] of netByOrder(events)) {
    await tx
      .insert(redemptionCounts)
      .values({ orderId, redeemed: delta })
      .onConflictDoUpdate({
        target: redemptionCounts.orderId,
        set: { redeemed: sql`${redemptionCounts.redeemed} + ${delta}` },
      });
  }
}

/** Keeps the running count of redeemed passes shown on the order (the credit note waits for the final one). */
export const redemptionCounter: ConsumerDefinition<'pass.redeemed' | 'redemption.cancelled'> = {
  name: 'redemption-counts',
  events: ['pass.redeemed', 'redemption.cancelled'],
  apply: applyRedemptions,
};

/**
 * Closes each order on the final count redemption announces once the order's redemption window is
 * closed (never on the running count above, which a late or replayed event could still change),
 * and credits the funder what was never redeemed.
 */
export const orderClosing: ConsumerDefinition<'order.redemption_closed'> = {
  name: 'order-closing',
  events: ['order.redemption_closed'],
  async apply(tx, events, emit) {
    for (const { data } of events)
      await closeOrder(tx, emit, data.orderId, data, businessDate(), 'system: redemption window closed');
  },
};
