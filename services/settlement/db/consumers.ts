import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import {
  businessDate,
  oneByOne,
  placeFact,
  queryRows,
  upsertNewer,
  type ConsumerDefinition,
  type Tx,
} from '@aptic/runtime';
import { feeOf, postings, type Posting } from '../domain/accounts.ts';
import { monthOf, periodFor } from '../domain/periods.ts';
import { book } from './ledger.ts';
import { lastClosedMonth, sharePeriodLock } from './periods.ts';
import { bookings, kitSponsorships, kits, offers, orders, periods, places } from './schema.ts';

/** Orders: the funder's money comes in (held), passes issued and released (the funder's figures). */
const ordersConsumer = oneByOne('orders', {
  'order.paid': async (tx, { data }) => {
    const inserted = await tx
      .insert(orders)
      .values({
        orderId: data.orderId,
        funderId: data.funderId,
        funderName: data.funderName,
        carnetSize: data.carnetSize,
        faceValueCents: data.faceValueCents,
      })
      .onConflictDoNothing()
      .returning({ orderId: orders.orderId });
    if (inserted.length > 0) await book(tx, [postings.orderPaid(data)]);
  },
  'passes.issued': async (tx, { data }) => {
    const updated = await tx
      .update(orders)
      .set({ passesIssued: sql`${orders.passesIssued} + ${data.passes.length}` })
      .where(eq(orders.orderId, data.orderId))
      .returning({ id: orders.orderId });
    if (updated.length === 0) throw new Error(`passes.issued for order ${data.orderId} before its order.paid`);
  },
  'passes.released': async (tx, { data }) => {
    const released = sql`${orders.passesReleased} + ${orders.carnetSize} * ${data.carnetNumbers.length}`;
    const updated = await tx
      .update(orders)
      .set({ passesReleased: released })
      .where(eq(orders.orderId, data.orderId))
      .returning({ id: orders.orderId });
    if (updated.length === 0) throw new Error(`passes.released for order ${data.orderId} before its order.paid`);
  },
});

/** The unused face value of an order goes back to its funder as credit: booked once per order. */
async function bookCredit(tx: Tx, credit: { orderId: string; funderId: string; amountCents: number }): Promise<void> {
  const [order] = await tx.select({ id: orders.orderId }).from(orders).where(eq(orders.orderId, credit.orderId));
  if (!order) throw new Error(`credit for order ${credit.orderId} before its order.paid`);
  const closed = await tx
    .update(orders)
    .set({ redemptionClosedAt: new Date() })
    .where(and(eq(orders.orderId, credit.orderId), isNull(orders.redemptionClosedAt)))
    .returning({ id: orders.orderId });
  if (closed.length === 0) return;
  if (credit.amountCents > 0) await book(tx, [postings.credited(credit)]);
}

/**
 * The credit is booked from redemption's final count of the order (its redemption window closed,
 * later uploads refused), never from a count of ours that a lagging consumer could get wrong;
 * ordering's credit note (credit_note.issued) is the document of that same amount.
 */
const creditsConsumer = oneByOne('credits', {
  'order.redemption_closed': async (tx, { data }) =>
    bookCredit(tx, { orderId: data.orderId, funderId: data.funderId, amountCents: data.unredeemedValueCents }),
});

/**
 * Kit facts apply only if newer than those the row holds, so an older activation replayed or
 * delivered late neither reopens a cancelled kit nor replaces a newer plan, and a cancellation
 * that arrives before its activation is kept.
 */
async function kitActivated(tx: Tx, e: EventEnvelope<'kit.activated'>): Promise<void> {
  const fact = placeFact(e);
  const { version, asOf } = fact;
  const activation = {
    plan: e.data.plan,
    activatedOn: businessDate(new Date(e.data.from)),
    activatedVersion: version,
    activatedAsOf: asOf,
  };
  await upsertNewer(tx, kits, kits.placeId, { placeId: e.data.placeId }, fact, [
    { version: kits.activatedVersion, asOf: kits.activatedAsOf, values: activation },
    {
      version: kits.stateVersion,
      asOf: kits.stateAsOf,
      values: { cancelledOn: null, stateVersion: version, stateAsOf: asOf },
    },
  ]);
}

async function kitCancelled(tx: Tx, e: EventEnvelope<'kit.cancelled'>): Promise<void> {
  const fact = placeFact(e);
  const state = { cancelledOn: businessDate(new Date(e.data.at)), stateVersion: fact.version, stateAsOf: fact.asOf };
  await upsertNewer(tx, kits, kits.placeId, { placeId: e.data.placeId }, fact, [
    { version: kits.stateVersion, asOf: kits.stateAsOf, values: state },
  ]);
}

