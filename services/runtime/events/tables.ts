import { bigserial, jsonb, primaryKey, text, uuid, type PgSchema } from 'drizzle-orm/pg-core';
import { stamp } from '../db/columns.ts';

/**
 * The outbox and inbox every service keeps in its own schema.
 * outbox: events written in the same transaction as the state change they announce, deleted once
 * the bus has acknowledged them (the stream keeps them; a delete costs less than an update).
 * inbox: ids of events a consumer has applied, written in the same transaction as the effect.
 */
export function eventTables(schema: PgSchema) {
  const outbox = schema.table('outbox', {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: stamp('created_at').notNull().defaultNow(),
  });
  const inbox = schema.table(
    'inbox',
    {
      consumer: text('consumer').notNull(),
      eventId: uuid('event_id').notNull(),
      processedAt: stamp('processed_at').notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
  );
  return { outbox, inbox };
}
export type EventTables = ReturnType<typeof eventTables>;
