import type { FastifyRequest } from 'fastify';
import { type DomainError, isScopedRole, type ScopedRole } from '@aptic/contracts';

/** Who did it, for audit rows: the token's name, role and id. */
export function actorOf(request: FastifyRequest): string {
  const p = request.principal;
  return p ? `${p.name} [${p.role}:${p.tokenId}]` : 'anonymous';
}

/** The record a scoped caller is confined to (its role and id); undefined for staff roles. */
export function callerScope(request: FastifyRequest): { role: ScopedRole; id: string | null } | undefined {
  const p = request.principal;
  return p && isScopedRole(p.role) ? { role: p.role, id: p.scopeId } : undefined;
}

/** Who a record belongs to, per scoped role: `{ funder: order.funderId, 'print-partner': job.partnerId }`. */
export type RecordScope = Partial<Record<ScopedRole, string | null | undefined>>;

/**
 * A scoped token (funder, place, print partner, prescriber) sees a record only when the record
 * names the token's own scope id for the token's role; otherwise the record answers 404, as if it
 * did not exist, so that ids cannot be probed. A record that names no owner for the caller's role
 * is refused too (closed by default). Staff roles pass: the route's roles already chose them.
 */
export function assertScope(request: FastifyRequest, owners: RecordScope, notFound: () => DomainError): void {
  const scope = callerScope(request);
  if (scope && (scope.id === null || owners[scope.role] !== scope.id)) throw notFound();
}
