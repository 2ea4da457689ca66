import { expect, test } from 'vitest';
import { OrderStatuses, assertMove, canMove, rulesEditable } from './lifecycle.ts';

test('the happy path and the expiry are the only ways forward', () => {
  const moves = OrderStatuses.flatMap((from) =>
    OrderStatuses.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`),
  );
  expect(moves).toEqual(['quoted→accepted', 'quoted→expired', 'accepted→invoiced', 'invoiced→paid', 'paid→closed']);
});

test('a refused move is a 409 that says where the order stands', () => {
  expect(() => assertMove('quoted', 'paid')).toThrowError(
    expect.objectContaining({ code: 'invalid_transition', status: 409 }),
  );
  expect(() => assertMove('closed', 'paid')).toThrow(/clôturée/);
});

test('usage rules freeze once the order is paid', () => {
  expect(rulesEditable('invoiced')).toBe(true);
  expect(rulesEditable('paid')).toBe(false);
  expect(rulesEditable('closed')).toBe(false);
});
