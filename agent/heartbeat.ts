/**
 * The kiosk's heartbeat: every 30 s, while the link is up, what staff need to watch a fleet of
 * kiosks (version, layout, scanner, journal depth, clock offset), on the kiosk's own subject; once
 * more when the link comes back, and a last one, `stopping`, on a clean stop. Nothing is kept or
 * re-sent: a heartbeat missed is replaced by the next.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { MAX_AGE_SECONDS, type KioskHeartbeat } from '@aptic/contracts';
import type { Journal } from './journal.ts';
import type { ScanLink } from './link.ts';
import type { ScannerInfo } from './source.ts';

const HEARTBEAT_EVERY_MS = 30_000;

/** The agent's own version, as its package states it. */
const AGENT_VERSION = (
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface HeartbeatOptions {
  kioskId: string;
  layout: string;
  journal: Journal;
  link: ScanLink;
  log: Logger;
  everyMs?: number;
  now?: () => number;
}

export class Heartbeats {
  #o: HeartbeatOptions;
  #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #scanner: KioskHeartbeat['scanner'] = { connected: false, model: null, mode: null };
  #clockOffsetMs: number | null = null;
  #sending: Promise<void> | undefined;
  #started = false;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The scanner's latest state, carried by the next heartbeat; a scanner unplugged keeps its name. */
  scanner(connected: boolean, info?: ScannerInfo): void {
    this.#scanner = { connected, model: info?.model ?? this.#scanner.model, mode: info?.mode ?? this.#scanner.mode };
  }

  /** The first heartbeat waits for the agent to be ready (the scanner's state known). */
  start(): void {
    this.#started = true;
    this.#timer = setInterval(() => void this.beat(), this.#o.everyMs ?? HEARTBEAT_EVERY_MS);
    this.#timer.unref();
    void this.beat();
  }

  /** Sends one now (one at a time); the answer's time gives the clock offset for the next. */
  beat(stopping = false): Promise<void> {
    if (!this.#started) return Promise.resolve();
    this.#sending ??= this.#send(stopping).finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  /** The last heartbeat says the kiosk stopped on purpose: staff see it stopped, not silent. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sending;
    await this.beat(true);
  }

  async #send(stopping: boolean): Promise<void> {
    const sent = this.#now();
    const answer = await this.#o.link.heartbeat(this.message(sent, stopping));
    if (!answer) return;
    const received = this.#now();
    // The server's time was read about halfway through the round trip.
    this.#clockOffsetMs = Math.round(Date.parse(answer.receivedAt) - (sent + received) / 2);
    this.#o.log.debug({ clockOffsetMs: this.#clockOffsetMs, rttMs: received - sent }, 'heartbeat answered');
  }

  message(at: number, stopping = false): KioskHeartbeat {
    const depth = this.#o.journal.depth();
    const oldest = depth.oldestPendingAt === undefined ? undefined : Date.parse(depth.oldestPendingAt);
    return {
      kioskId: this.#o.kioskId,
      sentAt: new Date(at).toISOString(),
      version: AGENT_VERSION,
      layout: this.#o.layout,
      scanner: this.#scanner,
      journal: {
        pending: depth.pending,
        awaitingVerdict: depth.awaitingVerdict,
        max: depth.max,
        oldestPendingAgeSeconds:
          oldest === undefined ? null : Math.min(MAX_AGE_SECONDS, Math.max(0, Math.floor((at - oldest) / 1000))),
      },
      clockOffsetMs: this.#clockOffsetMs,
      stopping,
    };
  }
}
