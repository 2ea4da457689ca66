/**
 * What staff and places read of the ratings: a place's figures beside its questionnaire score, its
 * ratings with their comments (never who wrote them), and the places under the alert threshold.
 */
import { Type } from '@sinclair/typebox';
import { DomainError, PlaceRatingEntry, Refusal, Uuid } from '@aptic/contracts';
import { ownerRoute, PageQuery, pageOf, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { findPlace } from '../db/places.ts';
import { latestAssessment } from '../db/qualification.ts';
import { flaggedPlaces, placeRating, placeRatingList } from '../db/ratings.ts';
import { ALERT_WINDOW } from '../domain/rating.ts';

const Mean = Type.Union([Type.Number(), Type.Null()]);
const Figures = {
  count: Type.Integer(),
  mean: Mean,
  recentMean: Mean,
  previousMean: Mean,
  trend: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('stable'), Type.Null()]),
  flagged: Type.Boolean(),
  flaggedAt: Type.Union([Type.String(), Type.Null()]),
};
const PlaceRatingsView = Type.Object({
  placeId: Uuid,
  questionnaireScore: Type.Union([Type.Integer(), Type.Null()]),
  ...Figures,
  alert: Type.Object({ threshold: Type.Number(), window: Type.Integer() }),
  ratings: Type.Array(PlaceRatingEntry),
});
const AlertView = Type.Object({ placeId: Uuid, name: Type.Union([Type.String(), Type.Null()]), ...Figures });

const noFigures = {
  count: 0,
  mean: null,
  recentMean: null,
  previousMean: null,
  trend: null,
  flagged: false,
  flaggedAt: null,
};
const noPlace = () => new DomainError('unknown_place', 'Lieu inconnu.', { status: 404, field: 'placeId' });

export function ratingStaffRoutes(threshold: number) {
  return (app: AdminApp, ctx: ServiceContext): void => {
    ownerRoute(
      app,
      '/places/:id/ratings',
      {
        roles: ['support', 'finance', 'place'],
        summary: 'A place’s ratings by beneficiaries: figures, alert, comments (a place token: its own place only)',
        owner: 'place',
        notFound: noPlace,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: PlaceRatingsView, 404: Refusal },
      },
      async (id, request) => {
        const place = await findPlace(ctx.db, id);
        const [figures, assessment, list] = await Promise.all([
          placeRating(ctx.db, place.id),
          latestAssessment(ctx.db, place.id),
          placeRatingList(ctx.db, place.id, pageOf(request.query)),
        ]);
        return {
          placeId: place.id,
          questionnaireScore: assessment?.overallScore ?? null,
          ...noFigures,
          ...(figures ? { ...figures, flaggedAt: figures.flaggedAt?.toISOString() ?? null } : {}),
          alert: { threshold, window: ALERT_WINDOW },
          ratings: list,
        };
      },
    );
    app.get(
      '/rating-alerts',
      {
        config: { roles: ['support'] },
        schema: {
          summary: `Places whose mean over their latest ${ALERT_WINDOW} ratings is under the alert threshold`,
          response: { 200: Type.Array(AlertView) },
        },
      },
      async () =>
        (await flaggedPlaces(ctx.db)).map(({ placeRating: r, name }) => ({
          ...r,
          name,
          flaggedAt: r.flaggedAt?.toISOString() ?? null,
        })),
    );
  };
}
