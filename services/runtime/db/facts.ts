import { getTableColumns, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { IndexColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from './connect.ts';

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

/** A fact about a place: its place version (0 on events from before versions), then its time. */
export const placeFact = (e: { occurredAt: string; data: { placeVersion?: number } }): Fact => ({
  version: e.data.placeVersion ?? 0,
  asOf: new Date(e.occurredAt),
});

/** A group of a read model's columns, with the columns holding the version and time of their fact. */
export interface FactGroup {
  version: AnyColumn;
  asOf: AnyColumn;
  values: Record<string, unknown>;
}

/**
 * Inserts a read model's row (`key` and every group's values), or updates it where each group
 * takes its values only if `fact` is newer than the one the group's columns hold. With one group,
 * an older fact leaves the row untouched.
 */
export async function upsertNewer(
  tx: Tx,
  table: PgTable,
  target: IndexColumn,
  key: Record<string, unknown>,
  fact: Fact,
  groups: [FactGroup, ...FactGroup[]],
): Promise<void> {
  const values = Object.assign({ ...key }, ...groups.map((g) => g.values));
  const [first] = groups;
  const update =
    groups.length === 1
      ? { set: first.values, setWhere: newerFact(first.version, first.asOf, fact) }
      : {
          set: Object.assign({}, ...groups.map((g) => setIfNewer(table, newerFact(g.version, g.asOf, fact), g.values))),
        };
  await tx
    .insert(table)
    .values(values)
    .onConflictDoUpdate({ target, ...update });
}
