import { expect, test } from 'vitest';
import { readPassCode } from '@aptic/contracts';
import { chunks, passesOf } from './issuance.ts';

test('each carnet gets its passes, numbered from 1, with codes that say so', () => {
  const passes = passesOf([41, 42], 5, 'k');
  expect(passes).toHaveLength(10);
  expect(passes.map((p) => `${p.carnetNumber}.${p.position}`)).toEqual(['41.1', '41.2', '41.3', '41.4', '41.5', '42.1', '42.2', '42.3', '42.4', '42.5']);
  for (const p of passes) expect(readPassCode(p.code)).toEqual({ ok: true, carnetNumber: p.carnetNumber, position: p.position });
  expect(new Set(passes.map((p) => p.passId)).size).toBe(10);
});

test('chunks keep order and never exceed their size', () => {
  expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(chunks([], 2)).toEqual([]);
});
