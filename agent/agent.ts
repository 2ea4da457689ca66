/**
 * The agent: barcodes from the scanner go through the scan session; a pass scanned in a session
 * becomes a ScanMessage, validated, journaled (committed to disk) and only then handed to the
 * link. Bad input is answered locally at once and changes nothing. Verdicts come back through the
 * link and are shown to the mediator, those of scans made offline marked as such.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ScanMessage, validate, type Verdict } from '@aptic/contracts';
import type { FeedbackOutput } from './feedback.ts';
import type { Heartbeats } from './heartbeat.ts';
import { JournalFullError, type Journal } from './journal.ts';
import type { ScanLink } from './link.ts';
import { IDLE, REFUSAL_MESSAGES, scan, tick, type SessionState } from './session.ts';
import type { ScannerSource } from './source.ts';

export interface AgentOptions {
  kioskId: string;
  sessionTimeoutMs: number;
  journal: Journal;
  source: ScannerSource;
  link: ScanLink;
  feedback: FeedbackOutput;
  log: Logger;
  /** The place's services by offer id, to name the chosen one (its barcode carries only the id). */
  offers?: Readonly<Record<string, string>>;
  /** The fleet heartbeat (NATS kiosks): fed the scanner's state, sent again when the link returns. */
  heartbeats?: Heartbeats;
  now?: () => number;
  /** Test hook: SIGKILL right after a scan is journaled, before the link sees it. */
  crashAfterJournal?: boolean;
}

const OFFLINE = 'HORS LIGNE : les scans sont gardés sur la borne et seront envoyés au retour du réseau';
const BACK_ONLINE = 'EN LIGNE : réseau rétabli, les scans gardés sur la borne sont envoyés';

