import { DomainError } from '@aptic/contracts';

/**
 * A place's qualification, from its application to its end:
 *   applied → assessed (questionnaire scored; a proposal awaits staff) → qualified | refused
 *   refused → assessed (it may apply again with a new questionnaire)
 *   qualified ⇄ suspended, qualified | suspended → revoked (final).
 * The allowed transitions live here and nowhere else.
 */
export const PlaceStatuses = ['applied', 'assessed', 'qualified', 'refused', 'suspended', 'revoked'] as const;
export type PlaceStatus = (typeof PlaceStatuses)[number];

const allowed: Record<PlaceStatus, readonly PlaceStatus[]> = {
  applied: ['assessed'],
  // Answering again replaces the proposal before staff decide.
  assessed: ['assessed', 'qualified', 'refused'],
  refused: ['assessed'],
  qualified: ['suspended', 'revoked'],
  suspended: ['qualified', 'revoked'],
  revoked: [],
};

const labels: Record<PlaceStatus, string> = {
  applied: 'candidature déposée',
  assessed: 'questionnaire évalué',
  qualified: 'qualifiée',
  refused: 'refusée',
  suspended: 'suspendue',
  revoked: 'révoquée',
};

export function canMove(from: PlaceStatus, to: PlaceStatus): boolean {
  return allowed[from].includes(to);
}

/** Refuses a move the lifecycle does not allow, saying where the place stands. */
export function assertMove(from: PlaceStatus, to: PlaceStatus): void {
  if (!canMove(from, to)) {
    throw new DomainError(
      'invalid_transition',
      `Le lieu est « ${labels[from]} » : il ne peut pas passer à « ${labels[to]} ».`,
      { status: 409 },
    );
  }
}

/** Kiosks and kits are for places that are (or were, while suspended) qualified. */
export function mayOperate(status: PlaceStatus): boolean {
  return status === 'qualified' || status === 'suspended';
}
