import { asc, eq } from 'drizzle-orm';
import { bigserial, index, jsonb, text, uuid, type PgSchema } from 'drizzle-orm/pg-core';
import { stamp } from './db/columns.ts';
import type { Queryable, Tx } from './db/connect.ts';

/**
 * The audit trail a service keeps in its own schema: every state change, who made it, when, and
 * what. Append-only (each service's migration adds a trigger refusing updates and deletes).
 */
export function auditTable(schema: PgSchema) {
  return schema.table(
    'audit',
    {
      seq: bigserial('seq', { mode: 'number' }).primaryKey(),
      entity: text('entity').notNull(),
      entityId: uuid('entity_id').notNull(),
      /** The record whose trail this entry belongs to (an order, a place): trails are read by it. */
      scopeId: uuid('scope_id').notNull(),
      action: text('action').notNull(),
      fromStatus: text('from_status'),
      toStatus: text('to_status'),
      actor: text('actor').notNull(),
      details: jsonb('details'),
      at: stamp('at').notNull().defaultNow(),
    },
    (t) => [index(`${schema.schemaName}_audit_scope`).on(t.scopeId, t.seq)],
  );
}
export type AuditTable = ReturnType<typeof auditTable>;

export interface AuditEntry<E extends string = string> {
  entity: E;
  entityId: string;
  scopeId: string;
  action: string;
  actor: string;
  fromStatus?: string;
  toStatus?: string;
  details?: unknown;
}

/** A writer bound to a service's audit table. */
export function auditWriter<E extends string>(table: AuditTable) {
  return async (tx: Tx, entry: AuditEntry<E>): Promise<void> => {
    await tx.insert(table).values({
      entity: entry.entity,
      entityId: entry.entityId,
      scopeId: entry.scopeId,
      action: entry.action,
      actor: entry.actor,
      fromStatus: entry.fromStatus ?? null,
      toStatus: entry.toStatus ?? null,
      details: entry.details ?? null,
    });
  };
}

/** The trail of one record (an order, a place), oldest first. */
export function auditTrail(db: Queryable, table: AuditTable, scopeId: string) {
  return db.select().from(table).where(eq(table.scopeId, scopeId)).orderBy(asc(table.seq));
}
