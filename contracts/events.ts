import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Uuid, Cents, PositiveCents, Instant, BusinessDate, Siret } from './primitives.ts';
import { CommuneCode, UsageRules } from './rules.ts';
import { DenialReason } from './kiosk.ts';

export const FunderKinds = [
  'collectivite',
  'public_body',
  'ccas',
  'company',
  'foundation',
  'chamber',
  'association',
] as const;
export const FunderKind = Type.Union(FunderKinds.map((k) => Type.Literal(k)));
export type FunderKind = (typeof FunderKinds)[number];

export const Offers = ['standard', 'plus', 'premium'] as const;
export const Offer = Type.Union(Offers.map((o) => Type.Literal(o)));
export type Offer = (typeof Offers)[number];

export const CarnetSize = Type.Union([Type.Literal(5), Type.Literal(10)]);

/** Kit subscription: 7 € HT a month, or 77 € HT a year (one month free). */
export const KitPlan = Type.Union([Type.Literal('monthly'), Type.Literal('yearly')]);

/**
 * Every durable domain event: its data schema, keyed by event type.
 * The subject on the wire is `<prefix>.events.<type>` (see subjects.ts).
 */
/**
 * The place's own sequence, one step per event about it (qualification numbers them in the
 * transaction that changes the place): read models apply a fact only if newer than what they hold,
 * whatever order events arrive or are replayed in. Absent on events published before it existed.
 */
const PlaceVersion = Type.Optional(Type.Integer({ minimum: 1 }));

