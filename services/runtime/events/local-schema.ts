import { bigint, bigserial, integer, jsonb, pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { stamp } from '../db/columns.ts';

/**
 * Embedded mode only: a stream kept in the embedded database, standing in for JetStream
 * with the same guarantees (dedup by event id, durable consumer positions, dead letters).
 */
export const busSchema = pgSchema('bus');

export const streamTable = busSchema.table('stream', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  id: uuid('id').notNull().unique(),
  subject: text('subject').notNull(),
  body: jsonb('body').notNull(),
  storedAt: stamp('stored_at').notNull().defaultNow(),
});

export const cursorTable = busSchema.table('cursor', {
  consumer: text('consumer').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull(),
});

export const deadLetterTable = busSchema.table('dead_letter', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  consumer: text('consumer').notNull(),
  subject: text('subject').notNull(),
  error: text('error').notNull(),
  deliveries: integer('deliveries').notNull(),
  body: jsonb('body'),
  parkedAt: stamp('parked_at').notNull().defaultNow(),
});
