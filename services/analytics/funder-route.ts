import { DomainError } from '@aptic/contracts';

/** Who reads a funder's figures: staff, and the funder's own token (another funder's id is unknown to it). */
export const funderFigures = {
  roles: ['support', 'finance', 'funder'],
  owner: 'funder',
  notFound: () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 }),
} as const;
