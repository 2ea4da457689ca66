import { expect, test } from 'vitest';
import { PlaceStatuses, assertMove, canMove } from './lifecycle.ts';

test('the allowed moves, and only those', () => {
  const moves = PlaceStatuses.flatMap((from) =>
    PlaceStatuses.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`),
  );
  expect(moves).toEqual([
    'applied→assessed',
    'assessed→assessed',
    'assessed→qualified',
    'assessed→refused',
    'qualified→suspended',
    'qualified→revoked',
    'refused→assessed',
    'suspended→qualified',
    'suspended→revoked',
  ]);
});

test('revocation is final; a refused move is a 409 saying where the place stands', () => {
  expect(() => assertMove('revoked', 'qualified')).toThrowError(
    expect.objectContaining({ code: 'invalid_transition', status: 409 }),
  );
  expect(() => assertMove('applied', 'qualified')).toThrow(/candidature déposée/);
});
