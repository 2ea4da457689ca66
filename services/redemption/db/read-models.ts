import { lastRedemptionDay, type EventEnvelope } from '@aptic/contracts';
import { oneByOne, placeFact, upsertNewer, type Tx } from '@aptic/runtime';
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

const orderRulesModel = oneByOne('order-rules', {
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

const passesModel = oneByOne('passes', {
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

/** The events that carry a fact about a place. */
type PlaceFact = EventEnvelope<
  'place.qualified' | 'place.suspended' | 'place.revoked' | 'kit.subscribed' | 'kit.cancelled'
>;

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
  const fact = placeFact(e);
  const { version, asOf } = fact;
  await upsertNewer(tx, places, places.placeId, { placeId: e.data.placeId }, fact, [
    {
      version: places.qualifiedVersion,
      asOf: places.qualifiedAsOf,
      values: { qualified, qualifiedVersion: version, qualifiedAsOf: asOf },
    },
    {
      version: places.detailsVersion,
      asOf: places.detailsAsOf,
      values: details ? { ...details, detailsVersion: version, detailsAsOf: asOf } : {},
    },
  ]);
}

async function setKit(tx: Tx, e: PlaceFact, kitActive: boolean): Promise<void> {
  const fact = placeFact(e);
  await upsertNewer(tx, places, places.placeId, { placeId: e.data.placeId }, fact, [
    {
      version: places.kitVersion,
      asOf: places.kitAsOf,
      values: { kitActive, kitVersion: fact.version, kitAsOf: fact.asOf },
    },
  ]);
}

const placesModel = oneByOne('places', {
  'place.qualified': (tx, e) =>
    setQualified(tx, e, true, { name: e.data.name, type: e.data.type, communeCode: e.data.communeCode }),
  'place.suspended': (tx, e) => setQualified(tx, e, false),
  'place.revoked': (tx, e) => setQualified(tx, e, false),
  'kit.subscribed': (tx, e) => setKit(tx, e, true),
  'kit.cancelled': (tx, e) => setKit(tx, e, false),
});

const offersModel = oneByOne('offers', {
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

const kiosksModel = oneByOne('kiosks', {
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

const settledPeriodsModel = oneByOne('settled-periods', {
  'period.closed': async (tx, { data }) => {
    await tx.insert(settledPeriods).values({ placeId: data.placeId, month: data.month }).onConflictDoNothing();
  },
});

export const readModels = [orderRulesModel, passesModel, placesModel, offersModel, kiosksModel, settledPeriodsModel];
