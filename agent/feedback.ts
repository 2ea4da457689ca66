/**
 * What the mediator sees and hears. One line per event, in French (the mediator's language), a
 * terminal bell per verdict (one for accepted, three for refused, five for an alarm), and a
 * pluggable `Beeper` for a real buzzer. The pattern of beeps is the feedback a mediator with a
 * scanner in hand and eyes on the beneficiary relies on.
 */
import type { Writable } from 'node:stream';

export type Feedback =
  | { kind: 'status'; message: string }
  | { kind: 'session_opened'; offerId: string }
  | { kind: 'session_closed'; reason: 'timeout' | 'new_service' }
  | { kind: 'queued'; code: string; offline: boolean }
  | { kind: 'accepted'; code: string; message: string; late: boolean }
  | { kind: 'denied'; code: string; reason: string; message: string; late: boolean }
  | { kind: 'refused'; reason: string; message: string }
  | { kind: 'alarm'; message: string };

export interface FeedbackOutput {
  show(feedback: Feedback): void;
}

export type BeepPattern = 'ok' | 'error' | 'alarm';

export interface Beeper {
  beep(pattern: BeepPattern): void;
}

const BEEPS: Record<BeepPattern, number> = { ok: 1, error: 3, alarm: 5 };

/** The terminal's own bell (BEL characters), for a kiosk with speakers and no buzzer. */
export function terminalBell(out: Writable): Beeper {
  return { beep: (pattern) => void out.write('\x07'.repeat(BEEPS[pattern])) };
}

export function describe(f: Feedback): string {
  switch (f.kind) {
    case 'status':
      return `· ${f.message}`;
    case 'session_opened':
      return `▶ Service choisi (${f.offerId}) : scannez les pass.`;
    case 'session_closed':
      return f.reason === 'timeout' ? '■ Session fermée (inactivité) : scannez une fiche de service.' : '■ Session précédente fermée.';
    case 'queued':
      return f.offline ? `… Pass ${f.code} enregistré hors ligne : il sera envoyé au retour du réseau.` : `… Pass ${f.code} envoyé, en attente de réponse.`;
    case 'accepted':
      return `✔ ${f.late ? '[hors ligne] ' : ''}Pass ${f.code} accepté : ${f.message}`;
    case 'denied':
      return `✘ ${f.late ? '[hors ligne] ' : ''}Pass ${f.code} REFUSÉ (${f.reason}) : ${f.message}`;
    case 'refused':
      return `✘ ${f.message} [${f.reason}]`;
    case 'alarm':
      return `!!! ALERTE : ${f.message}`;
  }
}

function pattern(f: Feedback): BeepPattern | undefined {
  if (f.kind === 'accepted') return 'ok';
  if (f.kind === 'denied' || f.kind === 'refused') return 'error';
  if (f.kind === 'alarm') return 'alarm';
  return undefined;
}

/** Lines on a stream (stdout); on a terminal, a status line is kept at the bottom. */
export class TerminalFeedback implements FeedbackOutput {
  #out: Writable & { isTTY?: boolean };
  #beeper: Beeper | undefined;
  #status = '';

  constructor(out: Writable & { isTTY?: boolean }, beeper?: Beeper) {
    this.#out = out;
    this.#beeper = beeper;
  }

  show(f: Feedback): void {
    const tty = this.#out.isTTY === true;
    if (tty) this.#out.write('\r\x1b[K');
    this.#out.write(`${describe(f)}\n`);
    if (f.kind === 'status') this.#status = f.message;
    if (tty && this.#status) this.#out.write(`[${this.#status}]`);
    const beep = pattern(f);
    if (beep) this.#beeper?.beep(beep);
  }
}
