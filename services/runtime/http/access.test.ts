import { describe, expect, test } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { DomainError, type Role } from '@aptic/contracts';
import { assertScope, callerScope } from './access.ts';

const as = (role: Role, scopeId: string | null) =>
  ({ principal: { tokenId: 't', name: 'n', role, scopeId } }) as FastifyRequest;
const notFound = () => new DomainError('unknown_thing', 'Inconnu.', { status: 404 });
const sees = (request: FastifyRequest, owners: Parameters<typeof assertScope>[1]) => {
  try {
    assertScope(request, owners, notFound);
    return true;
  } catch (err) {
    expect(err).toMatchObject({ code: 'unknown_thing', status: 404 });
    return false;
  }
};

describe('scoped tokens see their own records only', () => {
  test('each scoped role is matched against the record’s owner for that role', () => {
    expect(sees(as('funder', 'f1'), { funder: 'f1' })).toBe(true);
    expect(sees(as('funder', 'f1'), { funder: 'f2' })).toBe(false);
    expect(sees(as('place', 'p1'), { place: 'p1', funder: 'f1' })).toBe(true);
    expect(sees(as('place', 'p1'), { place: 'p2' })).toBe(false);
    expect(sees(as('print-partner', 'pp1'), { 'print-partner': 'pp1' })).toBe(true);
    expect(sees(as('prescriber', 'x'), { prescriber: 'y' })).toBe(false);
  });

  test('closed by default: a record naming no owner for the caller’s role, or a token without scope, is refused', () => {
    expect(sees(as('print-partner', 'pp1'), { funder: 'pp1' })).toBe(false);
    expect(sees(as('place', 'p1'), { place: null })).toBe(false);
    expect(sees(as('print-partner', null), { 'print-partner': null })).toBe(false);
  });

  test('staff roles are not scoped', () => {
    for (const role of ['admin', 'finance', 'support'] as const) {
      expect(sees(as(role, null), { funder: 'f1' })).toBe(true);
      expect(callerScope(as(role, null))).toBeUndefined();
    }
    expect(callerScope(as('place', 'p1'))).toEqual({ role: 'place', id: 'p1' });
  });
});
