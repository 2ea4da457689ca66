import { randomUUID } from 'node:crypto';
import { passCode, passLookupHash } from '@aptic/contracts';

/** A pass as it is announced: its code only as the lookup hash. */
export interface IssuedPass {
  passId: string;
  codeHash: string;
  carnetNumber: number;
  position: number;
}

/** The secrets codes are made with (printing's alone) and looked up by (shared with redemption). */
export interface PassKeys {
  code: string;
  lookup: string;
}

/** passes.issued carries at most this many passes (NATS messages stay well under 1 MB). */
export const PASSES_PER_EVENT = 5_000;

/** The passes of the given carnets: `size` per carnet, each known by the lookup hash of its keyed code. */
export function passesOf(carnetNumbers: readonly number[], size: 5 | 10, keys: PassKeys): IssuedPass[] {
  const out: IssuedPass[] = [];
  for (const carnetNumber of carnetNumbers) {
    for (let position = 1; position <= size; position++) {
      out.push({
        passId: randomUUID(),
        codeHash: passLookupHash(keys.lookup, passCode(keys.code, carnetNumber, position)),
        carnetNumber,
        position,
      });
    }
  }
  return out;
}

/** Splits a list into chunks of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