export const EventData = {
  /** ordering: a funder (commanditaire) was registered. */
  'funder.created': Type.Object({
    funderId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: FunderKind,
    siret: Siret,
  }),
  /** ordering: the face value of an order is covered; printing may start. */
  'order.paid': Type.Object({
    orderId: Uuid,
    funderId: Uuid,
    /** Printed on every pass ("Offert par …"). */
    funderName: Type.String({ minLength: 1, maxLength: 200 }),
    offer: Offer,
    carnetSize: CarnetSize,
    carnets: Type.Integer({ minimum: 1 }),
    faceValueCents: PositiveCents,
    options: Type.Array(Type.String()),
    rules: UsageRules,
  }),
  /** ordering: the unused face value of an ended order returned as a credit note (avoir). */
  'credit_note.issued': Type.Object({
    creditNoteId: Uuid,
    funderId: Uuid,
    orderId: Uuid,
    number: Type.String(),
    amountCents: PositiveCents,
  }),
  /** ordering: a funder pays the kit subscription of chosen places. */
  'kit.sponsored': Type.Object({
    funderId: Uuid,
    placeIds: Type.Array(Uuid, { minItems: 1 }),
    from: BusinessDate,
    until: BusinessDate,
  }),
  /** printing: passes issued for an order, in chunks (one event per chunk of carnets). */
  'passes.issued': Type.Object({
    orderId: Uuid,
    funderId: Uuid,
    chunk: Type.Object({ index: Type.Integer({ minimum: 0 }), of: Type.Integer({ minimum: 1 }) }),
    passes: Type.Array(
      Type.Object({
        passId: Uuid,
        /** passLookupHash of the code: the code itself is never in an event. */
        codeHash: Type.String({ pattern: '^[0-9a-f]{32}$' }),
        carnetNumber: Type.Integer({ minimum: 1 }),
        position: Type.Integer({ minimum: 1, maximum: 10 }),
      }),
      { maxItems: 5000 },
    ),
  }),
  /** printing: carnets received at their delivery point (or handed out): their passes become redeemable. */
  'passes.released': Type.Object({
    orderId: Uuid,
    carnetNumbers: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }),
    releasedAt: Instant,
  }),
  /**
   * printing: a prescripteur handed a carnet out to a beneficiary. Data minimisation: no name, no
   * address, no date of birth — only the public (one of the order's target publics) and the commune
   * of residence, both optional (test/printing/distribution.int.test.ts checks the fields).
   */
  'carnet.handed_out': Type.Object(
    {
      handOutId: Uuid,
      orderId: Uuid,
      funderId: Uuid,
      prescriberId: Uuid,
      /** The prescripteur organisation's name, for the funder's figures per prescripteur. */
      prescriberName: Type.String({ minLength: 1, maxLength: 200 }),
      carnetNumber: Type.Integer({ minimum: 1 }),
      carnetSize: CarnetSize,
      handedOutAt: Instant,
      /** When its print job was delivered, if it was (the delay delivery → hand-out). */
      deliveredAt: Type.Optional(Instant),
      publicCode: Type.Optional(Type.String({ maxLength: 64 })),
      communeCode: Type.Optional(CommuneCode),
      /** The 5-pass carnet this one renews (once, after at least one of its passes was used). */
      renewsCarnetNumber: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
  /** printing: a carnet or a pass declared lost or stolen. */
  'passes.blocked': Type.Object({
    orderId: Uuid,
    carnetNumber: Type.Integer({ minimum: 1 }),
    passIds: Type.Array(Uuid),
    reason: Type.String({ maxLength: 500 }),
  }),
  /** printing: a proof (BAT) went unanswered for 7 days: remind the funder, send a new one. */
  'proof.expired': Type.Object({ proofId: Uuid, orderId: Uuid, funderId: Uuid, version: Type.Integer({ minimum: 1 }) }),
  /** qualification: a place may accept passes. */
  'place.qualified': Type.Object({
    placeId: Uuid,
    placeVersion: PlaceVersion,
    name: Type.String(),
    type: Type.String(),
    communeCode: Type.String(),
    epciCode: Type.Optional(Type.String()),
    departementCode: Type.String(),
    /** Opening hours in OSM syntax (catalogue's "open now" filter), when known. */
    openingHours: Type.Optional(Type.String({ maxLength: 1000 })),
    /** WGS84 position of the place (catalogue's nearby search), when known. */
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    /** Street address and postal code (catalogue's directory and open-data export), when known. */
    address: Type.Optional(Type.String({ maxLength: 500 })),
    postalCode: Type.Optional(Type.String({ pattern: '^[0-9]{5}$' })),
  }),
  'place.suspended': Type.Object({ placeId: Uuid, placeVersion: PlaceVersion, reason: Type.String() }),
  'place.revoked': Type.Object({ placeId: Uuid, placeVersion: PlaceVersion, reason: Type.String() }),
  /**
   * qualification: the place subscribed the kit (reader + communication kit): it may endorse
   * passes. Billing starts later, at its first scan (`kit.activated`).
   */
  'kit.subscribed': Type.Object({
    placeId: Uuid,
    placeVersion: PlaceVersion,
    plan: KitPlan,
    sponsoredBy: Type.Optional(Uuid),
  }),
  /** qualification: the first scan happened; the subscription is billed from this instant. */
  'kit.activated': Type.Object({ placeId: Uuid, placeVersion: PlaceVersion, plan: KitPlan, from: Instant }),
  /** qualification: the subscription ended; the place can no longer endorse passes. */
  'kit.cancelled': Type.Object({ placeId: Uuid, placeVersion: PlaceVersion, at: Instant, reason: Type.String() }),
  /** qualification: a kiosk was registered or revoked. */
  'kiosk.registered': Type.Object({ kioskId: Uuid, placeId: Uuid }),
  'kiosk.revoked': Type.Object({ kioskId: Uuid, placeId: Uuid }),
  /** catalogue: a place's offer of a service (as it was at that moment). */
  'offer.published': Type.Object({
    offerId: Uuid,
    placeId: Uuid,
    serviceCode: Type.String(),
    categoryCode: Type.String(),
    priceCents: PositiveCents,
    group: Type.Boolean(),
  }),
  'offer.withdrawn': Type.Object({ offerId: Uuid, placeId: Uuid }),
  /** redemption: a pass was accepted for a service act. */
  'pass.redeemed': Type.Object({
    redemptionId: Uuid,
    passId: Uuid,
    orderId: Uuid,
    funderId: Uuid,
    placeId: Uuid,
    kioskId: Uuid,
    offerId: Uuid,
    serviceActId: Uuid,
    faceValueCents: PositiveCents,
    scannedAt: Instant,
    lateUpload: Type.Boolean(),
  }),
  'redemption.cancelled': Type.Object({
    redemptionId: Uuid,
    passId: Uuid,
    orderId: Uuid,
    placeId: Uuid,
    faceValueCents: PositiveCents,
    reason: Type.String(),
  }),
  /**
   * qualification: a beneficiary rated (or changed the rating of) the service act a pass paid for,
   * on the public rating page. `revision` counts the changes (1 for the first): read models keep
   * the highest. The comment stays in qualification (staff and the place only): never in an event.
   */
  'service.rated': Type.Object({
    ratingId: Uuid,
    revision: Type.Integer({ minimum: 1 }),
    redemptionId: Uuid,
    passId: Uuid,
    orderId: Uuid,
    funderId: Uuid,
    placeId: Uuid,
    offerId: Uuid,
    serviceCode: Type.String(),
    score: Type.Integer({ minimum: 1, maximum: 5 }),
    wouldReturn: Type.Boolean(),
    /** When the service act took place (the redemption's scan) and when it was first rated. */
    redeemedAt: Instant,
    ratedAt: Instant,
  }),
  /** qualification: a rating no longer counts: the redemption it was about was cancelled. */
  'rating.withdrawn': Type.Object({
    ratingId: Uuid,
    revision: Type.Integer({ minimum: 2 }),
    redemptionId: Uuid,
    placeId: Uuid,
    funderId: Uuid,
    reason: Type.String({ maxLength: 500 }),
  }),
  /**
   * redemption: the scans of one judged batch that were refused, for the staff's figures by reason
   * (one event per batch, not per scan: the hot path writes one more outbox row at most).
   * No pass code: a denied code may still be a genuine pass.
   */
  'scans.denied': Type.Object({
    scans: Type.Array(
      Type.Object({
        scanId: Uuid,
        kioskId: Uuid,
        placeId: Type.Optional(Uuid),
        offerId: Uuid,
        /** The pass's order and funder, when the code named a known pass. */
        orderId: Type.Optional(Uuid),
        funderId: Type.Optional(Uuid),
        reason: DenialReason,
        scannedAt: Instant,
      }),
      { minItems: 1, maxItems: 10000 },
    ),
  }),
  /**
   * redemption: an order's redemption window closed (its last valid day plus the kiosks' offline
   * limit, Europe/Paris): no pass of it is redeemed or cancelled any more, so these counts are
   * final. Ordering closes the order on it and credits the unredeemed value (credit_note.issued).
   */
  'order.redemption_closed': Type.Object({
    orderId: Uuid,
    funderId: Uuid,
    passCount: Type.Integer({ minimum: 0 }),
    redeemedCount: Type.Integer({ minimum: 0 }),
    unredeemedCount: Type.Integer({ minimum: 0 }),
    unredeemedValueCents: Cents,
    closedAt: Instant,
  }),
  /**
   * settlement: a place's monthly endorsement (endossement) was computed and closed; its
   * redemptions are final. Gross, fee and count go below zero only when cancellations learned
   * after their own month's close outweigh the month's redemptions.
   */
  'period.closed': Type.Object({
    periodId: Uuid,
    month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' }),
    placeId: Uuid,
    grossCents: Cents,
    feeCents: Cents,
    netCents: Cents,
    passCount: Type.Integer(),
  }),
  /**
   * settlement: a payout's status changed (domain/payout.ts): sent in a run's SEPA file, executed
   * or rejected by the bank (ISO 20022 reason code), held with a reason. No bank details.
   */
  'payout.sent': Type.Object({ payoutId: Uuid, placeId: Uuid, month: Type.String(), netCents: Cents, runId: Uuid }),
  'payout.executed': Type.Object({
    payoutId: Uuid,
    placeId: Uuid,
    month: Type.String(),
    netCents: Cents,
    executedOn: BusinessDate,
  }),
  'payout.rejected': Type.Object({
    payoutId: Uuid,
    placeId: Uuid,
    month: Type.String(),
    netCents: Cents,
    reasonCode: Type.String(),
  }),
  'payout.held': Type.Object({
    payoutId: Uuid,
    placeId: Uuid,
    month: Type.String(),
    netCents: Cents,
    reason: Type.String(),
  }),
} satisfies Record<string, TSchema>;

export type EventType = keyof typeof EventData;
export type EventDataOf<T extends EventType> = Static<(typeof EventData)[T]>;
export const EventTypes = Object.keys(EventData) as EventType[];

/** The envelope every durable event travels in; `id` is the idempotency key (Nats-Msg-Id, inbox). */
export const EventEnvelope = Type.Object({
  id: Uuid,
  type: Type.String(),
  occurredAt: Instant,
  producer: Type.String(),
  data: Type.Unknown(),
});
export type EventEnvelope<T extends EventType = EventType> = {
  id: string;
  type: T;
  occurredAt: string;
  producer: string;
  data: EventDataOf<T>;
};
