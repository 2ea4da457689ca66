import { randomUUID } from 'node:crypto';
import { passCode } from '@aptic/contracts';

export interface IssuedPass {
  passId: string;
  code: string;
  carnetNumber: number;
  position: number;
}

/** passes.issued carries at most this many passes (NATS messages stay well under 1 MB). */
export const PASSES_PER_EVENT = 5_000;

/** The passes of the given carnets: `size` per carnet, each with its keyed code. */
export function passesOf(carnetNumbers: readonly number[], size: 5 | 10, key: string | Buffer): IssuedPass[] {
  const out: IssuedPass[] = [];
  for (const carnetNumber of carnetNumbers) {
    for (let position = 1; position <= size; position++) out.push({ passId: randomUUID(), code: passCode(key, carnetNumber, position), carnetNumber, position });
  }
  return out;
}

/** Splits a list into chunks of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
