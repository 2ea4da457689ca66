import { pgSchema } from 'drizzle-orm/pg-core';
import { eventTables } from '@aptic/runtime';

export const qualification = pgSchema('qualification');
export const { outbox, inbox } = eventTables(qualification);
