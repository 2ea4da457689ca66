import { randomUUID } from 'node:crypto';
import { and, avg, count, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { DomainError, type EventEnvelope } from '@aptic/contracts';
import type { ConsumerDefinition, Emit, Queryable, Tx } from '@aptic/runtime';
import { assertChangeable, assertActive, ALERT_WINDOW, placeFigures, type RatingForm } from '../domain/rating.ts';
import { audit } from './audit.ts';
import { placeRatings, places, ratedActs, ratedOffers, ratings } from './schema.ts';

export type Rating = typeof ratings.$inferSelect;
/** A redeemed pass's act as the rating page shows it, with its rating if it has one. */
export type RatedAct = {
  redemptionId: string;
  passId: string;
  orderId: string;
  funderId: string;
  placeId: string;
  offerId: string;
  redeemedAt: Date;
  placeName: string | null;
  serviceCode: string | null;
  categoryCode: string | null;
  rating: Rating | null;
};

// ---------------------------------------------------------------------------------------------
// Facts from redemption and catalogue

/** pass.redeemed: the act, unless its cancellation came first (then the cancellation stays). */
async function recordRedemptions(tx: Tx, events: EventEnvelope<'pass.redeemed'>[]): Promise<void> {
  const rows = events.map(({ data: d }) => ({
    redemptionId: d.redemptionId,
    passId: d.passId,
    orderId: d.orderId,
    funderId: d.funderId,
    placeId: d.placeId,
    offerId: d.offerId,
    redeemedAt: new Date(d.scannedAt),
  }));
  const set = { orderId: sql`excluded.order_id`, funderId: sql`excluded.funder_id`, placeId: sql`excluded.place_id` };
  await tx
    .insert(ratedActs)
    .values(rows)
    .onConflictDoUpdate({
      target: ratedActs.redemptionId,
      set: { ...set, offerId: sql`excluded.offer_id`, redeemedAt: sql`excluded.redeemed_at` },
    });
}

async function recordOffers(tx: Tx, events: EventEnvelope<'offer.published'>[]): Promise<void> {
  const rows = events.map(({ data: d }) => ({
    offerId: d.offerId,
    placeId: d.placeId,
    serviceCode: d.serviceCode,
    categoryCode: d.categoryCode,
  }));
  await tx.insert(ratedOffers).values(rows).onConflictDoNothing();
}

/** A cancelled redemption takes its rating back: withdrawn, announced, the place's figures again. */
async function recordCancellations(
  tx: Tx,
  events: EventEnvelope<'redemption.cancelled'>[],
  emit: Emit,
  threshold: number,
): Promise<void> {
  for (const { id, data } of events) {
    await tx
      .insert(ratedActs)
      .values({ redemptionId: data.redemptionId, passId: data.passId, cancelledAt: new Date() })
      .onConflictDoUpdate({ target: ratedActs.redemptionId, set: { cancelledAt: new Date() } });
    const [rating] = await tx
      .select()
      .from(ratings)
      .where(and(eq(ratings.redemptionId, data.redemptionId), eq(ratings.status, 'active')))
      .for('update');
    if (rating) await withdraw(tx, emit, rating, `system: redemption.cancelled ${id}`, threshold);
  }
}

async function withdraw(tx: Tx, emit: Emit, rating: Rating, actor: string, threshold: number): Promise<void> {
  assertActive(rating.status);
  const revision = rating.revision + 1;
  await tx
    .update(ratings)
    .set({ status: 'withdrawn', revision, updatedAt: new Date() })
    .where(eq(ratings.id, rating.id));
  const reason = 'Passage annulé';
  await audit(tx, {
    entity: 'rating',
    entityId: rating.id,
    scopeId: rating.placeId,
    action: 'withdraw',
    actor,
    fromStatus: 'active',
    toStatus: 'withdrawn',
    details: { reason },
  });
  await emit('rating.withdrawn', {
    ratingId: rating.id,
    revision,
    redemptionId: rating.redemptionId,
    placeId: rating.placeId,
    funderId: rating.funderId,
    reason,
  });
  await refreshPlace(tx, rating.placeId, threshold);
}

/** The durable consumers that tell qualification which acts passes paid for, and which were cancelled. */
export function ratingConsumers(threshold: number) {
  const redemptions: ConsumerDefinition<'pass.redeemed'> = {
    name: 'rating-redemptions',
    events: ['pass.redeemed'],
    apply: recordRedemptions,
  };
  const cancellations: ConsumerDefinition<'redemption.cancelled'> = {
    name: 'rating-cancellations',
    events: ['redemption.cancelled'],
    apply: (tx, events, emit) => recordCancellations(tx, events, emit, threshold),
  };
  const offers: ConsumerDefinition<'offer.published'> = {
    name: 'rating-offers',
    events: ['offer.published'],
    apply: recordOffers,
  };
  return [redemptions, cancellations, offers];
}

// ---------------------------------------------------------------------------------------------
// The rating page

/** The pass's act in force (its latest redemption not cancelled), with its rating; null if none. */
export async function actOfPass(db: Queryable, passId: string): Promise<RatedAct | null> {
  const [row] = await db
    .select({
      act: ratedActs,
      placeName: places.name,
      serviceCode: ratedOffers.serviceCode,
      categoryCode: ratedOffers.categoryCode,
      rating: ratings,
    })
    .from(ratedActs)
    .leftJoin(places, eq(places.id, ratedActs.placeId))
    .leftJoin(ratedOffers, eq(ratedOffers.offerId, ratedActs.offerId))
    .leftJoin(ratings, eq(ratings.redemptionId, ratedActs.redemptionId))
    .where(and(eq(ratedActs.passId, passId), isNull(ratedActs.cancelledAt), isNotNull(ratedActs.redeemedAt)))
    .orderBy(desc(ratedActs.redeemedAt))
    .limit(1);
  if (!row) return null;
  const { act } = row;
  return {
    redemptionId: act.redemptionId,
    passId: act.passId,
    orderId: act.orderId!,
    funderId: act.funderId!,
    placeId: act.placeId!,
    offerId: act.offerId!,
    redeemedAt: act.redeemedAt!,
    placeName: row.placeName,
    serviceCode: row.serviceCode,
    categoryCode: row.categoryCode,
    rating: row.rating,
  };
}

/**
 * Records the beneficiary's rating of an act, or its change within the window: one row per
 * redemption (the unique index decides two first ratings at once), a revision per change,
 * `service.rated` each time, the place's figures again.
 */
export async function saveRating(
  tx: Tx,
  emit: Emit,
  act: RatedAct,
  form: RatingForm,
  threshold: number,
): Promise<Rating> {
  const now = new Date();
  const [current] = await tx.select().from(ratings).where(eq(ratings.redemptionId, act.redemptionId)).for('update');
  if (current) {
    assertActive(current.status);
    assertChangeable(current.ratedAt, now);
  }
  const values = { score: form.score, wouldReturn: form.wouldReturn, comment: form.comment, updatedAt: now };
  const [saved] = current
    ? await tx
        .update(ratings)
        .set({ ...values, revision: current.revision + 1 })
        .where(eq(ratings.id, current.id))
        .returning()
    : await tx
        .insert(ratings)
        .values({
          ...values,
          id: randomUUID(),
          redemptionId: act.redemptionId,
          passId: act.passId,
          placeId: act.placeId,
          offerId: act.offerId,
          funderId: act.funderId,
          status: 'active',
          revision: 1,
          ratedAt: now,
        })
        .onConflictDoNothing()
        .returning();
  // Two first ratings of one act at once: the other one is in; this one changes nothing.
  if (!saved)
    throw new DomainError('rating_concurrent', 'Un avis vient d’être enregistré pour ce pass : rechargez la page.', {
      status: 409,
    });
  const rating = saved;
  await audit(tx, {
    entity: 'rating',
    entityId: rating.id,
    scopeId: rating.placeId,
    action: current ? 'change' : 'rate',
    actor: 'beneficiary: rating page',
    toStatus: 'active',
    ...(current ? { fromStatus: 'active' } : {}),
    details: { score: form.score, wouldReturn: form.wouldReturn, comment: form.comment !== null },
  });
  await emit('service.rated', {
    ratingId: rating.id,
    revision: rating.revision,
    redemptionId: act.redemptionId,
    passId: act.passId,
    orderId: act.orderId,
    funderId: act.funderId,
    placeId: act.placeId,
    offerId: act.offerId,
    serviceCode: act.serviceCode ?? 'inconnu',
    score: rating.score,
    wouldReturn: rating.wouldReturn,
    redeemedAt: act.redeemedAt.toISOString(),
    ratedAt: rating.ratedAt.toISOString(),
  });
  await refreshPlace(tx, act.placeId, threshold);
  return rating;
}

// ---------------------------------------------------------------------------------------------
// Each place's figures and alert

/**
 * Computes the place's figures again from its active ratings; a change of its alert is audited.
 * The place's lock comes first: two ratings of one place saved at once each count only their own
 * until the other commits, so the second waits here, and its reads below (new statements, a fresh
 * snapshot) then count both. Taken after the reads, the second would write the first's figures.
 */
async function refreshPlace(tx: Tx, placeId: string, threshold: number): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('qualification.place-rating:' || ${placeId}))`);
  const active = and(eq(ratings.placeId, placeId), eq(ratings.status, 'active'));
  const [overall] = await tx
    .select({ count: count(), mean: avg(ratings.score) })
    .from(ratings)
    .where(active);
  const newest = await tx
    .select({ score: ratings.score })
    .from(ratings)
    .where(active)
    .orderBy(desc(ratings.ratedAt), desc(ratings.id))
    .limit(2 * ALERT_WINDOW);
  const figures = placeFigures(
    { count: overall!.count, mean: overall!.mean === null ? null : Number(overall!.mean) },
    newest.map((r) => r.score),
    threshold,
  );
  const [before] = await tx.select().from(placeRatings).where(eq(placeRatings.placeId, placeId)).for('update');
  const now = new Date();
  const flaggedAt = figures.flagged ? (before?.flagged ? before.flaggedAt : now) : null;
  const row = { ...figures, flaggedAt, updatedAt: now };
  await tx
    .insert(placeRatings)
    .values({ placeId, ...row })
    .onConflictDoUpdate({ target: placeRatings.placeId, set: row });
  if ((before?.flagged ?? false) !== figures.flagged)
    await audit(tx, {
      entity: 'place',
      entityId: placeId,
      scopeId: placeId,
      action: figures.flagged ? 'rating_alert' : 'rating_alert_cleared',
      actor: 'system: ratings',
      details: { recentMean: figures.recentMean, threshold },
    });
}

export async function placeRating(db: Queryable, placeId: string) {
  const [row] = await db.select().from(placeRatings).where(eq(placeRatings.placeId, placeId));
  return row ?? null;
}

/** A place's active ratings, newest first: what staff and the place read (never who wrote them). */
export async function placeRatingList(db: Queryable, placeId: string, page: { limit: number; offset: number }) {
  const rows = await db
    .select({
      score: ratings.score,
      wouldReturn: ratings.wouldReturn,
      comment: ratings.comment,
      serviceCode: ratedOffers.serviceCode,
      ratedAt: ratings.ratedAt,
      updatedAt: ratings.updatedAt,
    })
    .from(ratings)
    .leftJoin(ratedOffers, eq(ratedOffers.offerId, ratings.offerId))
    .where(and(eq(ratings.placeId, placeId), eq(ratings.status, 'active')))
    .orderBy(desc(ratings.ratedAt), desc(ratings.id))
    .limit(page.limit)
    .offset(page.offset);
  return rows.map((r) => ({ ...r, ratedAt: r.ratedAt.toISOString(), updatedAt: r.updatedAt.toISOString() }));
}

/** The active ratings first given at a place in a month of Paris time (a statement's period): how many, their mean. */
export async function monthRating(db: Queryable, placeId: string, month: string) {
  const start = sql`(${`${month}-01`}::date)::timestamp AT TIME ZONE 'Europe/Paris'`;
  const end = sql`(${`${month}-01`}::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Paris'`;
  const [row] = await db
    .select({ count: count(), mean: avg(ratings.score) })
    .from(ratings)
    .where(
      and(
        eq(ratings.placeId, placeId),
        eq(ratings.status, 'active'),
        sql`${ratings.ratedAt} >= ${start} AND ${ratings.ratedAt} < ${end}`,
      ),
    );
  const mean = row?.mean == null ? null : Math.round(Number(row.mean) * 100) / 100;
  return { month, count: row?.count ?? 0, mean };
}

/** Places whose latest ratings' mean is under the threshold (the staff's alert), longest flagged first. */
export function flaggedPlaces(db: Queryable) {
  return db
    .select({ placeRating: placeRatings, name: places.name })
    .from(placeRatings)
    .leftJoin(places, eq(places.id, placeRatings.placeId))
    .where(eq(placeRatings.flagged, true))
    .orderBy(placeRatings.flaggedAt);
}

export async function flaggedCount(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: count() }).from(placeRatings).where(eq(placeRatings.flagged, true));
  return row?.n ?? 0;
}
