import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Emit, Queryable, Tx } from '@aptic/runtime';
import { checkDuration, checkPrice, REGULATED_PRICE_CENTS } from '../domain/money.ts';
import { offerableService } from './referentiel.ts';
import { qualifiedPlace } from './places.ts';
import { offers, places } from './schema.ts';

export type Offer = typeof offers.$inferSelect;

export interface OfferInput {
  serviceCode: string;
  priceCents?: number | undefined;
  durationMinutes?: number | undefined;
  group?: boolean | undefined;
}

const duplicate = () =>
  new DomainError(
    'duplicate_offer',
    'Ce lieu propose déjà ce service dans ce format (individuel ou collectif) : modifiez l’offre existante.',
    { status: 409, field: 'serviceCode' },
  );

/**
 * Inserts an offer and announces it. The partial unique index (one active offer per place,
 * service and format) is the arbiter: two concurrent publications cannot both win.
 */
export async function insertOffer(
  tx: Tx,
  emit: Emit,
  values: Omit<Offer, 'id' | 'publishedAt' | 'withdrawnAt'>,
): Promise<Offer | undefined> {
  const [row] = await tx
    .insert(offers)
    .values({ id: randomUUID(), ...values })
    .onConflictDoNothing()
    .returning();
  if (!row) return undefined;
  await emit('offer.published', {
    offerId: row.id,
    placeId: row.placeId,
    serviceCode: row.serviceCode,
    categoryCode: row.categoryCode,
    priceCents: row.priceCents,
    group: row.group,
  });
  return row;
}

/** A qualified place lists a service of the référentiel; price defaults to the regulated 10 €. */
export async function publishOffer(
  tx: Tx,
  emit: Emit,
  placeId: string,
  input: OfferInput,
  actor: string,
): Promise<Offer> {
  const priceCents = checkPrice(input.priceCents ?? REGULATED_PRICE_CENTS);
  const service = await offerableService(tx, input.serviceCode);
  const durationMinutes = checkDuration(input.durationMinutes ?? service.durationMinutes);
  await qualifiedPlace(tx, placeId);
  const row = await insertOffer(tx, emit, {
    placeId,
    serviceCode: service.code,
    categoryCode: service.categoryCode,
    priceCents,
    durationMinutes,
    group: input.group ?? service.group,
    replaces: null,
    publishedBy: actor,
  });
  if (!row) throw duplicate();
  await touchPlace(tx, placeId);
  return row;
}

async function activeOffer(tx: Tx, offerId: string): Promise<Offer> {
  const [row] = await tx.select().from(offers).where(eq(offers.id, offerId)).for('update');
  if (!row) throw new DomainError('unknown_offer', 'Offre inconnue.', { status: 404, field: 'offerId' });
  if (row.withdrawnAt)
    throw new DomainError('offer_withdrawn', 'Cette offre a déjà été retirée ou remplacée.', {
      status: 409,
      field: 'offerId',
    });
  return row;
}

/** A staff change of a place's offers is the platform's own change of the place (the export's date_maj). */
async function touchPlace(tx: Tx, placeId: string): Promise<void> {
  await tx.update(places).set({ platformChangedAt: new Date() }).where(eq(places.id, placeId));
}

async function markWithdrawn(tx: Tx, emit: Emit, offer: Offer): Promise<void> {
  await tx.update(offers).set({ withdrawnAt: new Date() }).where(eq(offers.id, offer.id));
  await touchPlace(tx, offer.placeId);
  await emit('offer.withdrawn', { offerId: offer.id, placeId: offer.placeId });
}

/**
 * Changing an offer publishes a new version (new offerId) and withdraws the old one: redemptions
 * made under the old price keep pointing at the offer as it was.
 */
export async function changeOffer(
  tx: Tx,
  emit: Emit,
  offerId: string,
  changes: Omit<OfferInput, 'serviceCode'>,
  actor: string,
): Promise<Offer> {
  const old = await activeOffer(tx, offerId);
  await qualifiedPlace(tx, old.placeId);
  const next = {
    priceCents: changes.priceCents === undefined ? old.priceCents : checkPrice(changes.priceCents),
    durationMinutes:
      changes.durationMinutes === undefined ? old.durationMinutes : checkDuration(changes.durationMinutes),
    group: changes.group ?? old.group,
  };
  if (next.priceCents === old.priceCents && next.durationMinutes === old.durationMinutes && next.group === old.group) {
    throw new DomainError('offer_unchanged', 'Rien ne change dans cette offre.', { status: 409 });
  }
  await markWithdrawn(tx, emit, old);
  const row = await insertOffer(tx, emit, {
    placeId: old.placeId,
    serviceCode: old.serviceCode,
    categoryCode: old.categoryCode,
    ...next,
    replaces: old.id,
    publishedBy: actor,
  });
  if (!row) throw duplicate();
  return row;
}

export async function withdrawOffer(tx: Tx, emit: Emit, offerId: string): Promise<Offer> {
  const old = await activeOffer(tx, offerId);
  await markWithdrawn(tx, emit, old);
  return { ...old, withdrawnAt: new Date() };
}

export async function listOffers(db: Queryable, placeId: string, history: boolean): Promise<Offer[]> {
  return db
    .select()
    .from(offers)
    .where(history ? eq(offers.placeId, placeId) : and(eq(offers.placeId, placeId), isNull(offers.withdrawnAt)))
    .orderBy(offers.serviceCode, offers.group, sql`${offers.publishedAt} DESC`);
}
