import { isNotNull, sql } from 'drizzle-orm';
import { passLookupHash } from '@aptic/contracts';
import { arrayParam, type Db } from '@aptic/runtime';
import { passes } from './schema.ts';

/**
 * The lookup key (APTIC_PASS_LOOKUP_KEY) turns a scanned code into the hash its pass is known by.
 * Like the rest of the configuration it is one per process, set when the service starts.
 */
let lookupKey: string | undefined;

export function useLookupKey(key: string): void {
  lookupKey = key;
}

export function lookupHashOf(code: string): string {
  if (!lookupKey) throw new Error('redemption: the pass lookup key is not set (service not started)');
  return passLookupHash(lookupKey, code);
}

/** Passes recorded with their code before codes were hashed: hashed, and the code erased. */
export async function hashLegacyCodes(db: Db): Promise<void> {
  for (;;) {
    const rows = await db
      .select({ passId: passes.passId, code: passes.code })
      .from(passes)
      .where(isNotNull(passes.code))
      .limit(5_000);
    if (rows.length === 0) return;
    await db.execute(sql`UPDATE ${passes} p SET code_hash = t.hash, code = NULL
      FROM unnest(${arrayParam(
        rows.map((r) => r.passId),
        'uuid',
      )}, ${arrayParam(
        rows.map((r) => lookupHashOf(r.code!)),
        'text',
      )}) AS t(id, hash)
      WHERE p.pass_id = t.id`);
  }
}
