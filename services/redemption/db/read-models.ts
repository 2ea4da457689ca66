import { sql } from 'drizzle-orm';
import { lastRedemptionDay, type EventEnvelope, type EventType } from '@aptic/contracts';
import type { ConsumerDefinition, Tx } from '@aptic/runtime';
import { carnetReleases, kiosks, offers, orderRules, orderWindows, passBlocks, passes, places, settledPeriods } from './schema.ts';

type Handler<T extends EventType> = (tx: Tx, event: EventEnvelope<T>) => Promise<void>;

/** A consumer applying its events one by one, in the order received, each with its own handler. */
function readModel<T extends EventType>(name: string, handlers: { [K in T]: Handler<K> }): ConsumerDefinition<T> {
  return {
    name,
    events: Object.keys(handlers) as T[],
    async apply(tx, events) {
      for (const event of events) await (handlers[event.type] as Handler<T>)(tx, event);
    },
  };
}

const at = (event: EventEnvelope) => new Date(event.occurredAt);

const orderRulesModel = readModel('order-rules', {
  'order.paid': async (tx, { data }) => {
    await tx.insert(orderRules).values({ orderId: data.orderId, funderId: data.funderId, rules: data.rules }).onConflictDoNothing();
    const window = { orderId: data.orderId, funderId: data.funderId, passCount: data.carnets * data.carnetSize, lastDay: lastRedemptionDay(data.rules.validUntil) };
    await tx.insert(orderWindows).values(window).onConflictDoNothing();
  },
});

const passesModel = readModel('passes', {
  'passes.issued': async (tx, { data }) => {
    const rows = data.passes.map((p) => ({ passId: p.passId, codeHash: p.codeHash, orderId: data.orderId, funderId: data.funderId, carnetNumber: p.carnetNumber, position: p.position }));
    if (rows.length > 0) await tx.insert(passes).values(rows).onConflictDoNothing();
  },
  'passes.released': async (tx, { data }) => {
    const rows = data.carnetNumbers.map((carnetNumber) => ({ orderId: data.orderId, carnetNumber, releasedAt: new Date(data.releasedAt) }));
    await tx.insert(carnetReleases).values(rows).onConflictDoNothing();
  },
  'passes.blocked': async (tx, { data }) => {
    if (data.passIds.length > 0) await tx.insert(passBlocks).values(data.passIds.map((passId) => ({ passId, reason: data.reason }))).onConflictDoNothing();
  },
});

/** Sets a place's qualification unless a newer event already did; its details always apply. */
async function setQualified(tx: Tx, placeId: string, qualified: boolean, asOf: Date, details: Partial<typeof places.$inferInsert> = {}): Promise<void> {
  const newer = sql`(${places.qualifiedAsOf} IS NULL OR ${places.qualifiedAsOf} < ${asOf})`;
  await tx
    .insert(places)
    .values({ placeId, qualified, qualifiedAsOf: asOf, ...details })
    .onConflictDoUpdate({
      target: places.placeId,
      set: {
        ...details,
        qualified: sql`CASE WHEN ${newer} THEN ${qualified} ELSE ${places.qualified} END`,
        qualifiedAsOf: sql`CASE WHEN ${newer} THEN ${asOf} ELSE ${places.qualifiedAsOf} END`,
      },
    });
}

async function setKit(tx: Tx, placeId: string, kitActive: boolean, asOf: Date): Promise<void> {
  await tx
    .insert(places)
    .values({ placeId, kitActive, kitAsOf: asOf })
    .onConflictDoUpdate({ target: places.placeId, set: { kitActive, kitAsOf: asOf }, setWhere: sql`${places.kitAsOf} IS NULL OR ${places.kitAsOf} < ${asOf}` });
}

const placesModel = readModel('places', {
  'place.qualified': (tx, e) => setQualified(tx, e.data.placeId, true, at(e), { name: e.data.name, type: e.data.type, communeCode: e.data.communeCode }),
  'place.suspended': (tx, e) => setQualified(tx, e.data.placeId, false, at(e)),
  'place.revoked': (tx, e) => setQualified(tx, e.data.placeId, false, at(e)),
  'kit.subscribed': (tx, e) => setKit(tx, e.data.placeId, true, at(e)),
  'kit.cancelled': (tx, e) => setKit(tx, e.data.placeId, false, at(e)),
});

const offersModel = readModel('offers', {
  'offer.published': async (tx, { data }) => {
    const values = { placeId: data.placeId, serviceCode: data.serviceCode, categoryCode: data.categoryCode, priceCents: data.priceCents };
    await tx.insert(offers).values({ offerId: data.offerId, ...values }).onConflictDoUpdate({ target: offers.offerId, set: values });
  },
  'offer.withdrawn': async (tx, { data }) => {
    await tx.insert(offers).values({ offerId: data.offerId, placeId: data.placeId, withdrawn: true }).onConflictDoUpdate({ target: offers.offerId, set: { withdrawn: true } });
  },
});

const kiosksModel = readModel('kiosks', {
  'kiosk.registered': async (tx, { data }) => {
    await tx.insert(kiosks).values({ kioskId: data.kioskId, placeId: data.placeId }).onConflictDoNothing();
  },
  'kiosk.revoked': async (tx, { data }) => {
    await tx.insert(kiosks).values({ kioskId: data.kioskId, placeId: data.placeId, revoked: true }).onConflictDoUpdate({ target: kiosks.kioskId, set: { revoked: true } });
  },
});

const settledPeriodsModel = readModel('settled-periods', {
  'period.closed': async (tx, { data }) => {
    await tx.insert(settledPeriods).values({ placeId: data.placeId, month: data.month }).onConflictDoNothing();
  },
});

export const readModels = [orderRulesModel, passesModel, placesModel, offersModel, kiosksModel, settledPeriodsModel];
