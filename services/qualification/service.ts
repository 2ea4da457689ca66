import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { contractAction, type ServiceContext } from '@aptic/runtime';
import { places } from './db/schema.ts';
import { findPlace } from './db/places.ts';
import { monthRating, placeRating, placeRatingList } from './db/ratings.ts';

/** Roles that may read bank details unmasked (as on the HTTP side: finance, and admin). */
const BANK_ROLES = new Set(['finance', 'admin']);
/** Roles that may read a place's ratings and comments (as on the HTTP side; a place only its own, checked by the caller). */
const RATING_ROLES = new Set(['place', 'finance', 'support', 'admin']);

const roleOf = (call: { meta: unknown }) => (call.meta as { role?: unknown }).role;

/** Qualification's actions: what other services may ask synchronously. */
export const qualificationActions = (ctx: ServiceContext) => ({
  actions: {
    bankDetails: contractAction('qualification.bankDetails', async ({ placeIds }, call) => {
      const role = roleOf(call);
      if (typeof role !== 'string' || !BANK_ROLES.has(role)) {
        throw new DomainError('finance_only', 'Les coordonnées bancaires ne sont communiquées qu’à la finance.', {
          status: 403,
        });
      }
      const rows = await ctx.db
        .select({ id: places.id, name: places.name, status: places.status, iban: places.iban, bic: places.bic })
        .from(places)
        .where(inArray(places.id, placeIds));
      return {
        places: rows.map((p) => ({
          placeId: p.id,
          name: p.name,
          status: p.status,
          iban: p.iban,
          bic: p.bic,
          fingerprint: p.iban
            ? createHash('sha256')
                .update(`${p.iban}|${p.bic ?? ''}`)
                .digest('hex')
            : null,
        })),
      };
    }),
    placeRatings: contractAction('qualification.placeRatings', async ({ placeId, month, limit, offset }, call) => {
      const role = roleOf(call);
      if (typeof role !== 'string' || !RATING_ROLES.has(role))
        throw new DomainError(
          'ratings_not_allowed',
          'Les avis d’un lieu ne sont communiqués qu’à ce lieu et à l’équipe.',
          {
            status: 403,
          },
        );
      const place = await findPlace(ctx.db, placeId);
      const [figures, period, ratings] = await Promise.all([
        placeRating(ctx.db, place.id),
        month ? monthRating(ctx.db, place.id, month) : null,
        limit > 0 ? placeRatingList(ctx.db, place.id, { limit, offset }) : [],
      ]);
      return {
        placeId: place.id,
        count: figures?.count ?? 0,
        mean: figures?.mean ?? null,
        recentMean: figures?.recentMean ?? null,
        trend: figures?.trend ?? null,
        period,
        ratings,
      };
    }),
  },
});