/** Places, their offers (statement lines by service) and kits (deducted from payouts). */
const placesConsumer = oneByOne('places', {
  // The name of the newest qualification: an older one, replayed, never brings back a former name.
  'place.qualified': async (tx, e) => {
    const fact = placeFact(e);
    await upsertNewer(tx, places, places.placeId, { placeId: e.data.placeId }, fact, [
      { version: places.version, asOf: places.asOf, values: { name: e.data.name, ...fact } },
    ]);
  },
  'offer.published': async (tx, { data }) => {
    await tx
      .insert(offers)
      .values({
        offerId: data.offerId,
        placeId: data.placeId,
        serviceCode: data.serviceCode,
        categoryCode: data.categoryCode,
        priceCents: data.priceCents,
      })
      .onConflictDoNothing();
  },
  'kit.activated': kitActivated,
  'kit.cancelled': kitCancelled,
  'kit.sponsored': async (tx, { data }) => {
    await tx
      .insert(kitSponsorships)
      .values(
        data.placeIds.map((placeId) => ({ placeId, funderId: data.funderId, from: data.from, until: data.until })),
      )
      .onConflictDoNothing();
  },
});

interface BookingRow {
  id: string;
  redemptionId: string;
  sign: 1 | -1;
  placeId: string;
  orderId: string;
  funderId: string;
  offerId: string;
  faceValueCents: number;
  feeCents: number;
  scanDay: string;
  period: string;
  late: boolean;
}

async function insertBookings(tx: Tx, rows: BookingRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  await tx
    .insert(periods)
    .values([...new Set(rows.map((r) => r.period))].map((month) => ({ month })))
    .onConflictDoNothing();
  const inserted = await tx.insert(bookings).values(rows).onConflictDoNothing().returning({ id: bookings.id });
  return new Set(inserted.map((r) => r.id));
}

/**
 * Redemptions and their cancellations, in the period they are paid in. The shared period lock
 * makes a close wait for batches under way, and batches after it see the month closed.
 */
async function applyRedemptions(
  tx: Tx,
  events: EventEnvelope<'pass.redeemed' | 'redemption.cancelled'>[],
): Promise<void> {
  await sharePeriodLock(tx);
  const lastClosed = await lastClosedMonth(tx);
  const redeemed = events
    .filter((e): e is EventEnvelope<'pass.redeemed'> => e.type === 'pass.redeemed')
    .map((e) => e.data);
  const cancelled = events
    .filter((e): e is EventEnvelope<'redemption.cancelled'> => e.type === 'redemption.cancelled')
    .map((e) => e.data);
  const rows: BookingRow[] = redeemed.map((r) => {
    const scanDay = businessDate(new Date(r.scannedAt));
    return {
      id: randomUUID(),
      redemptionId: r.redemptionId,
      sign: 1,
      placeId: r.placeId,
      orderId: r.orderId,
      funderId: r.funderId,
      offerId: r.offerId,
      faceValueCents: r.faceValueCents,
      feeCents: feeOf(r.faceValueCents),
      scanDay,
      ...periodFor(monthOf(scanDay), lastClosed),
    };
  });
  const fresh = await insertBookings(tx, rows);
  const booked: Posting[] = rows.filter((r) => fresh.has(r.id)).map((r) => postings.redeemed(r));
  if (cancelled.length > 0) {
    const ids = cancelled.map((c) => c.redemptionId);
    const originals = await queryRows<{
      redemption_id: string;
      place_id: string;
      order_id: string;
      funder_id: string;
      offer_id: string;
      face_value_cents: string;
      fee_cents: string;
      scan_day: string;
      period: string;
      late: boolean;
    }>(
      tx,
      sql`
      SELECT redemption_id, place_id, order_id, funder_id, offer_id, face_value_cents, fee_cents, scan_day::text, period, late FROM ${bookings}
      WHERE sign = 1 AND redemption_id = ANY(${sql.param(ids)}::uuid[])`,
    );
    const byId = new Map(originals.map((o) => [o.redemption_id, o]));
    const missing = ids.filter((id) => !byId.has(id));
    // Another consumer carries pass.redeemed: the cancellation waits for it (redelivered later).
    if (missing.length > 0) throw new Error(`redemption.cancelled before its pass.redeemed: ${missing.join(', ')}`);
    const reversals: BookingRow[] = originals.map((o) => {
      const open = lastClosed === null || o.period > lastClosed;
      return {
        id: randomUUID(),
        redemptionId: o.redemption_id,
        sign: -1,
        placeId: o.place_id,
        orderId: o.order_id,
        funderId: o.funder_id,
        offerId: o.offer_id,
        faceValueCents: Number(o.face_value_cents),
        feeCents: Number(o.fee_cents),
        scanDay: o.scan_day,
        ...(open ? { period: o.period, late: o.late } : periodFor(o.period, lastClosed)),
      };
    });
    const freshReversals = await insertBookings(tx, reversals);
    booked.push(...reversals.filter((r) => freshReversals.has(r.id)).map((r) => postings.cancelled(r)));
  }
  await book(tx, booked);
}

const redemptionsConsumer: ConsumerDefinition<'pass.redeemed' | 'redemption.cancelled'> = {
  name: 'redemptions',
  events: ['pass.redeemed', 'redemption.cancelled'],
  apply: applyRedemptions,
};

export const consumers = [ordersConsumer, creditsConsumer, placesConsumer, redemptionsConsumer];
