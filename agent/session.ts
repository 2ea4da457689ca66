/**
 * A scan session, as a pure state machine: the mediator scans a service barcode (from the place's
 * service sheet) to choose the service, then each pass used for it. A new service barcode, or no
 * scan for `timeoutMs`, closes the session. Nothing here does I/O: the agent acts on the outcome.
 */
import { randomUUID } from 'node:crypto';
import { parseBarcode } from '@aptic/contracts';

export type SessionState =
  | { kind: 'idle' }
  | { kind: 'open'; sessionId: string; offerId: string; lastScanAt: number; codes: ReadonlySet<string> };

export type LocalRefusal = 'too_long' | 'unrecognised' | 'misread' | 'no_service' | 'already_scanned';

/** A session this scan closed: timed out before it, or replaced by a new service barcode. */
type Closed = { sessionId: string; reason: 'timeout' | 'new_service' } | undefined;

export type ScanOutcome =
  | { kind: 'session_opened'; sessionId: string; offerId: string; closed?: Closed }
  | { kind: 'pass'; sessionId: string; offerId: string; code: string; closed?: undefined }
  | { kind: 'refused'; reason: LocalRefusal; closed?: Closed };

export const REFUSAL_MESSAGES: Record<LocalRefusal, string> = {
  too_long: 'Code trop long : ce n’est ni un pass ni une fiche de service. Rien n’a été envoyé.',
  unrecognised: 'Code non reconnu : ce n’est ni un pass ni une fiche de service. Rien n’a été envoyé.',
  misread: 'Code mal saisi : vérifiez les chiffres imprimés sous le code-barres, ou scannez-le. Rien n’a été envoyé.',
  no_service: 'Choisissez d’abord le service : scannez sa fiche de service, puis les pass. Rien n’a été envoyé.',
  already_scanned: 'Ce pass a déjà été scanné pour ce service. Rien n’a été envoyé.',
};

export const IDLE: SessionState = { kind: 'idle' };

export function scan(
  state: SessionState,
  text: string,
  now: number,
  timeoutMs: number,
  newId: () => string = randomUUID,
): [SessionState, ScanOutcome] {
  const expired = timedOut(state, now, timeoutMs);
  const current = expired ? IDLE : state;
  const closed: Closed =
    expired && state.kind === 'open' ? { sessionId: state.sessionId, reason: 'timeout' } : undefined;
  const barcode = parseBarcode(text);
  switch (barcode.kind) {
    case 'invalid':
      return [current, { kind: 'refused', reason: barcode.reason, closed }];
    // A carnet's cover barcode is read when a prescripteur hands it out (distribution mode), never to pay.
    case 'carnet':
      return [current, { kind: 'refused', reason: 'unrecognised', closed }];
    case 'service': {
      const sessionId = newId();
      const previous: Closed =
        current.kind === 'open' ? { sessionId: current.sessionId, reason: 'new_service' } : closed;
      return [
        { kind: 'open', sessionId, offerId: barcode.offerId, lastScanAt: now, codes: new Set() },
        { kind: 'session_opened', sessionId, offerId: barcode.offerId, closed: previous },
      ];
    }
    case 'pass': {
      if (current.kind === 'idle') return [current, { kind: 'refused', reason: 'no_service', closed }];
      // One pass pays a service act once: a second read of the same pass is a double scan.
      if (current.codes.has(barcode.code)) return [current, { kind: 'refused', reason: 'already_scanned' }];
      const next = { ...current, lastScanAt: now, codes: new Set([...current.codes, barcode.code]) };
      return [next, { kind: 'pass', sessionId: current.sessionId, offerId: current.offerId, code: barcode.code }];
    }
  }
}

/** Called periodically: closes a session left open. Returns the closed session's id, if any. */
export function tick(state: SessionState, now: number, timeoutMs: number): [SessionState, string | undefined] {
  if (state.kind === 'open' && timedOut(state, now, timeoutMs)) return [IDLE, state.sessionId];
  return [state, undefined];
}

function timedOut(state: SessionState, now: number, timeoutMs: number): boolean {
  return state.kind === 'open' && now - state.lastScanAt >= timeoutMs;
}
