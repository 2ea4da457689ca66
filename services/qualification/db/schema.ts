import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ScannerMode } from '@aptic/contracts';
import { auditTable, day, eventTables, stamp } from '@aptic/runtime';
import type { PlaceStatus } from '../domain/lifecycle.ts';
import type { Answers, Proposal, Score } from '../domain/questionnaire.ts';
import type { KitPlan, KitStatus } from '../domain/kit.ts';
import type { PlaceAddress } from '../domain/place.ts';
import type { InvitationStatus, Prefill } from '../domain/invitation.ts';
import type { RatingStatus } from '../domain/rating.ts';

export const qualification = pgSchema('qualification');
export const { outbox, inbox } = eventTables(qualification);

/** A médiation place (lieu / APTICulteur); `status` follows domain/lifecycle.ts. */
export const places = qualification.table('place', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** SIRET or RNA: one place per identifier (payouts go to one place per SIRET). */
  pivot: text('pivot').notNull().unique(),
  pivotKind: text('pivot_kind').$type<'siret' | 'rna'>().notNull(),
  type: text('type').notNull(),
  address: jsonb('address').$type<PlaceAddress>().notNull(),
  communeCode: text('commune_code').notNull(),
  epciCode: text('epci_code'),
  departementCode: text('departement_code').notNull(),
  latitude: doublePrecision('latitude').notNull(),
  longitude: doublePrecision('longitude').notNull(),
  /** OpenStreetMap `opening_hours` syntax, checked by the opening_hours library. */
  openingHours: text('opening_hours').notNull(),
  /** Unmasked here; every read but finance's masks it (views.ts). */
  iban: text('iban'),
  bic: text('bic'),
  status: text('status').$type<PlaceStatus>().notNull(),
  /** The place's last event number (`placeVersion`): read models keep only newer facts. */
  eventVersion: integer('event_version').notNull().default(0),
  qualifiedAt: stamp('qualified_at'),
  createdAt: stamp('created_at').notNull().defaultNow(),
  updatedAt: stamp('updated_at').notNull().defaultNow(),
});

/** One answered questionnaire, scored with its own version, and the staff decision on it. */
export const assessments = qualification.table('assessment', {
  id: uuid('id').primaryKey(),
  placeId: uuid('place_id')
    .notNull()
    .references(() => places.id),
  questionnaireVersion: text('questionnaire_version').notNull(),
  answers: jsonb('answers').$type<Answers>().notNull(),
  themeScores: jsonb('theme_scores').$type<Score['themes']>().notNull(),
  overallScore: integer('overall_score').notNull(),
  proposal: text('proposal').$type<Proposal>().notNull(),
  reasons: jsonb('reasons').$type<string[]>().notNull(),
  submittedBy: text('submitted_by').notNull(),
  submittedAt: stamp('submitted_at').notNull().defaultNow(),
  decision: text('decision').$type<'qualified' | 'refused'>(),
  /** Required when staff override the proposal, or decide a `to_review`. */
  decisionReason: text('decision_reason'),
  decidedBy: text('decided_by'),
  decidedAt: stamp('decided_at'),
});

/** The charter (charte #APTIC) signed by the place: version, date, signer. */
export const charterSignatures = qualification.table('charter_signature', {
  id: uuid('id').primaryKey(),
  placeId: uuid('place_id')
    .notNull()
    .references(() => places.id),
  version: text('version').notNull(),
  signedOn: day('signed_on').notNull(),
  signerName: text('signer_name').notNull(),
  signerRole: text('signer_role'),
  recordedBy: text('recorded_by').notNull(),
  recordedAt: stamp('recorded_at').notNull().defaultNow(),
});

