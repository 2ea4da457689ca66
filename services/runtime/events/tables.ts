import { bigserial, jsonb, primaryKey, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';

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
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  });
  const inbox = schema.table(
    'inbox',
    {
      consumer: text('consumer').notNull(),
      eventId: uuid('event_id').notNull(),
      processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
  );
  return { outbox, inbox };
}
export type EventTables = ReturnType<typeof eventTables>;
