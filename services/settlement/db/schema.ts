import { pgSchema } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const settlement = pgSchema('settlement');
export const { outbox, inbox } = eventTables(settlement);
