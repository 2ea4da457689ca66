import { and, eq } from 'drizzle-orm';
import { isAuthenticFeedbackCode, readFeedbackCode } from '@aptic/contracts';
import type { Queryable } from '@aptic/runtime';
import { passes } from './schema.ts';

/**
 * The pass a feedback code names, if printing made that code: its tag is checked with the code key
 * (never stored), then the pass is found by the carnet and position the code carries.
 */
export async function feedbackPass(
  db: Queryable,
  key: string,
  code: string,
): Promise<{ passId: string; orderId: string } | null> {
  const reading = readFeedbackCode(code);
  if (!reading.ok || !isAuthenticFeedbackCode(key, reading.code)) return null;
  const [pass] = await db
    .select({ passId: passes.passId, orderId: passes.orderId })
    .from(passes)
    .where(and(eq(passes.carnetNumber, reading.carnetNumber), eq(passes.position, reading.position)));
  return pass ?? null;
}
