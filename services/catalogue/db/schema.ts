import { pgSchema } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const catalogue = pgSchema('catalogue');
export const { outbox, inbox } = eventTables(catalogue);
