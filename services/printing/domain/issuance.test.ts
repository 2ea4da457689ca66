import { expect, test } from 'vitest';
import { passCode, passLookupHash } from '@aptic/contracts';
import { chunks, passesOf } from './issuance.ts';

test('each carnet gets its passes, numbered from 1, known by the lookup hash of their keyed code, never by the code', () => {
  const keys = { code: 'code key', lookup: 'lookup key' };
  const passes = passesOf([41, 42], 5, keys);
  expect(passes).toHaveLength(10);
  expect(passes.map((p) => `${p.carnetNumber}.${p.position}`)).toEqual([
    '41.1',
    '41.2',
    '41.3',
    '41.4',
    '41.5',
    '42.1',
    '42.2',
    '42.3',
    '42.4',
    '42.5',
  ]);
  for (const p of passes) {
    const code = passCode(keys.code, p.carnetNumber, p.position);
    expect(p.codeHash).toBe(passLookupHash(keys.lookup, code));
    expect(JSON.stringify(p)).not.toContain(code.slice(8, 21));
  }
  expect(new Set(passes.map((p) => p.passId)).size).toBe(10);
});

test('chunks keep order and never exceed their size', () => {
  expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(chunks([], 2)).toEqual([]);
});
