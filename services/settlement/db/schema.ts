import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { auditTable, cents, day, eventTables, factColumns, stamp } from '@aptic/runtime';
import type { AccountKind } from '../domain/accounts.ts';
import type { HoldReason, PayoutStatus, RejectionCode } from '../domain/payout.ts';

export const settlement = pgSchema('settlement');
export const { outbox, inbox } = eventTables(settlement);
/** Every payout status change and every close, who made it and when (append-only). */
export const audit = auditTable(settlement);

/**
 * One ledger transaction: what moved money and why. Its lines sum to zero. `kind` + `ref` name
 * its cause once (a redemption, a payout sending…), so a cause is never booked twice.
 * Append-only: a trigger refuses UPDATE and DELETE (a correction is a new transaction).
 */
export const ledgerTransactions = settlement.table(
  'ledger_tx',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    ref: uuid('ref').notNull(),
    /** The settlement period it belongs to (YYYY-MM), when it belongs to one. */
    period: text('period'),
    memo: text('memo').notNull(),
    at: stamp('at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('ledger_tx_cause').on(t.kind, t.ref)],
);

/**
 * A line of a transaction: signed integer cents, debit positive, credit negative. An account is
 * its kind and, for the kinds kept per party, its owner (an order, a place). Balances are sums.
 */
export const ledgerLines = settlement.table(
  'ledger_line',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    txId: uuid('tx_id').notNull(),
    account: text('account').$type<AccountKind>().notNull(),
    owner: uuid('owner'),
    /** The funder an order's accounts belong to (funder money held, credit notes). */
    funderId: uuid('funder_id'),
    amountCents: cents('amount_cents').notNull(),
  },
  (t) => [index('ledger_line_account').on(t.account, t.owner), index('ledger_line_tx').on(t.txId)],
);

/** A calendar month in Europe/Paris; `closed` is final. */
export const periods = settlement.table('period', {
  month: text('month').primaryKey(),
  status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
  closedAt: stamp('closed_at'),
  closedBy: text('closed_by'),
});

/**
 * What settlement learned of a redemption (+1) or of its cancellation (−1), in the period it is
 * paid in: its scan's month if still open when learned, else the first open one (`late`).
 * Insert-only; a period's figures are sums of these.
 */
