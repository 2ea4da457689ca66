import { bigint, pgSchema, text } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const analytics = pgSchema('analytics');
export const { outbox, inbox } = eventTables(analytics);

/** Read model: funders registered, per kind. */
export const funderCounts = analytics.table('funder_count', {
  kind: text('kind').primaryKey(),
  count: bigint('count', { mode: 'number' }).notNull(),
});
