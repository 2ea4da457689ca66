/**
 * Taking back an accepted pass (annulation). The kiosk that scanned it may, within minutes (a
 * mis-scan); staff may later, with a reason, until the place's month is settled (endossement):
 * after that, money has moved and a correction is settlement's business.
 */
export const KIOSK_UNDO_WINDOW_MS = 15 * 60_000;

export type Canceller = { kind: 'kiosk'; kioskId: string } | { kind: 'staff'; reason: string };

export interface RedemptionFacts {
  kioskId: string;
  acceptedAt: Date;
  cancelled: boolean;
  /** The place's month of this redemption is settled. */
  settled: boolean;
}

export type CancelDecision =
  | { ok: true }
  | {
      ok: false;
      code: 'already_cancelled' | 'period_settled' | 'not_this_kiosk' | 'undo_window_passed';
      message: string;
    };

const refuse = (code: Exclude<CancelDecision, { ok: true }>['code'], message: string): CancelDecision => ({
  ok: false,
  code,
  message,
});

export function mayCancel(redemption: RedemptionFacts, by: Canceller, now: Date): CancelDecision {
  if (redemption.cancelled) return refuse('already_cancelled', 'Ce passage a déjà été annulé.');
  if (redemption.settled)
    return refuse(
      'period_settled',
      'Le mois de ce passage est déjà réglé à la structure : il ne peut plus être annulé.',
    );
  if (by.kind === 'staff') return { ok: true };
  if (by.kioskId !== redemption.kioskId)
    return refuse('not_this_kiosk', 'Seule la borne qui a scanné ce pass peut l’annuler.');
  if (now.getTime() - redemption.acceptedAt.getTime() > KIOSK_UNDO_WINDOW_MS) {
    return refuse('undo_window_passed', 'Plus de 15 minutes depuis le scan : demandez l’annulation à #APTIC.');
  }
  return { ok: true };
}

/** The month (YYYY-MM, in Paris) a redemption is settled in: that of its scan. */
export function settlementMonth(businessDate: string): string {
  return businessDate.slice(0, 7);
}

/**
 * Offline scans come late: when one was scanned before a redemption made online meanwhile,
 * the earliest scan wins (first come by scan time), and the later one is cancelled and recorded.
 */
export function earlierScanWins(offlineScannedAt: Date, existing: { scannedAt: Date; settled: boolean }): boolean {
  return !existing.settled && offlineScannedAt.getTime() < existing.scannedAt.getTime();
}