export const bookings = settlement.table(
  'booking',
  {
    id: uuid('id').primaryKey(),
    redemptionId: uuid('redemption_id').notNull(),
    sign: integer('sign').notNull(),
    placeId: uuid('place_id').notNull(),
    orderId: uuid('order_id').notNull(),
    funderId: uuid('funder_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    faceValueCents: cents('face_value_cents').notNull(),
    feeCents: cents('fee_cents').notNull(),
    /** The scan's business date (Europe/Paris). */
    scanDay: day('scan_day').notNull(),
    period: text('period').notNull(),
    late: boolean('late').notNull(),
    /** Order of writing: the statement tally takes the bookings after its mark (db/tally.ts). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('booking_once').on(t.redemptionId, t.sign),
    index('booking_period').on(t.period),
    index('booking_seq').on(t.seq),
  ],
);

/** A place's figures for a closed period (its endorsement); never changed. */
export const placePeriods = settlement.table(
  'place_period',
  {
    period: text('period').notNull(),
    placeId: uuid('place_id').notNull(),
    periodId: uuid('period_id').notNull(),
    passCount: integer('pass_count').notNull(),
    latePassCount: integer('late_pass_count').notNull(),
    grossCents: cents('gross_cents').notNull(),
    feeCents: cents('fee_cents').notNull(),
    territorialFundCents: cents('territorial_fund_cents').notNull(),
    kitCents: cents('kit_cents').notNull(),
    kitSponsored: boolean('kit_sponsored').notNull(),
    /** A negative net of an earlier period, deducted here (≤ 0). */
    carriedCents: cents('carried_cents').notNull(),
    netCents: cents('net_cents').notNull(),
    closedAt: stamp('closed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.period, t.placeId] })],
);

/**
 * A statement line: a place's passes of a period for one offer and one scan day, late or not.
 * While the month is open, a running sum of its bookings up to the tally's mark (db/tally.ts);
 * once it is closed, final (a trigger refuses any change).
 */
export const statementLines = settlement.table(
  'statement_line',
  {
    period: text('period').notNull(),
    placeId: uuid('place_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    scanDay: day('scan_day').notNull(),
    late: boolean('late').notNull(),
    passCount: integer('pass_count').notNull(),
    grossCents: cents('gross_cents').notNull(),
    feeCents: cents('fee_cents').notNull(),
  },
  // Place and day first: the statements read a month's lines in that order.
  (t) => [primaryKey({ columns: [t.period, t.placeId, t.scanDay, t.offerId, t.late] })],
);

/** One row: the last booking (seq) summed into the tally. */
export const tallyMarks = settlement.table('tally_mark', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

/** A place's payout of one period; `status` follows domain/payout.ts. */
export const payouts = settlement.table(
  'payout',
  {
    id: uuid('id').primaryKey(),
    placeId: uuid('place_id').notNull(),
    period: text('period').notNull(),
    /** Owed to the place (gross − fee, of this and carried periods). */
    payableCents: cents('payable_cents').notNull(),
    /** Kit subscription deducted (incl. VAT). */
    kitCents: cents('kit_cents').notNull(),
    netCents: cents('net_cents').notNull(),
    status: text('status').$type<PayoutStatus>().notNull(),
    holdReason: text('hold_reason').$type<HoldReason>(),
    rejectionCode: text('rejection_code').$type<RejectionCode>(),
    /** Hash of the bank details a rejected transfer went to: held until they change. */
    rejectedFingerprint: text('rejected_fingerprint'),
    runId: uuid('run_id'),
    executedOn: day('executed_on'),
    /** The period a non-positive net was carried into. */
    carriedInto: text('carried_into'),
    updatedAt: stamp('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payout_per_place_period').on(t.placeId, t.period), index('payout_status').on(t.status)],
);

/** One SEPA credit-transfer file (pain.001.001.03): its bytes are kept, re-downloaded as they were. */
export const payoutRuns = settlement.table('payout_run', {
  id: uuid('id').primaryKey(),
  messageId: text('message_id').notNull().unique(),
  executionDate: day('execution_date').notNull(),
  transferCount: integer('transfer_count').notNull(),
  controlSumCents: cents('control_sum_cents').notNull(),
  heldCount: integer('held_count').notNull(),
  xml: text('xml'),
  sha256: text('sha256'),
  createdBy: text('created_by').notNull(),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** What each run sent: a payout may be sent again by a later run after a rejection. */
export const runTransfers = settlement.table(
  'run_transfer',
  {
    /** Names the transfer in the ledger (sent, then executed or rejected). */
    id: uuid('id').primaryKey(),
    runId: uuid('run_id').notNull(),
    payoutId: uuid('payout_id').notNull(),
    amountCents: cents('amount_cents').notNull(),
    bankFingerprint: text('bank_fingerprint').notNull(),
  },
  (t) => [uniqueIndex('run_transfer_once').on(t.runId, t.payoutId), index('run_transfer_payout').on(t.payoutId)],
);

// Read models, from other services' events.

/** A place's name, from the newest `place.qualified` applied (its place version, then its time). */
export const places = settlement.table('place', {
  placeId: uuid('place_id').primaryKey(),
  name: text('name').notNull(),
  version: integer('version').notNull().default(0),
  asOf: stamp('as_of'),
});

export const offers = settlement.table('offer', {
  offerId: uuid('offer_id').primaryKey(),
  placeId: uuid('place_id').notNull(),
  serviceCode: text('service_code').notNull(),
  categoryCode: text('category_code').notNull(),
  priceCents: cents('price_cents').notNull(),
});

export const orders = settlement.table('order', {
  orderId: uuid('order_id').primaryKey(),
  funderId: uuid('funder_id').notNull(),
  funderName: text('funder_name').notNull(),
  carnetSize: integer('carnet_size').notNull(),
  faceValueCents: cents('face_value_cents').notNull(),
  passesIssued: integer('passes_issued').notNull().default(0),
  passesReleased: integer('passes_released').notNull().default(0),
  redemptionClosedAt: stamp('redemption_closed_at'),
});

/**
 * A place's kit subscription, billed from its first scan. Kit events may arrive in any order: plan
 * and first day come from the newest `kit.activated` applied (`activated*`), whether it has ended
 * from the newest kit fact, activation or cancellation (`state*`); a cancellation arriving before
 * its activation leaves a row with no plan yet, which bills nothing.
 */
export const kits = settlement.table('kit', {
  placeId: uuid('place_id').primaryKey(),
  plan: text('plan').$type<'monthly' | 'yearly'>(),
  activatedOn: day('activated_on'),
  cancelledOn: day('cancelled_on'),
  ...factColumns('activated'),
  ...factColumns('state'),
});

/** A funder pays the kit of a place over a span of days. */
export const kitSponsorships = settlement.table(
  'kit_sponsorship',
  {
    placeId: uuid('place_id').notNull(),
    funderId: uuid('funder_id').notNull(),
    from: day('from').notNull(),
    until: day('until').notNull(),
  },
  (t) => [primaryKey({ columns: [t.placeId, t.funderId, t.from] })],
);
