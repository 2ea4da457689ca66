import type { FastifyRequest } from 'fastify';
import { DomainError } from '@aptic/contracts';

/** Who did it, for audit rows: the token's name, role and id. */
export function actorOf(request: FastifyRequest): string {
  const p = request.principal;
  return p ? `${p.name} [${p.role}:${p.tokenId}]` : 'anonymous';
}

/**
 * A funder's token sees its own funder's data only. Another funder's record answers
 * 404, as if it did not exist, so that ids cannot be probed.
 */
export function assertFunderScope(request: FastifyRequest, funderId: string, notFound: () => DomainError): void {
  const p = request.principal;
  if (p?.role === 'funder' && p.funderId !== funderId) throw notFound();
}
