import { DomainError, frenchDate, lastRedemptionDay } from '@aptic/contracts';
import { PASS_FACE_VALUE_CENTS } from './pricing.ts';

/** Days between an invoice's date and its due date. */
export const PAYMENT_TERM_DAYS = 30;
/** Days a quote stays open for acceptance. */
export const QUOTE_VALIDITY_DAYS = 30;

export interface Allocation {
  faceValuePaidCents: number;
  servicesPaidCents: number;
  /** Received beyond both invoices: held for the funder and shown, never lost. */
  overpaidCents: number;
  faceValueCovered: boolean;
}

/**
 * Spreads what the funder has paid over the order's two invoices: the face value first
 * (printing waits for it), then fees and services.
 */
export function allocatePayments(faceValueDueCents: number, servicesDueCents: number, receivedCents: number): Allocation {
  const faceValuePaidCents = Math.min(receivedCents, faceValueDueCents);
  const servicesPaidCents = Math.min(receivedCents - faceValuePaidCents, servicesDueCents);
  return {
    faceValuePaidCents,
    servicesPaidCents,
    overpaidCents: receivedCents - faceValuePaidCents - servicesPaidCents,
    faceValueCovered: faceValuePaidCents === faceValueDueCents,
  };
}

export interface AvailableCredit {
  creditNoteId: string;
  remainingCents: number;
}

/** Uses the funder's credit notes (avoirs), oldest first, against a face-value invoice. */
export function applyCredits(amountCents: number, credits: readonly AvailableCredit[]): { applications: { creditNoteId: string; amountCents: number }[]; dueCents: number } {
  let dueCents = amountCents;
  const applications: { creditNoteId: string; amountCents: number }[] = [];
  for (const credit of credits) {
    if (dueCents === 0) break;
    const used = Math.min(dueCents, credit.remainingCents);
    if (used > 0) applications.push({ creditNoteId: credit.creditNoteId, amountCents: used });
    dueCents -= used;
  }
  return { applications, dueCents };
}

/** The order may close once no pass can be redeemed any more; the unused face value becomes a credit note. */
export function closing(input: { validUntil: string; today: string; passCount: number; redeemed: number }): { unusedPasses: number; creditCents: number } {
  const last = lastRedemptionDay(input.validUntil);
  if (input.today <= last) {
    throw new DomainError('validity_not_ended', `Les pass de cette commande sont encore utilisables jusqu'au ${frenchDate(last)} : la commande ne peut pas être clôturée.`, { status: 409 });
  }
  const unusedPasses = Math.max(0, input.passCount - input.redeemed);
  return { unusedPasses, creditCents: unusedPasses * PASS_FACE_VALUE_CENTS };
}
