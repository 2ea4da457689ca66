/**
 * A place's payout of one period, from its close to the bank's answer:
 *   due → sent (in a run's SEPA file) | held (with a reason)
 *   held → sent (a later run, once fixed) | held (another reason) | carried (a net ≤ 0, folded into the next close)
 *   sent → executed | rejected (an ISO 20022 reason code)
 *   rejected → sent (a later run, once the bank details changed) | held
 * executed and carried are final. The allowed moves live here and nowhere else.
 */
import { electronicFormatIBAN, isValidBIC, validateIBAN } from 'ibantools';
import { DomainError } from '@aptic/contracts';

export const PayoutStatuses = ['due', 'held', 'sent', 'executed', 'rejected', 'carried'] as const;
export type PayoutStatus = (typeof PayoutStatuses)[number];

const allowed: Record<PayoutStatus, readonly PayoutStatus[]> = {
  due: ['sent', 'held'],
  held: ['sent', 'held', 'carried'],
  sent: ['executed', 'rejected'],
  rejected: ['sent', 'held'],
  executed: [],
  carried: [],
};

export const PayoutStatusLabels: Record<PayoutStatus, string> = {
  due: 'à payer',
  held: 'retenu',
  sent: 'envoyé à la banque',
  executed: 'exécuté',
  rejected: 'rejeté par la banque',
  carried: 'reporté sur le mois suivant',
};

export function assertPayoutMove(from: PayoutStatus, to: PayoutStatus): void {
  if (!allowed[from].includes(to)) {
    throw new DomainError(
      'invalid_payout_transition',
      `Le virement est « ${PayoutStatusLabels[from]} » : il ne peut pas passer à « ${PayoutStatusLabels[to]} ».`,
      { status: 409 },
    );
  }
}

export const HoldReasons = {
  no_iban: 'Aucun IBAN connu pour ce lieu.',
  invalid_iban: 'L’IBAN du lieu est invalide.',
  invalid_bic: 'Le BIC du lieu est invalide ou absent.',
  place_suspended: 'La qualification du lieu est suspendue.',
  place_revoked: 'La qualification du lieu est révoquée.',
  place_not_qualified: 'Le lieu n’est pas qualifié.',
  place_unknown: 'Le lieu est inconnu de la qualification.',
  net_not_positive:
    'Le net du mois est nul ou négatif (abonnement kit supérieur aux encaissements) : reporté sur le mois suivant.',
  bank_details_unchanged:
    'Le dernier virement a été rejeté par la banque : en attente de nouvelles coordonnées bancaires.',
} as const;
export type HoldReason = keyof typeof HoldReasons;

/** The reasons a bank returns a SEPA credit transfer for (ISO 20022 ExternalStatusReason1Code), the ones accepted here. */
export const RejectionCodes = {
  AC01: 'Numéro de compte incorrect',
  AC04: 'Compte clôturé',
  AC06: 'Compte bloqué',
  AC13: 'Type de compte invalide',
  AG01: 'Opération interdite sur ce compte',
  AG02: 'Code opération invalide',
  AM05: 'Doublon',
  BE04: 'Adresse du bénéficiaire manquante',
  MD07: 'Titulaire du compte décédé',
  MS02: 'Raison non précisée par le bénéficiaire',
  MS03: 'Raison non précisée par la banque',
  RC01: 'Identifiant de banque (BIC) incorrect',
  RR01: 'Identification du débiteur manquante (réglementaire)',
  RR02: 'Nom ou adresse du débiteur manquant (réglementaire)',
  RR03: 'Nom ou adresse du bénéficiaire manquant (réglementaire)',
  RR04: 'Motif réglementaire',
  FF01: 'Format de fichier invalide',
} as const;
export type RejectionCode = keyof typeof RejectionCodes;

export interface BankFacts {
  status: string;
  iban: string | null;
  bic: string | null;
  fingerprint: string | null;
}

export type RunDecision = { send: true; iban: string; bic: string } | { send: false; reason: HoldReason };

/** What a payout run does with a payout awaiting money, given the place's qualification and bank details now. */
export function decide(
  payout: { netCents: number; status: PayoutStatus; rejectedFingerprint: string | null },
  bank: BankFacts | undefined,
): RunDecision {
  if (payout.netCents <= 0) return { send: false, reason: 'net_not_positive' };
  if (!bank) return { send: false, reason: 'place_unknown' };
  if (bank.status === 'suspended') return { send: false, reason: 'place_suspended' };
  if (bank.status === 'revoked') return { send: false, reason: 'place_revoked' };
  if (bank.status !== 'qualified') return { send: false, reason: 'place_not_qualified' };
  if (!bank.iban) return { send: false, reason: 'no_iban' };
  const iban = electronicFormatIBAN(bank.iban) ?? '';
  if (!validateIBAN(iban).valid) return { send: false, reason: 'invalid_iban' };
  const bic = (bank.bic ?? '').replace(/\s+/g, '').toUpperCase();
  if (!isValidBIC(bic)) return { send: false, reason: 'invalid_bic' };
  if (payout.rejectedFingerprint !== null && payout.rejectedFingerprint === bank.fingerprint)
    return { send: false, reason: 'bank_details_unchanged' };
  return { send: true, iban, bic };
}

/** The remittance text the place reads on its bank statement. */
export const remittance = (period: string, passCount: number): string => `Pass #APTIC ${period} — ${passCount} pass`;

/** The end-to-end id of a payout's transfer: the payout's id, 32 hexadecimal characters (Max35Text). */
export const endToEndId = (payoutId: string): string => payoutId.replaceAll('-', '');
