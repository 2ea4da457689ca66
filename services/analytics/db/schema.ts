import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { cents, day, eventTables, factColumns, stamp } from '@aptic/runtime';

/**
 * Analytics' read model, built from durable events only. Every row is written so that events of
 * different types may arrive in any order, and an event seen twice changes nothing: facts are
 * keyed by their event's own id (redemption, scan, period), counters move only when a fact changes
 * state, and dimensions are upserts of what the event says.
 *
 * Reporting tables (granted to the funders' and staff's PostgreSQL roles, under row-level security,
 * see 0001_reporting.sql): order_summary, usage_daily, redemption_fact, place, offer, and the
 * staff-only denied_daily, kiosk, period. The others are internal bookkeeping.
 */
export const analytics = pgSchema('analytics');
export const { outbox, inbox } = eventTables(analytics);

/** Read model: funders registered, per kind. */
export const funderCounts = analytics.table('funder_count', {
  kind: text('kind').primaryKey(),
  count: bigint('count', { mode: 'number' }).notNull(),
});

/** Per order: what the funder's dashboard counts, and what the order said when it was paid. */
export const orderSummary = analytics.table(
  'order_summary',
  {
    orderId: uuid('order_id').primaryKey(),
    funderId: uuid('funder_id'),
    funderName: text('funder_name'),
    offer: text('offer'),
    carnetSize: integer('carnet_size'),
    faceValueCents: cents('face_value_cents'),
    validFrom: day('valid_from'),
    /** Last day a pass of the order may be redeemed (31 January after a 31 December validity end). */
    lastRedemptionDay: day('last_redemption_day'),
    paidAt: stamp('paid_at'),
    carnetsIssued: integer('carnets_issued').notNull().default(0),
    passesIssued: integer('passes_issued').notNull().default(0),
    carnetsReleased: integer('carnets_released').notNull().default(0),
    /** Carnets a prescripteur handed out to a beneficiary (carnet.handed_out): the funder's "remis". */
    carnetsHandedOut: integer('carnets_handed_out').notNull().default(0),
    /** Of those, renewals of a 5-pass carnet. */
    carnetsRenewed: integer('carnets_renewed').notNull().default(0),
    passesBlocked: integer('passes_blocked').notNull().default(0),
    /** Carnets with at least one pass redeemed (entamés), net of cancellations. */
    carnetsStarted: integer('carnets_started').notNull().default(0),
    passesRedeemed: integer('passes_redeemed').notNull().default(0),
    redeemedCents: cents('redeemed_cents').notNull().default(0),
    creditNoteCents: cents('credit_note_cents').notNull().default(0),
    /**
     * Redemption's final word (order.redemption_closed): the order's redemption window closed, no
     * pass of it is redeemed any more; its unused passes and their face value, to be credited to the
     * funder (ordering's credit note, credit_note.issued, follows).
     */
    redemptionClosedAt: stamp('redemption_closed_at'),
    passesUnused: integer('passes_unused'),
    unusedCents: cents('unused_cents'),
  },
  (t) => [index('order_summary_funder').on(t.funderId)],
);

/**
 * Rollup: redemptions net of cancellations per Paris day × funder × order × place × offer (hence
 * service, commune). Also indexed by (funder, day) with every column it needs included, for the
 * funders' panels (0005_closed_orders_place_versions.sql: the builder has no INCLUDE).
 */
export const usageDaily = analytics.table(
  'usage_daily',
  {
    day: day('day').notNull(),
    funderId: uuid('funder_id').notNull(),
    orderId: uuid('order_id').notNull(),
    placeId: uuid('place_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    redemptions: integer('redemptions').notNull(),
    cents: cents('cents').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.funderId, t.day, t.orderId, t.placeId, t.offerId] }),
    index('usage_daily_day').on(t.day),
  ],
);

/**
 * One row per redemption: filled by pass.redeemed, stamped by redemption.cancelled, whichever comes
 * first (a cancellation seen first leaves a row with only its id and cancelled_at).
 */
export const redemptionFact = analytics.table(
  'redemption_fact',
  {
    redemptionId: uuid('redemption_id').primaryKey(),
    funderId: uuid('funder_id'),
    orderId: uuid('order_id'),
    passId: uuid('pass_id'),
    placeId: uuid('place_id'),
    kioskId: uuid('kiosk_id'),
    offerId: uuid('offer_id'),
    serviceActId: uuid('service_act_id'),
    faceValueCents: integer('face_value_cents'),
    scannedAt: stamp('scanned_at'),
    lateUpload: boolean('late_upload'),
    cancelledAt: stamp('cancelled_at'),
  },
  (t) => [index('redemption_fact_funder_scanned').on(t.funderId, t.scannedAt)],
);

/** Which carnet a pass belongs to (passes.issued) and how many times it is redeemed now (pass.redeemed, cancellations). */
export const pass = analytics.table('pass', {
  passId: uuid('pass_id').primaryKey(),
  orderId: uuid('order_id').notNull(),
  carnetNumber: integer('carnet_number'),
  redeemed: integer('redeemed').notNull().default(0),
});

