import { boolean, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const ordering = pgSchema('ordering');
export const { outbox, inbox } = eventTables(ordering);

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
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
