import { pgSchema } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const printing = pgSchema('printing');
export const { outbox, inbox } = eventTables(printing);
