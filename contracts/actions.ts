import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Uuid } from './primitives.ts';
import { FunderKind } from './events.ts';

/** One rating as staff and the place read it: its comment, never the pass nor who wrote it. */
export const PlaceRatingEntry = Type.Object({
  score: Type.Integer(),
  wouldReturn: Type.Boolean(),
  comment: Type.Union([Type.String(), Type.Null()]),
  serviceCode: Type.Union([Type.String(), Type.Null()]),
  ratedAt: Type.String(),
  updatedAt: Type.String(),
});

/** Where a place of catalogue's directory is (null: a part its import did not give). */
const PlaceLocation = {
  communeCode: Type.Union([Type.String(), Type.Null()]),
  communeName: Type.String(),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  latitude: Type.Union([Type.Number(), Type.Null()]),
  longitude: Type.Union([Type.Number(), Type.Null()]),
};

/**
 * Request/response actions between services (Moleculer over NATS).
 * Each has a params schema checked where the call enters the serving process, and a response schema.
 */
export const Actions = {
  'ordering.getFunder': {
    params: Type.Object({ funderId: Uuid }, { additionalProperties: false }),
    response: Type.Object({ funderId: Uuid, name: Type.String(), kind: FunderKind, siret: Type.String() }),
  },
  /**
   * An order's logo as uploaded for print (the cover's, else the passes'), for the white-label
   * activity report of a Premium funder; null when the order has none.
   */
  'printing.orderLogo': {
    params: Type.Object({ orderId: Uuid }, { additionalProperties: false }),
    response: Type.Union([Type.Object({ mime: Type.String(), base64: Type.String() }), Type.Null()]),
  },
  /**
   * The pass a feedback code (code avis, contracts' feedback-code.ts) names, for qualification's
   * rating page: printing alone holds the key that checks the code. null for a code it did not make.
   */
  'printing.feedbackPass': {
    params: Type.Object({ code: Type.String({ maxLength: 40 }) }, { additionalProperties: false }),
    response: Type.Union([Type.Object({ passId: Uuid, orderId: Uuid }), Type.Null()]),
  },
  /**
   * The qualified places nearest to a commune's centre or to coordinates (printing's cover
   * letters; staff search). `method` says how they were chosen: by distance, or — for a commune
   * whose centre catalogue cannot place — by commune then département, without distances.
   */
  'catalogue.nearbyPlaces': {
    params: Type.Object(
      {
        communeCode: Type.Optional(Type.String({ pattern: '^[0-9][0-9AB][0-9]{3}$' })),
        latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
        longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
        serviceCode: Type.Optional(Type.String({ maxLength: 100 })),
        placeType: Type.Optional(Type.String({ maxLength: 64 })),
        openNow: Type.Optional(Type.Boolean()),
        /** false: the directory's places not (yet) qualified instead — prospects to bring into the scheme */
        qualified: Type.Optional(Type.Boolean({ default: true })),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      method: Type.Union([Type.Literal('distance'), Type.Literal('territory')]),
      places: Type.Array(
        Type.Object({
          placeId: Uuid,
          name: Type.String(),
          type: Type.String(),
          ...PlaceLocation,
          distanceKm: Type.Union([Type.Number(), Type.Null()]),
          openingHours: Type.Union([Type.String(), Type.Null()]),
          openNow: Type.Boolean(),
        }),
      ),
    }),
  },
  /**
   * Finance only (the caller passes its role in `meta.role`): the places' qualification status and
   * bank details, asked at payout time so that an IBAN never travels in an event. `fingerprint`
   * (a hash of IBAN and BIC) tells whether the details changed since a transfer was rejected.
   */
  'qualification.bankDetails': {
    params: Type.Object(
      { placeIds: Type.Array(Uuid, { minItems: 1, maxItems: 5000 }) },
      { additionalProperties: false },
    ),
    response: Type.Object({
      places: Type.Array(
        Type.Object({
          placeId: Uuid,
          name: Type.String(),
          status: Type.String(),
          iban: Type.Union([Type.String(), Type.Null()]),
          bic: Type.Union([Type.String(), Type.Null()]),
          fingerprint: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
    }),
  },
  /**
   * A place's ratings by beneficiaries as the place itself reads them beside its statements
   * (settlement asks; the caller passes the reader's role in `meta.role`): its figures, the
   * ratings first given in `month` if asked (a statement's period, Paris time), and its ratings
   * with their comments, newest first — never the pass, the redemption nor the funder. 404 for a
   * place qualification does not know.
   */
  'qualification.placeRatings': {
    params: Type.Object(
      {
        placeId: Uuid,
        month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
        limit: Type.Integer({ minimum: 0, maximum: 500 }),
        offset: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      placeId: Uuid,
      count: Type.Integer(),
      mean: Type.Union([Type.Number(), Type.Null()]),
      recentMean: Type.Union([Type.Number(), Type.Null()]),
      trend: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('stable'), Type.Null()]),
      period: Type.Union([
        Type.Object({ month: Type.String(), count: Type.Integer(), mean: Type.Union([Type.Number(), Type.Null()]) }),
        Type.Null(),
      ]),
      ratings: Type.Array(PlaceRatingEntry),
    }),
  },
  /**
   * A place of catalogue's directory as the open data described it (qualification pre-fills the
   * application of a place it invites). 404 for an unknown place.
   */
  'catalogue.directoryPlace': {
    params: Type.Object({ placeId: Uuid }, { additionalProperties: false }),
    response: Type.Object({
      placeId: Uuid,
      status: Type.Union(['not_qualified', 'qualified', 'suspended', 'revoked'].map((s) => Type.Literal(s))),
      name: Type.String(),
      type: Type.String(),
      pivot: Type.Union([Type.String(), Type.Null()]),
      ...PlaceLocation,
      openingHours: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  /**
   * Passes of a carnet redeemed now (net of cancellations): printing asks before it records the
   * renewal of a 5-pass carnet, which needs at least one of them used.
   */
  'redemption.carnetUsage': {
    params: Type.Object({ orderId: Uuid, carnetNumber: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
    response: Type.Object({ redeemed: Type.Integer({ minimum: 0 }) }),
  },
  'analytics.funderCounts': {
    params: Type.Object({}, { additionalProperties: false }),
    response: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }),
  },
} satisfies Record<string, { params: TSchema; response: TSchema }>;

export type ActionName = keyof typeof Actions;
export type ActionParams<A extends ActionName> = Static<(typeof Actions)[A]['params']>;
export type ActionResponse<A extends ActionName> = Static<(typeof Actions)[A]['response']>;
