import { lastRedemptionDay, type EventEnvelope, type EventType } from '@aptic/contracts';
import { newerFact, setIfNewer, type ConsumerDefinition, type Fact, type Tx } from '@aptic/runtime';
import {
  carnetReleases,
  kiosks,
  offers,
  orderRules,
  orderWindows,
  passBlocks,
  passes,
  places,
  settledPeriods,
} from './schema.ts';

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
    await tx
      .insert(orderRules)
      .values({ orderId: data.orderId, funderId: data.funderId, rules: data.rules })
      .onConflictDoNothing();
    const window = {
      orderId: data.orderId,
      funderId: data.funderId,
      passCount: data.carnets * data.carnetSize,
      lastDay: lastRedemptionDay(data.rules.validUntil),
    };
    await tx.insert(orderWindows).values(window).onConflictDoNothing();
  },
});

const passesModel = readModel('passes', {
  'passes.issued': async (tx, { data }) => {
    const rows = data.passes.map((p) => ({
      passId: p.passId,
      codeHash: p.codeHash,
      orderId: data.orderId,
      funderId: data.funderId,
      carnetNumber: p.carnetNumber,
      position: p.position,
    }));
    if (rows.length > 0) await tx.insert(passes).values(rows).onConflictDoNothing();
  },
  'passes.released': async (tx, { data }) => {
    const rows = data.carnetNumbers.map((carnetNumber) => ({
      orderId: data.orderId,
      carnetNumber,
      releasedAt: new Date(data.releasedAt),
    }));
    await tx.insert(carnetReleases).values(rows).onConflictDoNothing();
  },
  'passes.blocked': async (tx, { data }) => {
    if (data.passIds.length > 0)
      await tx
        .insert(passBlocks)
        .values(data.passIds.map((passId) => ({ passId, reason: data.reason })))
        .onConflictDoNothing();
  },
});

/** A fact about a place: its place version (0 on events from before versions), then its time. */
type PlaceFact = EventEnvelope<
  'place.qualified' | 'place.suspended' | 'place.revoked' | 'kit.subscribed' | 'kit.cancelled'
>;
const factOf = (e: PlaceFact): Fact => ({ version: e.data.placeVersion ?? 0, asOf: at(e) });

/**
 * Sets a place's qualification, and the details a `place.qualified` carries, each only if the fact
 * is newer than the one it holds: an older event replayed or delivered late changes nothing, so a
 * stale commune or type never comes back (and an older qualification's details still fill a place
 * whose suspension came first).
 */
async function setQualified(
  tx: Tx,
  e: PlaceFact,
  qualified: boolean,
  details?: { name: string; type: string; communeCode: string },
): Promise<void> {
  const { version, asOf } = factOf(e);
  const status = { qualified, qualifiedVersion: version, qualifiedAsOf: asOf };
  const described = details ? { ...details, detailsVersion: version, detailsAsOf: asOf } : {};
  const statusNewer = newerFact(places.qualifiedVersion, places.qualifiedAsOf, factOf(e));
  const detailsNewer = newerFact(places.detailsVersion, places.detailsAsOf, factOf(e));
  await tx
    .insert(places)
    .values({ placeId: e.data.placeId, ...status, ...described })
    .onConflictDoUpdate({
      target: places.placeId,
      set: { ...setIfNewer(places, statusNewer, status), ...setIfNewer(places, detailsNewer, described) },
    });
}

async function setKit(tx: Tx, e: PlaceFact, kitActive: boolean): Promise<void> {
  const { version, asOf } = factOf(e);
  const values = { kitActive, kitVersion: version, kitAsOf: asOf };
  await tx
    .insert(places)
    .values({ placeId: e.data.placeId, ...values })
    .onConflictDoUpdate({
      target: places.placeId,
      set: values,
      setWhere: newerFact(places.kitVersion, places.kitAsOf, factOf(e)),
    });
}

const placesModel = readModel('places', {
  'place.qualified': (tx, e) =>
    setQualified(tx, e, true, { name: e.data.name, type: e.data.type, communeCode: e.data.communeCode }),
  'place.suspended': (tx, e) => setQualified(tx, e, false),
  'place.revoked': (tx, e) => setQualified(tx, e, false),
  'kit.subscribed': (tx, e) => setKit(tx, e, true),
  'kit.cancelled': (tx, e) => setKit(tx, e, false),
});

const offersModel = readModel('offers', {
  'offer.published': async (tx, { data }) => {
    const values = {
      placeId: data.placeId,
      serviceCode: data.serviceCode,
      categoryCode: data.categoryCode,
      priceCents: data.priceCents,
    };
    await tx
      .insert(offers)
      .values({ offerId: data.offerId, ...values })
      .onConflictDoUpdate({ target: offers.offerId, set: values });
  },
  'offer.withdrawn': async (tx, { data }) => {
    await tx
      .insert(offers)
      .values({ offerId: data.offerId, placeId: data.placeId, withdrawn: true })
      .onConflictDoUpdate({ target: offers.offerId, set: { withdrawn: true } });
  },
});

const kiosksModel = readModel('kiosks', {
  'kiosk.registered': async (tx, { data }) => {
    await tx.insert(kiosks).values({ kioskId: data.kioskId, placeId: data.placeId }).onConflictDoNothing();
  },
  'kiosk.revoked': async (tx, { data }) => {
    await tx
      .insert(kiosks)
      .values({ kioskId: data.kioskId, placeId: data.placeId, revoked: true })
      .onConflictDoUpdate({ target: kiosks.kioskId, set: { revoked: true } });
  },
});

const settledPeriodsModel = readModel('settled-periods', {
  'period.closed': async (tx, { data }) => {
    await tx.insert(settledPeriods).values({ placeId: data.placeId, month: data.month }).onConflictDoNothing();
  },
});

export const readModels = [orderRulesModel, passesModel, placesModel, offersModel, kiosksModel, settledPeriodsModel];
