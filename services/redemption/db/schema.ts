import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgSchema, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cents, day, eventTables, factColumns, stamp } from '@aptic/runtime';
import type { DenialReason, UsageRules } from '@aptic/contracts';

export const redemption = pgSchema('redemption');
export const { outbox, inbox } = eventTables(redemption);

// Read models, built from other services' events: redemption never asks anyone on the hot path.

// Events of different types arrive on different consumers, in no guaranteed order: each fact is
// kept on its own (a release may come before the issue) and statuses are derived when read.

/** Passes issued by printing (passes.issued), known by their codes' lookup hash, never by the code. */
export const passes = redemption.table(
  'pass',
  {
    passId: uuid('pass_id').primaryKey(),
    codeHash: text('code_hash').unique(),
    /** Only in rows written before codes were hashed: hashed, then cleared, when the service starts. */
    code: text('code'),
    orderId: uuid('order_id').notNull(),
    funderId: uuid('funder_id').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [index('pass_carnet').on(t.orderId, t.carnetNumber)],
);

/** Carnets received at their delivery point or handed out (passes.released): their passes may be redeemed. */
export const carnetReleases = redemption.table(
  'carnet_release',
  {
    orderId: uuid('order_id').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    releasedAt: stamp('released_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.carnetNumber] })],
);

/** Passes declared lost or stolen (passes.blocked). */
export const passBlocks = redemption.table('pass_block', {
  passId: uuid('pass_id').primaryKey(),
  reason: text('reason').notNull(),
});

/** Each paid order's usage rules (order.paid). */
export const orderRules = redemption.table('order_rules', {
  orderId: uuid('order_id').primaryKey(),
  funderId: uuid('funder_id').notNull(),
  rules: jsonb('rules').$type<UsageRules>().notNull(),
});

/**
 * Each paid order's redemption window (order.paid): open until its passes' last valid day plus the
 * kiosks' offline limit, then closed once with the final count (order.redemption_closed). Triggers
 * (migration 0002) lock the window rows of the orders a statement redeems or cancels, and refuse
 * the statement if one is closed: the closing takes the row first, so a scan judged meanwhile is
 * either committed before the count or refused, never both, never neither.
 */
export const orderWindows = redemption.table('order_window', {
  orderId: uuid('order_id').primaryKey(),
  funderId: uuid('funder_id').notNull(),
  passCount: integer('pass_count').notNull(),
  /** The passes' last valid day (Europe/Paris), January's grace included. */
  lastDay: day('last_day').notNull(),
  /** open → closed, once (db/windows.ts). */
  status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
  closedAt: stamp('closed_at'),
  redeemedCount: integer('redeemed_count'),
});

/**
 * Places as qualification announces them (place.*, kit.*). Each status keeps the time of the event
 * that set it: an older event arriving late never overrides a newer one.
 */
export const places = redemption.table('place', {
  placeId: uuid('place_id').primaryKey(),
  name: text('name'),
  type: text('type'),
  communeCode: text('commune_code'),
  /** The fact the details (name, type, commune) come from: the newest place.qualified applied. */
  ...factColumns('details'),
  qualified: boolean('qualified').notNull().default(false),
  /** The newest qualification fact applied (place version, then time): an older one changes nothing. */
  ...factColumns('qualified'),
  kitActive: boolean('kit_active').notNull().default(false),
  ...factColumns('kit'),
});

/** Offers as catalogue publishes them (offer.*): a redemption refers to the offer as it was. */
export const offers = redemption.table('offer', {
  offerId: uuid('offer_id').primaryKey(),
  placeId: uuid('place_id'),
  serviceCode: text('service_code'),
  categoryCode: text('category_code'),
  priceCents: cents('price_cents'),
  /** A withdrawal is final: an offer changes by being replaced by a new one. */
  withdrawn: boolean('withdrawn').notNull().default(false),
});

export const kiosks = redemption.table('kiosk', {
  kioskId: uuid('kiosk_id').primaryKey(),
  placeId: uuid('place_id').notNull(),
  /** A revocation is final. */
  revoked: boolean('revoked').notNull().default(false),
});

// Redemption's own records.

/** Every scan received, with its verdict: the scan id makes a redelivered scan answer the same. */
export const scans = redemption.table(
  'scan',
  {
    scanId: uuid('scan_id').primaryKey(),
    kioskId: uuid('kiosk_id').notNull(),
    sessionId: uuid('session_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    /** The code as read, masked (maskPassCode): carnet and position digits and check digit only. */
    code: text('code').notNull(),
    scannedAt: stamp('scanned_at').notNull(),
    receivedAt: stamp('received_at').notNull().defaultNow(),
    offline: boolean('offline').notNull(),
    outcome: text('outcome').$type<'accepted' | 'denied'>().notNull(),
    reason: text('reason').$type<DenialReason>(),
    message: text('message').notNull(),
    redemptionId: uuid('redemption_id'),
  },
  (t) => [
    index('scan_kiosk_time').on(t.kioskId, t.receivedAt),
    index('scan_code').on(t.code),
    // The guessing limit counts a kiosk's recent unknown codes on every scan: only those rows.
    index('scan_kiosk_unknown').on(t.kioskId, t.receivedAt).where(sql`${t.reason} IN ('unknown_pass', 'misread')`),
  ],
);

/** A service act: one service chosen at the kiosk, paid by one or more passes (of distinct carnets). */
export const serviceActs = redemption.table('service_act', {
  id: uuid('id').primaryKey(),
  sessionId: uuid('session_id').notNull().unique(),
  kioskId: uuid('kiosk_id').notNull(),
  placeId: uuid('place_id').notNull(),
  offerId: uuid('offer_id').notNull(),
  priceCents: cents('price_cents').notNull(),
  startedAt: stamp('started_at').notNull(),
});

/**
 * Accepted passes. At most one live redemption per pass, and one pass per carnet per service act:
 * both are unique indexes, so concurrent scans cannot both win whatever the timing.
 */
export const redemptions = redemption.table(
  'redemption',
  {
    id: uuid('id').primaryKey(),
    scanId: uuid('scan_id').notNull().unique(),
    passId: uuid('pass_id').notNull(),
    orderId: uuid('order_id').notNull(),
    funderId: uuid('funder_id').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    serviceActId: uuid('service_act_id').notNull(),
    placeId: uuid('place_id').notNull(),
    kioskId: uuid('kiosk_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    faceValueCents: cents('face_value_cents').notNull(),
    scannedAt: stamp('scanned_at').notNull(),
    acceptedAt: stamp('accepted_at').notNull().defaultNow(),
    lateUpload: boolean('late_upload').notNull(),
    cancelledAt: stamp('cancelled_at'),
    cancelledBy: text('cancelled_by'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    uniqueIndex('redemption_live_pass').on(t.passId).where(sql`${t.cancelledAt} IS NULL`),
    uniqueIndex('redemption_one_per_carnet_per_act')
      .on(t.serviceActId, t.orderId, t.carnetNumber)
      .where(sql`${t.cancelledAt} IS NULL`),
    index('redemption_place_time').on(t.placeId, t.scannedAt),
  ],
);

/** Months already settled per place (settlement's period.closed): their redemptions are final. */
export const settledPeriods = redemption.table(
  'settled_period',
  {
    placeId: uuid('place_id').notNull(),
    month: text('month').notNull(),
  },
  (t) => [primaryKey({ columns: [t.placeId, t.month] })],
);

/** An offline scan that came late and found its pass redeemed by a later scan: who won, who lost. */
export const conflicts = redemption.table('conflict', {
  id: uuid('id').primaryKey(),
  passId: uuid('pass_id').notNull(),
  winnerScanId: uuid('winner_scan_id').notNull(),
  loserScanId: uuid('loser_scan_id').notNull(),
  /** The redemption cancelled in favour of the earlier scan; null when the late scan lost. */
  cancelledRedemptionId: uuid('cancelled_redemption_id'),
  resolvedAt: stamp('resolved_at').notNull().defaultNow(),
});