/** Kit subscriptions; at most one live (not cancelled) per place. */
export const kits = qualification.table(
  'kit_subscription',
  {
    id: uuid('id').primaryKey(),
    placeId: uuid('place_id')
      .notNull()
      .references(() => places.id),
    plan: text('plan').$type<KitPlan>().notNull(),
    status: text('status').$type<KitStatus>().notNull(),
    /** The funder paying it (ordering's `kit.sponsored`), and until when. */
    sponsoredBy: uuid('sponsored_by'),
    sponsoredUntil: day('sponsored_until'),
    subscribedAt: stamp('subscribed_at').notNull().defaultNow(),
    /** The first scan: billing starts here. */
    activatedAt: stamp('activated_at'),
    cancelledAt: stamp('cancelled_at'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [uniqueIndex('kit_live_per_place').on(t.placeId).where(sql`status <> 'cancelled'`)],
);

/** Kiosks: each has its own NATS user (its public key is what revocation names). */
export const kiosks = qualification.table('kiosk', {
  id: uuid('id').primaryKey(),
  placeId: uuid('place_id')
    .notNull()
    .references(() => places.id),
  name: text('name').notNull(),
  userPublicKey: text('user_public_key').notNull().unique(),
  status: text('status').$type<'active' | 'revoked'>().notNull(),
  registeredBy: text('registered_by').notNull(),
  registeredAt: stamp('registered_at').notNull().defaultNow(),
  revokedBy: text('revoked_by'),
  revokedAt: stamp('revoked_at'),
  revokeReason: text('revoke_reason'),
});

/**
 * The last heartbeat of each kiosk (one row per kiosk, replaced by each newer one): a last-value
 * signal, not an event. `receivedAt` is the platform's clock, what "last seen" means.
 */
export const kioskHeartbeats = qualification.table('kiosk_heartbeat', {
  kioskId: uuid('kiosk_id')
    .primaryKey()
    .references(() => kiosks.id),
  receivedAt: stamp('received_at').notNull(),
  sentAt: stamp('sent_at').notNull(),
  version: text('version').notNull(),
  layout: text('layout').notNull(),
  scannerConnected: boolean('scanner_connected').notNull(),
  scannerModel: text('scanner_model'),
  scannerMode: text('scanner_mode').$type<ScannerMode>(),
  pending: integer('pending').notNull(),
  awaitingVerdict: integer('awaiting_verdict').notNull(),
  journalMax: integer('journal_max').notNull(),
  oldestPendingAgeSeconds: integer('oldest_pending_age_seconds'),
  clockOffsetMs: bigint('clock_offset_ms', { mode: 'number' }),
  /** The kiosk's clean stop: it is offline on purpose, not silent. */
  stopping: boolean('stopping').notNull(),
});

/** Every state change: who, when, what; read by place (scopeId). Append-only. */
export const auditLog = auditTable(qualification);

/**
 * Invitations to apply sent to directory places (prospects); `status` follows
 * domain/invitation.ts, every change audited. `prefill` is the application as the directory row
 * filled it when the place was invited.
 */
export const invitations = qualification.table(
  'invitation',
  {
    id: uuid('id').primaryKey(),
    placeId: uuid('place_id').notNull(),
    status: text('status').$type<InvitationStatus>().notNull(),
    prefill: jsonb('prefill').$type<Prefill>().notNull(),
    invitedBy: text('invited_by').notNull(),
    invitedAt: stamp('invited_at').notNull().defaultNow(),
    reason: text('reason'),
    updatedAt: stamp('updated_at').notNull().defaultNow(),
  },
  // One invitation under way per place; a declined one may be followed by a new one.
  (t) => [uniqueIndex('invitation_open_per_place').on(t.placeId).where(sql`status IN ('invited', 'applied')`)],
);

// ---------------------------------------------------------------------------------------------
// Ratings (avis) of the service acts passes paid for: the facts they are about, learnt from
// redemption's and catalogue's events, the ratings, each place's figures, and the rating page's
// rate limit.

/**
 * A redemption (pass.redeemed), and its cancellation (redemption.cancelled) whichever comes first:
 * the act a rating is about. No pass code: the pass is known by its id only.
 */
export const ratedActs = qualification.table(
  'rated_act',
  {
    redemptionId: uuid('redemption_id').primaryKey(),
    passId: uuid('pass_id').notNull(),
    orderId: uuid('order_id'),
    funderId: uuid('funder_id'),
    placeId: uuid('place_id'),
    offerId: uuid('offer_id'),
    redeemedAt: stamp('redeemed_at'),
    cancelledAt: stamp('cancelled_at'),
  },
  (t) => [index('rated_act_pass').on(t.passId)],
);

/** Catalogue's offers (offer.published), for the service an act was: its référentiel codes. */
export const ratedOffers = qualification.table('rated_offer', {
  offerId: uuid('offer_id').primaryKey(),
  placeId: uuid('place_id').notNull(),
  serviceCode: text('service_code').notNull(),
  categoryCode: text('category_code').notNull(),
});

/** One rating per redemption; `status` follows domain/rating.ts, every change audited. */
export const ratings = qualification.table(
  'rating',
  {
    id: uuid('id').primaryKey(),
    redemptionId: uuid('redemption_id').notNull().unique(),
    passId: uuid('pass_id').notNull(),
    placeId: uuid('place_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    funderId: uuid('funder_id').notNull(),
    score: integer('score').notNull(),
    wouldReturn: boolean('would_return').notNull(),
    /** Shown to staff and to the place, never published nor sent in an event. */
    comment: text('comment'),
    status: text('status').$type<RatingStatus>().notNull(),
    /** Changes so far (service.rated's revision). */
    revision: integer('revision').notNull(),
    ratedAt: stamp('rated_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [index('rating_place_recent').on(t.placeId, t.ratedAt)],
);

/** Each place's rating figures (domain/rating.ts placeFigures), kept in the transaction of each change. */
export const placeRatings = qualification.table('place_rating', {
  placeId: uuid('place_id').primaryKey(),
  count: integer('count').notNull(),
  mean: doublePrecision('mean'),
  recentMean: doublePrecision('recent_mean'),
  previousMean: doublePrecision('previous_mean'),
  trend: text('trend').$type<'up' | 'down' | 'stable'>(),
  flagged: boolean('flagged').notNull(),
  flaggedAt: stamp('flagged_at'),
  updatedAt: stamp('updated_at').notNull(),
});

/**
 * The rating page's tries per bucket (an address's hash, or a code prefix) and window: a counter
 * that every instance shares. Old windows are swept.
 */
export const feedbackAttempts = qualification.table(
  'feedback_attempt',
  {
    bucket: text('bucket').notNull(),
    windowStart: stamp('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);
