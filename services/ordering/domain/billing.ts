import { DomainError } from '@aptic/contracts';
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
export function allocatePayments(
  faceValueDueCents: number,
  servicesDueCents: number,
  receivedCents: number,
): Allocation {
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
export function applyCredits(
  amountCents: number,
  credits: readonly AvailableCredit[],
): { applications: { creditNoteId: string; amountCents: number }[]; dueCents: number } {
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

/** What redemption announces when an order's redemption window closes: its final count. */
export interface FinalCount {
  passCount: number;
  redeemedCount: number;
  unredeemedCount: number;
  unredeemedValueCents: number;
}

/**
 * An order closes on redemption's final count, never on a count of its own: the unredeemed face
 * value becomes a credit note. A count that does not add up for this order is refused, not credited.
 */
export function closing(passCount: number, final: FinalCount): { unusedPasses: number; creditCents: number } {
  const consistent =
    final.passCount === passCount &&
    final.redeemedCount + final.unredeemedCount === passCount &&
    final.unredeemedValueCents === final.unredeemedCount * PASS_FACE_VALUE_CENTS;
  if (!consistent) {
    throw new DomainError(
      'final_count_mismatch',
      `Le décompte final (${final.redeemedCount} pass encaissés sur ${final.passCount}) ne correspond pas à la commande de ${passCount} pass.`,
      { status: 422 },
    );
  }
  return { unusedPasses: final.unredeemedCount, creditCents: final.unredeemedValueCents };
}