/** Passes of a carnet redeemed now: a carnet is started while this is above zero. */
export const carnet = analytics.table(
  'carnet',
  {
    orderId: uuid('order_id').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    redeemed: integer('redeemed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.carnetNumber] })],
);

/**
 * One row per carnet handed out (carnet.handed_out), keyed by its hand-out: who handed it out, for
 * which public and commune of residence, when it was delivered and handed out. Nothing else is
 * known of the beneficiary. Internal: the funder reads it through GET /funders/:id/distribution.
 */
export const handOutFact = analytics.table(
  'hand_out_fact',
  {
    handOutId: uuid('hand_out_id').primaryKey(),
    funderId: uuid('funder_id').notNull(),
    orderId: uuid('order_id').notNull(),
    prescriberId: uuid('prescriber_id').notNull(),
    prescriberName: text('prescriber_name').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    handedOutAt: stamp('handed_out_at').notNull(),
    deliveredAt: stamp('delivered_at'),
    publicCode: text('public_code'),
    communeCode: text('commune_code'),
    renewsCarnetNumber: integer('renews_carnet_number'),
  },
  (t) => [
    index('hand_out_fact_funder').on(t.funderId, t.orderId),
    index('hand_out_fact_carnet').on(t.orderId, t.carnetNumber),
  ],
);

/**
 * Médiation places, as qualification last announced them. Public directory data. A fact applies
 * only if newer than the one held, by the place's version then time (detailsVersion/At for what
 * place.qualified describes, statusVersion/At for the status): a late or replayed older event
 * changes nothing. A place whose suspension came first has its status and no details yet.
 */
export const place = analytics.table('place', {
  placeId: uuid('place_id').primaryKey(),
  name: text('name'),
  type: text('type'),
  communeCode: text('commune_code'),
  epciCode: text('epci_code'),
  departementCode: text('departement_code'),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  ...factColumns('details', 'At'),
  status: text('status').notNull(),
  ...factColumns('status', 'At'),
});

/** Offers of a service by a place (catalogue). Public directory data. */
export const offer = analytics.table('offer', {
  offerId: uuid('offer_id').primaryKey(),
  placeId: uuid('place_id').notNull(),
  serviceCode: text('service_code').notNull(),
  categoryCode: text('category_code').notNull(),
  priceCents: integer('price_cents').notNull(),
  withdrawn: boolean('withdrawn').notNull().default(false),
});

/** Kiosks, with their last accepted scan (staff: kiosks active). */
export const kiosk = analytics.table('kiosk', {
  kioskId: uuid('kiosk_id').primaryKey(),
  placeId: uuid('place_id'),
  registered: boolean('registered').notNull().default(false),
  revoked: boolean('revoked').notNull().default(false),
  lastScanAt: stamp('last_scan_at'),
});

/** One row per refused scan (scans.denied), keyed by the scan. */
export const deniedScan = analytics.table('denied_scan', {
  scanId: uuid('scan_id').primaryKey(),
  kioskId: uuid('kiosk_id').notNull(),
  placeId: uuid('place_id'),
  offerId: uuid('offer_id').notNull(),
  orderId: uuid('order_id'),
  funderId: uuid('funder_id'),
  reason: text('reason').notNull(),
  scannedAt: stamp('scanned_at').notNull(),
});

/** Rollup of refused scans per Paris day × reason × kiosk (staff; the kiosk gives the place). */
export const deniedDaily = analytics.table(
  'denied_daily',
  {
    day: day('day').notNull(),
    reason: text('reason').notNull(),
    kioskId: uuid('kiosk_id').notNull(),
    scans: integer('scans').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.reason, t.kioskId] })],
);

/** Monthly endorsements of places (settlement's period.closed). */
export const period = analytics.table('period', {
  periodId: uuid('period_id').primaryKey(),
  month: text('month').notNull(),
  placeId: uuid('place_id').notNull(),
  grossCents: cents('gross_cents').notNull(),
  feeCents: cents('fee_cents').notNull(),
  netCents: cents('net_cents').notNull(),
  passCount: integer('pass_count').notNull(),
});

/** Payouts to places (settlement's payout.* events), at the status of the latest event. */
export const payout = analytics.table('payout', {
  payoutId: uuid('payout_id').primaryKey(),
  placeId: uuid('place_id').notNull(),
  month: text('month').notNull(),
  netCents: cents('net_cents').notNull(),
  status: text('status').notNull(),
  reason: text('reason'),
  statusAt: stamp('status_at').notNull(),
});

/**
 * The PostgreSQL roles that read the reporting tables: a funder's (its rows only) or staff
 * (every row). Row-level security compares current_user with role_name.
 */
export const reportingRole = analytics.table('reporting_role', {
  roleName: text('role_name').primaryKey(),
  funderId: uuid('funder_id').unique(),
  staff: boolean('staff').notNull().default(false),
  rotatedAt: stamp('rotated_at').notNull().defaultNow(),
});

/**
 * Reporting: one row per beneficiary rating (qualification's service.rated), at its highest
 * revision; `withdrawn` once its redemption was cancelled (rating.withdrawn, whichever comes
 * first: a withdrawal seen first leaves a row without figures that a lower revision never fills).
 * No comment: comments stay in qualification. Funders read their own rows (RLS, 0007_ratings.sql).
 */
export const ratingFact = analytics.table(
  'rating_fact',
  {
    ratingId: uuid('rating_id').primaryKey(),
    revision: integer('revision').notNull(),
    funderId: uuid('funder_id').notNull(),
    orderId: uuid('order_id'),
    placeId: uuid('place_id').notNull(),
    offerId: uuid('offer_id'),
    serviceCode: text('service_code'),
    score: integer('score'),
    wouldReturn: boolean('would_return'),
    redeemedAt: stamp('redeemed_at'),
    ratedAt: stamp('rated_at'),
    withdrawn: boolean('withdrawn').notNull(),
  },
  (t) => [index('rating_fact_funder').on(t.funderId, t.placeId)],
);
