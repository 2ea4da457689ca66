import { DomainError } from '@aptic/contracts';

/**
 * The proof (bon à tirer, BAT) of an order's carnets: sent to the funder, approved or rejected with
 * comments, or expired after 7 calendar days without an answer. Printing starts only on approval.
 */
const ProofStatuses = ['sent', 'approved', 'rejected', 'expired'] as const;
export type ProofStatus = (typeof ProofStatuses)[number];

export const PROOF_ANSWER_DAYS = 7;
/** Printing and delivery, after approval. */
export const PRINT_WORKING_DAYS = 15;

const answered: Record<ProofStatus, boolean> = { sent: false, approved: true, rejected: true, expired: true };

/** Only a proof awaiting an answer may be approved, rejected or expire. */
export function assertAwaitingAnswer(status: ProofStatus): void {
  if (answered[status])
    throw new DomainError(
      'proof_already_answered',
      `Ce BAT est déjà ${status === 'approved' ? 'validé' : status === 'rejected' ? 'refusé' : 'expiré'} : envoyer un nouveau BAT si besoin.`,
      { status: 409 },
    );
}

/** A new proof may be sent unless one is awaiting an answer or one was approved. */
export function assertMaySend(previous: ProofStatus[]): void {
  if (previous.includes('approved'))
    throw new DomainError('proof_already_approved', 'Le BAT de cette commande est déjà validé.', { status: 409 });
  if (previous.includes('sent'))
    throw new DomainError('proof_pending', 'Un BAT attend déjà la réponse du commanditaire.', { status: 409 });
}

/** The options that buy a logo, by where it is printed. */
export const LOGO_OPTIONS = { pass: 'logo_pass', cover: 'logo_cover' } as const;
export type LogoSlot = keyof typeof LOGO_OPTIONS;
const SLOT_NAMES: Record<LogoSlot, string> = { pass: 'les pass', cover: 'la couverture' };

/**
 * A proof shows what will be printed: an order that bought a logo has no proof until that logo is
 * uploaded (the print file would go out without what the funder paid for).
 */
export function assertLogosUploaded(options: readonly string[], uploaded: readonly string[]): void {
  const missing = (Object.keys(LOGO_OPTIONS) as LogoSlot[]).filter(
    (slot) => options.includes(LOGO_OPTIONS[slot]) && !uploaded.includes(slot),
  );
  if (missing.length > 0)
    throw new DomainError(
      'logo_missing',
      `La commande a acheté un logo pour ${missing.map((s) => SLOT_NAMES[s]).join(' et ')} : déposez-le avant d’envoyer le BAT.`,
      { status: 409, field: `logo_${missing[0]}` },
    );
}
