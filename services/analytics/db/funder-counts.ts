import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import type { Queryable, Tx } from '@aptic/runtime';
import { funderCounts } from './schema.ts';
import { tallyByKind } from '../domain/tally.ts';

/** Adds a batch of new funders to the per-kind counts, one upsert per kind. */
export async function countFunders(tx: Tx, events: EventEnvelope<'funder.created'>[]): Promise<void> {
  for (const [kind, count] of tallyByKind(events.map((e) => e.data.kind))) {
    await tx
      .insert(funderCounts)
      .values({ kind, count })
      .onConflictDoUpdate({ target: funderCounts.kind, set: { count: sql`${funderCounts.count} + ${count}` } });
  }
}

export async function readFunderCounts(db: Queryable): Promise<{ total: number; byKind: Record<string, number> }> {
  const rows = await db.select().from(funderCounts);
  const byKind = Object.fromEntries(rows.map((r) => [r.kind, r.count]));
  return { total: rows.reduce((sum, r) => sum + r.count, 0), byKind };
}