export class Agent {
  #o: AgentOptions;
  #now: () => number;
  #session: SessionState = IDLE;
  #timer: NodeJS.Timeout | undefined;
  #fullAlarm = false;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { link, source, feedback, log, journal, heartbeats } = this.#o;
    const backlog = journal.pendingCount();
    if (backlog) log.info({ backlog }, 'scans from before the restart are waiting in the journal; sending them first');
    const status = (message: string) => feedback.show({ kind: 'status', message });
    let wasOffline = false;
    // Online or not before the first scan, so a pass scanned while the platform is up is not
    // shown as kept offline because the link had not heard from it yet.
    await link.start({
      online: () => {
        status(wasOffline ? BACK_ONLINE : 'en ligne');
        void heartbeats?.beat();
      },
      offline: () => ((wasOffline = true), status(OFFLINE)),
      sent: () => this.#checkJournalRoom(),
      verdict: (v) => this.#onVerdict(v),
      slow: () => status('la plateforme tarde à répondre : les verdicts s’afficheront dès leur arrivée'),
    });
    if (!link.online) (wasOffline = true), status(OFFLINE);
    await source.start({
      barcode: (code) => this.onBarcode(code),
      status: (state, detail, screen, scanner) => {
        (state === 'connected' ? log.info : log.warn).call(log, { scanner: state, ...scanner }, detail);
        heartbeats?.scanner(state === 'connected', scanner);
        status(screen);
      },
    });
    heartbeats?.start();
    this.#timer = setInterval(() => this.onTick(), 1_000);
    this.#timer.unref();
    log.info('agent ready');
  }

  /** A clean stop (SIGTERM, SIGINT): says so, and how many scans stay on the kiosk; never "hors ligne". */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#o.source.stop();
    await this.#o.heartbeats?.stop();
    await this.#o.link.stop();
    const kept = this.#o.journal.pendingCount();
    this.#o.feedback.show({
      kind: 'status',
      message: kept
        ? `Borne arrêtée : ${kept} scan(s) gardé(s) sur la borne, envoyé(s) au prochain démarrage`
        : 'Borne arrêtée',
    });
  }

  /** One barcode from the scanner. Public for tests. */
  onBarcode(text: string): void {
    const { feedback, log } = this.#o;
    const [next, outcome] = scan(this.#session, text, this.#now(), this.#o.sessionTimeoutMs);
    if (outcome.closed) {
      log.info(outcome.closed, 'session closed');
      feedback.show({ kind: 'session_closed', reason: outcome.closed.reason });
    }
    switch (outcome.kind) {
      case 'refused':
        this.#session = next;
        log.info({ reason: outcome.reason, length: text.length }, 'scan refused locally; nothing sent');
        feedback.show({ kind: 'refused', reason: outcome.reason, message: REFUSAL_MESSAGES[outcome.reason] });
        return;
      case 'session_opened':
        this.#session = next;
        log.info({ sessionId: outcome.sessionId, offerId: outcome.offerId }, 'session opened');
        feedback.show({ kind: 'session_opened', offerId: outcome.offerId, service: this.#o.offers?.[outcome.offerId] });
        return;
      case 'pass':
        // The session remembers the pass only once it is safely journaled.
        if (this.#journal({ sessionId: outcome.sessionId, offerId: outcome.offerId, code: outcome.code }))
          this.#session = next;
    }
  }

  onTick(): void {
    const [next, closed] = tick(this.#session, this.#now(), this.#o.sessionTimeoutMs);
    this.#session = next;
    if (closed) {
      this.#o.log.info({ sessionId: closed }, 'session closed (timeout)');
      this.#o.feedback.show({ kind: 'session_closed', reason: 'timeout' });
    }
  }

  #journal(pass: { sessionId: string; offerId: string; code: string }): boolean {
    const { journal, link, feedback, log } = this.#o;
    const offline = !link.online;
    const message = {
      scanId: randomUUID(),
      kioskId: this.#o.kioskId,
      ...pass,
      scannedAt: new Date(this.#now()).toISOString(),
      offline,
      // The platform bounds an offline scan's time by the arrival of the last scan answered here.
      ...(offline ? { lastVerdictScanId: journal.lastVerdictScanId() } : {}),
    };
    const checked = validate(ScanMessage, message);
    if (!checked.ok) {
      log.error({ refusal: checked.refusal }, 'scan does not fit the contract; nothing sent');
      feedback.show({
        kind: 'refused',
        reason: 'invalid_message',
        message: `Scan invalide (${checked.refusal.message}). Rien n’a été envoyé.`,
      });
      return false;
    }
    try {
      journal.add(checked.value);
    } catch (err) {
      const full = err instanceof JournalFullError;
      this.#fullAlarm ||= full;
      log.error(
        { err: String(err) },
        full ? 'journal full: scan refused' : 'could not write the journal: scan refused',
      );
      feedback.show({
        kind: 'alarm',
        message: full
          ? `Mémoire des scans pleine (${journal.pendingCount()} en attente d’envoi) : ce pass n’est PAS enregistré. Rétablissez le réseau puis rescannez-le.`
          : `Impossible d’écrire le journal (${String(err)}) : ce pass n’est PAS enregistré.`,
      });
      return false;
    }
    log.info({ scanId: message.scanId, sessionId: pass.sessionId, offline: message.offline }, 'scan journaled');
    if (this.#o.crashAfterJournal) process.kill(process.pid, 'SIGKILL');
    feedback.show({ kind: 'queued', code: pass.code, offline: message.offline });
    link.wake();
    return true;
  }

  #checkJournalRoom(): void {
    if (this.#fullAlarm && !this.#o.journal.isFull()) {
      this.#fullAlarm = false;
      this.#o.feedback.show({ kind: 'status', message: 'mémoire des scans de nouveau disponible' });
    }
  }

  #onVerdict(verdict: Verdict): void {
    const { journal, feedback, log } = this.#o;
    const scanned = journal.settle(verdict);
    if (!scanned) return void log.debug({ scanId: verdict.scanId }, 'verdict already shown (or not ours): ignored');
    log.info(
      {
        scanId: verdict.scanId,
        outcome: verdict.outcome,
        reason: verdict.outcome === 'denied' ? verdict.reason : undefined,
        offline: scanned.offline,
      },
      'verdict',
    );
    if (verdict.outcome === 'accepted')
      feedback.show({
        kind: 'accepted',
        code: scanned.code,
        faceValueCents: verdict.faceValueCents,
        late: scanned.offline,
      });
    else
      feedback.show({
        kind: 'denied',
        code: scanned.code,
        reason: verdict.reason,
        message: verdict.message,
        late: scanned.offline,
      });
  }
}
