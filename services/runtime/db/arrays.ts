import { sql, type SQL } from 'drizzle-orm';

/**
 * Bulk statements pass one array parameter per column (`unnest`, `= ANY`) instead of one
 * parameter per value: hundreds of rows cost one short statement to build, send and plan.
 */
export const arrayParam = (
  values: readonly unknown[],
  type: 'uuid' | 'text' | 'jsonb' | 'bigint' | 'integer' | 'boolean' | 'timestamptz',
): SQL => sql`${sql.param(values)}::${sql.raw(type)}[]`;
