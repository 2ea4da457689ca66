import { pgSchema } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const redemption = pgSchema('redemption');
export const { outbox, inbox } = eventTables(redemption);
