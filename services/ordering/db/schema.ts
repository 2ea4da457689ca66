import { boolean, customType, integer, jsonb, pgSchema, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import { auditTable, cents, day, eventTables, stamp } from '@aptic/runtime';
import type { UsageRules } from '@aptic/contracts';
import type { QuoteLine } from '../domain/pricing.ts';
import type { OrderStatus } from '../domain/lifecycle.ts';

export const ordering = pgSchema('ordering');
export const { outbox, inbox } = eventTables(ordering);

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** A commanditaire: the body that buys passes. */
export const funders = ordering.table('funder', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  siret: text('siret').notNull().unique(),
  billingAddress: jsonb('billing_address'),
  contacts: jsonb('contacts').notNull().default([]),
  /** Buys through public procurement (bon de commande) rather than a signed quote. */
  publicProcurement: boolean('public_procurement').notNull().default(false),
  /** A public buyer's service code (code service Chorus Pro), carried by its invoices. */
  serviceCode: text('service_code'),
  /** The account opens with the first accepted order, which pays the opening fee. */
  openedAt: stamp('opened_at'),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** One order from its quote (devis) to its closing; `status` follows domain/lifecycle.ts. */
export const orders = ordering.table('order', {
  id: uuid('id').primaryKey(),
  quoteNumber: text('quote_number').notNull().unique(),
  funderId: uuid('funder_id')
    .notNull()
    .references(() => funders.id),
  status: text('status').$type<OrderStatus>().notNull(),
  offer: text('offer').notNull(),
  carnetSize: integer('carnet_size').notNull(),
  carnets: integer('carnets').notNull(),
  passCount: integer('pass_count').notNull(),
  options: jsonb('options').$type<string[]>().notNull(),
  firstOrder: boolean('first_order').notNull(),
  lines: jsonb('lines').$type<QuoteLine[]>().notNull(),
  faceValueCents: cents('face_value_cents').notNull(),
  totalExclVatCents: cents('total_excl_vat_cents').notNull(),
  vatCents: cents('vat_cents').notNull(),
  totalInclVatCents: cents('total_incl_vat_cents').notNull(),
  rules: jsonb('rules').$type<UsageRules>().notNull(),
  quotedOn: day('quoted_on').notNull(),
  quoteValidUntil: day('quote_valid_until').notNull(),
  acceptance: text('acceptance').$type<'signature' | 'purchase_order'>(),
  purchaseOrderReference: text('purchase_order_reference'),
  /** A public buyer's engagement juridique number, given with its purchase order. */
  engagementNumber: text('engagement_number'),
  acceptedAt: stamp('accepted_at'),
  paidAt: stamp('paid_at'),
  closedAt: stamp('closed_at'),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** Quote numbers (DEV-<year>-<n>): unique, not required gapless (a quote is not an accounting document). */
export const quoteNumbers = ordering.sequence('quote_number');

/** The signed quote uploaded at acceptance, kept as received. */
export const signedQuotes = ordering.table('signed_quote', {
  orderId: uuid('order_id')
    .primaryKey()
    .references(() => orders.id),
  sha256: text('sha256').notNull(),
  size: integer('size').notNull(),
  content: bytea('content').notNull(),
  uploadedBy: text('uploaded_by').notNull(),
  uploadedAt: stamp('uploaded_at').notNull().defaultNow(),
});

/**
 * The gapless, chronological numbering of each series per year: invoices (FA) and credit notes
 * (AV) each have their own. A series' counter row is locked by the transaction that issues, so
 * numbers follow commit order and a rollback gives its number back.
 */
export const documentCounters = ordering.table(
  'document_counter',
  {
    series: text('series').$type<'FA' | 'AV'>().notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.series, t.year] })],
);

/** Invoices (factures): immutable once issued (a trigger refuses updates and deletes). */
export const invoices = ordering.table(
  'invoice',
  {
    id: uuid('id').primaryKey(),
    number: text('number').notNull().unique(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    funderId: uuid('funder_id')
      .notNull()
      .references(() => funders.id),
    /** face_value: the passes, no VAT; services: fees, opening fee and options, VAT 20 %. */
    kind: text('kind').$type<'face_value' | 'services'>().notNull(),
    issuedOn: day('issued_on').notNull(),
    dueOn: day('due_on').notNull(),
    lines: jsonb('lines').$type<QuoteLine[]>().notNull(),
    totalExclVatCents: cents('total_excl_vat_cents').notNull(),
    vatCents: cents('vat_cents').notNull(),
    totalInclVatCents: cents('total_incl_vat_cents').notNull(),
    creditAppliedCents: cents('credit_applied_cents').notNull(),
    amountDueCents: cents('amount_due_cents').notNull(),
    createdAt: stamp('created_at').notNull().defaultNow(),
  },
  (t) => [unique('invoice_order_kind').on(t.orderId, t.kind)],
);

/** Bank transfers received for an order (virements), as the staff recorded them. */
export const payments = ordering.table(
  'payment',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    amountCents: cents('amount_cents').notNull(),
    receivedOn: day('received_on').notNull(),
    /** The bank's reference: the same transfer is never recorded twice. */
    reference: text('reference').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: stamp('recorded_at').notNull().defaultNow(),
  },
  (t) => [unique('payment_order_reference').on(t.orderId, t.reference)],
);

/** Credit notes (avoirs): the unused face value of a closed order, usable on a next order. */
export const creditNotes = ordering.table('credit_note', {
  id: uuid('id').primaryKey(),
  number: text('number').notNull().unique(),
  funderId: uuid('funder_id')
    .notNull()
    .references(() => funders.id),
  orderId: uuid('order_id')
    .notNull()
    .unique()
    .references(() => orders.id),
  issuedOn: day('issued_on').notNull(),
  unusedPasses: integer('unused_passes').notNull(),
  amountCents: cents('amount_cents').notNull(),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** A credit note's amount used on a face-value invoice; its remaining balance is what is left. */
export const creditApplications = ordering.table(
  'credit_application',
  {
    creditNoteId: uuid('credit_note_id')
      .notNull()
      .references(() => creditNotes.id),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    amountCents: cents('amount_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.creditNoteId, t.invoiceId] })],
);

/** Read model from redemption's events: passes redeemed per order, net of cancellations. */
export const redemptionCounts = ordering.table('redemption_count', {
  orderId: uuid('order_id').primaryKey(),
  redeemed: integer('redeemed').notNull(),
});

/** A funder paying the kit subscription of chosen places. */
export const kitSponsorships = ordering.table('kit_sponsorship', {
  id: uuid('id').primaryKey(),
  funderId: uuid('funder_id')
    .notNull()
    .references(() => funders.id),
  placeIds: jsonb('place_ids').$type<string[]>().notNull(),
  fromDate: day('from_date').notNull(),
  untilDate: day('until_date').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** Every state change: who, when, what. Append-only. */
export const auditLog = auditTable(ordering);
