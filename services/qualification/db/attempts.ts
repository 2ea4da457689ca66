import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '@aptic/runtime';
import { feedbackAttempts } from './schema.ts';

/** The rating page's limits, per window of ATTEMPT_WINDOW_MS: an address's tries, and the failed tries on one code prefix. */
export const ATTEMPT_WINDOW_MS = 15 * 60_000;
export const ADDRESS_LIMIT = 30;
export const PREFIX_FAILURE_LIMIT = 10;

const windowOf = (now: number) => new Date(now - (now % ATTEMPT_WINDOW_MS));

/** An address is counted by a hash of it: the table keeps no IP address. */
export const addressBucket = (ip: string) => `address:${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`;
export const prefixBucket = (prefix: string) => `prefix:${prefix}`;

/** Counts one try in the bucket's current window (one statement, shared by every instance); returns the count with it. */
export async function countAttempt(db: Queryable, bucket: string, now = Date.now()): Promise<number> {
  const [row] = await db
    .insert(feedbackAttempts)
    .values({ bucket, windowStart: windowOf(now), count: 1 })
    .onConflictDoUpdate({
      target: [feedbackAttempts.bucket, feedbackAttempts.windowStart],
      set: { count: sql`${feedbackAttempts.count} + 1` },
    })
    .returning({ count: feedbackAttempts.count });
  return row!.count;
}

/** The tries counted in the bucket's current window. */
export async function attemptsOf(db: Queryable, bucket: string, now = Date.now()): Promise<number> {
  const rows = await db
    .select({ count: feedbackAttempts.count })
    .from(feedbackAttempts)
    .where(and(eq(feedbackAttempts.bucket, bucket), eq(feedbackAttempts.windowStart, windowOf(now))));
  return rows[0]?.count ?? 0;
}

/** Windows over are of no use: swept. */
export async function sweepAttempts(db: Queryable, now = Date.now()): Promise<void> {
  await db.delete(feedbackAttempts).where(lt(feedbackAttempts.windowStart, windowOf(now)));
}
