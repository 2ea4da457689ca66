import { getTableColumns, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * A fact a read model keeps: the version its aggregate gave it (a per-aggregate sequence, 0 on
 * events from before versions), then its time. Events may arrive in any order, or again: a read
 * model applies a fact only if it is newer than the one a row holds.
 */
export interface Fact {
  version: number;
  asOf: Date;
}

/** Whether the fact is newer than the one a row's columns hold (by version, then time). */
export const newerFact = (version: AnyColumn, asOf: AnyColumn, fact: Fact): SQL =>
  sql`(${version}, coalesce(${asOf}, '-infinity')) < (${fact.version}, ${fact.asOf.toISOString()}::timestamptz)`;

/**
 * An upsert's SET for values kept only when `isNewer` holds on the row: each column takes its value
 * then, and keeps its own otherwise (several groups of columns of one row, each with its own fact).
 */
export function setIfNewer(table: PgTable, isNewer: SQL, values: Record<string, unknown>): Record<string, SQL> {
  const columns = getTableColumns(table);
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      sql`CASE WHEN ${isNewer} THEN ${value instanceof Date ? value.toISOString() : value} ELSE ${columns[key]!} END`,
    ]),
  );
}
