/**
 * What the mediator sees and hears. One line per event, in French (the mediator's language), a
 * terminal bell per verdict (one for accepted, three for refused, five for an alarm), and a
 * pluggable `Beeper` for a real buzzer. The pattern of beeps is the feedback a mediator with a
 * scanner in hand and eyes on the beneficiary relies on.
 */
import type { Writable } from 'node:stream';
import { printedPassCode } from '@aptic/contracts';

export type Feedback =
  | { kind: 'status'; message: string }
  | { kind: 'session_opened'; offerId: string; service: string | undefined }
  | { kind: 'session_closed'; reason: 'timeout' | 'new_service' }
  | { kind: 'queued'; code: string; offline: boolean }
  | { kind: 'accepted'; code: string; faceValueCents: number; late: boolean }
  | { kind: 'denied'; code: string; reason: string; message: string; late: boolean }
  | { kind: 'refused'; reason: string; message: string }
  | { kind: 'alarm'; message: string };

export interface FeedbackOutput {
  show(feedback: Feedback): void;
}

type BeepPattern = 'ok' | 'error' | 'alarm';

export interface Beeper {
  beep(pattern: BeepPattern): void;
}

const BEEPS: Record<BeepPattern, number> = { ok: 1, error: 3, alarm: 5 };

/** The terminal's own bell (BEL characters), for a kiosk with speakers and no buzzer. */
export function terminalBell(out: Writable): Beeper {
  return { beep: (pattern) => void out.write('\x07'.repeat(BEEPS[pattern])) };
}

const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** A late verdict names its pass: the mediator has scanned others since. */
const late = (f: { late: boolean; code: string }) =>
  f.late ? ` (pass ${printedPassCode(f.code)}, scanné hors ligne)` : '';

/**
 * The line the mediator reads, or none: a pass sent online gets its verdict line within moments,
 * so only a pass kept for later says so. Reason codes stay in the logs, never on the screen.
 */
export function describe(f: Feedback): string | undefined {
  switch (f.kind) {
    case 'status':
      return `· ${f.message}`;
    case 'session_opened':
      return f.service ? `▶ Service choisi : ${f.service}. Scannez les pass.` : '▶ Service choisi. Scannez les pass.';
    case 'session_closed':
      return f.reason === 'timeout'
        ? '■ Session fermée (inactivité) : scannez une fiche de service.'
        : '■ Session précédente fermée.';
    case 'queued':
      return f.offline
        ? `… Pass ${printedPassCode(f.code)} enregistré hors ligne : il sera envoyé au retour du réseau.`
        : undefined;
    case 'accepted':
      return `✔ Pass accepté — ${euros.format(f.faceValueCents / 100)}${late(f)}`;
    case 'denied':
      return `✘ Pass refusé — ${f.message}${late(f)}`;
    case 'refused':
      return `✘ ${f.message}`;
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
    const line = describe(f);
    if (f.kind === 'status') this.#status = f.message;
    if (line !== undefined) {
      if (tty) this.#out.write('\r\x1b[K');
      this.#out.write(`${line}\n`);
      if (tty && this.#status) this.#out.write(`(${this.#status})`);
    }
    const beep = pattern(f);
    if (beep) this.#beeper?.beep(beep);
  }
}
