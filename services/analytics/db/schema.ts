import { bigint, integer, pgSchema, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const analytics = pgSchema('analytics');
export const { outbox, inbox } = eventTables(analytics);

/** Read model: funders registered, per kind. */
export const funderCounts = analytics.table('funder_count', {
  kind: text('kind').primaryKey(),
  count: bigint('count', { mode: 'number' }).notNull(),
});

/** Per order: what the funder's dashboard counts. Counters only, so events may come in any order. */
export const orderFigures = analytics.table('order_figures', {
  orderId: uuid('order_id').primaryKey(),
  funderId: uuid('funder_id'),
  carnetSize: integer('carnet_size'),
  carnetsIssued: integer('carnets_issued').notNull().default(0),
  passesIssued: integer('passes_issued').notNull().default(0),
  carnetsReleased: integer('carnets_released').notNull().default(0),
  passesRedeemed: integer('passes_redeemed').notNull().default(0),
});

/** Which carnet a pass belongs to (from passes.issued), to count carnets "started". */
export const passCarnets = analytics.table('pass_carnet', {
  passId: uuid('pass_id').primaryKey(),
  orderId: uuid('order_id').notNull(),
  carnetNumber: integer('carnet_number').notNull(),
});

/** Carnets with at least one pass redeemed (entamés). */
export const startedCarnets = analytics.table('started_carnet', {
  orderId: uuid('order_id').notNull(),
  carnetNumber: integer('carnet_number').notNull(),
}, (t) => [primaryKey({ columns: [t.orderId, t.carnetNumber] })]);
