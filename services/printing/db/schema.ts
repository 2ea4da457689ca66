import { bigint, customType, index, integer, jsonb, pgSchema, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { ProofStatus } from '../domain/proof.ts';
import type { PrintJobStatus } from '../domain/print-job.ts';
import { auditTable, day, eventTables, stamp } from '@aptic/runtime';
import type { UsageRules } from '@aptic/contracts';

export const printing = pgSchema('printing');
export const { outbox, inbox } = eventTables(printing);
export const auditLog = auditTable(printing);

/** node-postgres reads bytea as a Buffer, PGlite as a Uint8Array: a Buffer either way. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) =>
    Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
});

/** Carnet numbers are unique across the platform (they are printed, and carried in every pass code). */
export const carnetNumbers = printing.sequence('carnet_number');

/** A paid order as printing knows it (from order.paid): what to issue and print. */
export const printOrders = printing.table('print_order', {
  orderId: uuid('order_id').primaryKey(),
  funderId: uuid('funder_id').notNull(),
  funderName: text('funder_name').notNull(),
  offer: text('offer').notNull(),
  carnetSize: integer('carnet_size').notNull(),
  carnets: integer('carnets').notNull(),
  options: jsonb('options').$type<string[]>().notNull(),
  rules: jsonb('rules').$type<UsageRules>().notNull(),
  issuedAt: stamp('issued_at').notNull(),
});

export const carnets = printing.table(
  'carnet',
  {
    number: integer('number').primaryKey(),
    orderId: uuid('order_id').notNull(),
    /** Received at the delivery point (or handed out): its passes may be redeemed. */
    releasedAt: stamp('released_at'),
    /** The prescripteur whose stock it was put in (allocated by range); it stays named once handed out. */
    prescriberId: uuid('prescriber_id').references(() => prescribers.id),
  },
  (t) => [index('carnet_order').on(t.orderId), index('carnet_prescriber').on(t.prescriberId, t.orderId)],
);

/**
 * A prescripteur (distribution network member: CCAS, social centre, France Travail agency…): the
 * organisation that hands carnets out to beneficiaries. Its tokens (role prescriber) see its own
 * stock and hand-outs. A médiation place may be one too: `placeId` names it (one organisation, both roles).
 */
export const prescribers = printing.table('prescriber', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** SIRET, or RNA for an association without one: one prescripteur per identifier. */
  pivot: text('pivot').notNull().unique(),
  pivotKind: text('pivot_kind').$type<'siret' | 'rna'>().notNull(),
  communeCode: text('commune_code').notNull(),
  /** The organisation's contact for #APTIC (a service's address, not a beneficiary's). */
  contactName: text('contact_name').notNull(),
  contactEmail: text('contact_email').notNull(),
  contactPhone: text('contact_phone'),
  placeId: uuid('place_id').unique(),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** Carnets of an order put in a prescripteur's stock, by range of numbers (the history; carnet.prescriber_id is the state). */
export const allocations = printing.table(
  'carnet_allocation',
  {
    id: uuid('id').primaryKey(),
    prescriberId: uuid('prescriber_id')
      .notNull()
      .references(() => prescribers.id),
    orderId: uuid('order_id').notNull(),
    firstCarnet: integer('first_carnet').notNull(),
    lastCarnet: integer('last_carnet').notNull(),
    allocatedBy: text('allocated_by').notNull(),
    allocatedAt: stamp('allocated_at').notNull().defaultNow(),
  },
  (t) => [index('carnet_allocation_prescriber').on(t.prescriberId, t.orderId)],
);

/**
 * A carnet handed out to a beneficiary (remise). Data minimisation: nothing that identifies the
 * beneficiary — no name, address or date of birth; only the optional public and commune of
 * residence (checked by test/printing/distribution.int.test.ts).
 */
export const handOuts = printing.table(
  'hand_out',
  {
    carnetNumber: integer('carnet_number').primaryKey(),
    id: uuid('id').notNull().unique(),
    orderId: uuid('order_id').notNull(),
    prescriberId: uuid('prescriber_id')
      .notNull()
      .references(() => prescribers.id),
    handedOutAt: stamp('handed_out_at').notNull(),
    /** The token that recorded it (the prescripteur's staff member or #APTIC's). */
    handedOutBy: text('handed_out_by').notNull(),
    publicCode: text('public_code'),
    communeCode: text('commune_code'),
    /** The 5-pass carnet this one renews: a carnet is renewed once at most. */
    renewsCarnetNumber: integer('renews_carnet_number').unique(),
  },
  (t) => [index('hand_out_prescriber').on(t.prescriberId, t.handedOutAt)],
);

/**
 * Every pass issued. Its code, the bearer instrument, is not kept: it is made again from
 * APTIC_PASS_CODE_KEY, carnet and position when the print file is rendered.
 */
export const passes = printing.table(
  'pass',
  {
    passId: uuid('pass_id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    carnetNumber: integer('carnet_number').notNull(),
    position: integer('position').notNull(),
    blockedAt: stamp('blocked_at'),
    blockReason: text('block_reason'),
  },
  (t) => [index('pass_carnet').on(t.carnetNumber)],
);

/** Proofs (BAT) of an order, by version: one awaiting an answer at a time, one approved at most. */
export const proofs = printing.table(
  'proof',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    version: integer('version').notNull(),
    status: text('status').$type<ProofStatus>().notNull(),
    sentOn: day('sent_on').notNull(),
    answerDueOn: day('answer_due_on').notNull(),
    answeredBy: text('answered_by'),
    comments: text('comments'),
  },
  (t) => [uniqueIndex('proof_order_version').on(t.orderId, t.version)],
);

/** A print partner: prints the carnets of the jobs assigned to it; its tokens see those jobs only. */
export const printPartners = printing.table('print_partner', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: stamp('created_at').notNull().defaultNow(),
});

/** The print job that follows an approved proof, until delivery. */
export const printJobs = printing.table('print_job', {
  id: uuid('id').primaryKey(),
  orderId: uuid('order_id').notNull().unique(),
  status: text('status').$type<PrintJobStatus>().notNull(),
  /** The print partner it is assigned to (staff assign it); until then no partner sees it. */
  partnerId: uuid('partner_id').references(() => printPartners.id),
  approvedOn: day('approved_on').notNull(),
  expectedDeliveryOn: day('expected_delivery_on').notNull(),
  carrier: text('carrier'),
  tracking: text('tracking'),
  deliveryPoint: text('delivery_point'),
  /** The print-ready PDF, once rendered: where it is, its size, pages and SHA-256. */
  file: text('file'),
  fileBytes: bigint('file_bytes', { mode: 'number' }),
  filePages: integer('file_pages'),
  fileSha256: text('file_sha256'),
  /** Failed renders so far, when the next try may start, and the last failure's reason. */
  renderAttempts: integer('render_attempts').notNull().default(0),
  renderRetryAt: stamp('render_retry_at'),
  renderError: text('render_error'),
  updatedAt: stamp('updated_at').notNull().defaultNow(),
});

/** A mailing of carnets to beneficiaries (Plus, Premium): its addresses are purged once it is sent. */
export const mailings = printing.table('mailing', {
  id: uuid('id').primaryKey(),
  orderId: uuid('order_id').notNull(),
  status: text('status').$type<'draft' | 'sent'>().notNull(),
  recipients: integer('recipients').notNull(),
  createdAt: stamp('created_at').notNull().defaultNow(),
  sentAt: stamp('sent_at'),
});

/** One beneficiary of a mailing and the carnet sent to them. Name and address are personal data, nulled at the purge. */
export const mailingRecipients = printing.table(
  'mailing_recipient',
  {
    mailingId: uuid('mailing_id').notNull(),
    line: integer('line').notNull(),
    carnetNumber: integer('carnet_number').notNull().unique(),
    communeCode: text('commune_code').notNull(),
    name: text('name'),
    line1: text('line1'),
    line2: text('line2'),
    postalCode: text('postal_code'),
    city: text('city'),
  },
  (t) => [index('mailing_recipient_mailing').on(t.mailingId, t.line)],
);

/** Logos an order bought (options logo_pass, logo_cover), as uploaded. */
export const orderLogos = printing.table(
  'order_logo',
  {
    orderId: uuid('order_id').notNull(),
    slot: text('slot').$type<'pass' | 'cover'>().notNull(),
    mime: text('mime').notNull(),
    data: bytea('data').notNull(),
    uploadedAt: stamp('uploaded_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('order_logo_slot').on(t.orderId, t.slot)],
);
