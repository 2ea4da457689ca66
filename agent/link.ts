/**
 * The kiosk's NATS link. Connects with the kiosk's own credential and inbox prefix (it may read
 * nothing else), publishes the journal oldest first with JetStream (scanId as Nats-Msg-Id, so a
 * scan re-sent after a crash is stored once), deletes a scan only once JetStream acknowledged
 * it, and collects verdicts: live on the kiosk's verdict subject, and after every
 * (re)connection from the kiosk's own durable consumer, for those it missed.
 */
import { connect, credsAuthenticator, JSONCodec, type NatsConnection, type Msg, type JetStreamClient } from 'nats';
import type { Logger } from 'pino';
import { natsNames, validate, Verdict, type ScanMessage } from '@aptic/contracts';
import type { Journal } from './journal.ts';

export interface LinkEvents {
  online(): void;
  offline(detail: string): void;
  /** JetStream stored the scan (`duplicate`: it already had it, from a send before a crash). */
  sent(scan: ScanMessage, duplicate: boolean): void;
  verdict(verdict: Verdict): void;
}

export interface LinkOptions {
  url: string;
  creds: Uint8Array;
  kioskId: string;
  prefix: string;
  journal: Journal;
  log: Logger;
  publishTimeoutMs?: number;
  /** Test hook: SIGKILL the process right after JetStream acknowledged a scan, before the journal forgets it. */
  crashAfterPublish?: boolean;
}

/** What the agent needs from a link: also implemented by a fake in unit tests. */
export interface ScanLink {
  readonly online: boolean;
  /** Starts the link; resolves once its first attempt to reach the platform has answered or timed out. */
  start(events: LinkEvents): Promise<void>;
  /** A scan was journaled: send it. */
  wake(): void;
  stop(): Promise<void>;
}

const json = JSONCodec();
const RETRY_MAX_MS = 30_000;
const COLLECT_EVERY_MS = 30_000;
/** How long start waits for the first connection before the agent takes scans (kept offline meanwhile). */
export const FIRST_CONTACT_MS = 3_000;

export class NatsLink implements ScanLink {
  #o: Required<LinkOptions>;
  #names;
  #events: LinkEvents | undefined;
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #online = false;
  #stopped = false;
  #wakeUp: (() => void) | undefined;
  #collecting: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #publishing: Promise<void> | undefined;

  constructor(options: LinkOptions) {
    this.#o = { publishTimeoutMs: 5_000, crashAfterPublish: false, ...options };
    this.#names = natsNames(options.prefix).kiosk;
  }

  get online(): boolean {
    return this.#online;
  }

  async start(events: LinkEvents): Promise<void> {
    this.#events = events;
    this.#publishing = this.#publishLoop();
    let connected = () => {};
    const firstContact = new Promise<void>((resolve) => (connected = resolve));
    void this.#run(connected);
    this.#timers.push(setInterval(() => void this.#collect(), COLLECT_EVERY_MS));
    await Promise.race([firstContact, new Promise((r) => this.#timers.push(setTimeout(r, FIRST_CONTACT_MS)))]);
  }

  wake(): void {
    this.#wakeUp?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.wake();
    await this.#nc?.drain().catch(() => {});
    // Not the connection loop: a first connection still being attempted cannot be cancelled,
    // and nothing is lost by leaving it (the process exits; #connect closes it if it lands).
    await this.#publishing;
  }

  /** Connection life: connect (waiting as long as needed), serve, and start over if it ever closes. */
  async #run(connected: () => void): Promise<void> {
    while (!this.#stopped) {
      try {
        const nc = await this.#connect();
        connected();
        await nc.closed();
      } catch (err) {
        this.#o.log.error({ err }, 'NATS connection failed');
      }
      this.#setOffline('connection closed');
      if (!this.#stopped) await new Promise((r) => setTimeout(r, 5_000));
    }
  }

  async #connect(): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.#o.url,
      authenticator: credsAuthenticator(this.#o.creds),
      inboxPrefix: this.#names.inboxPrefix(this.#o.kioskId),
      name: `aptic-agent ${this.#o.kioskId}`,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      pingInterval: 10_000,
    });
    if (this.#stopped) {
      await nc.close();
      return nc;
    }
    this.#nc = nc;
    this.#js = nc.jetstream({ timeout: this.#o.publishTimeoutMs });
    void this.#watch(nc);
    nc.subscribe(this.#names.verdicts(this.#o.kioskId), {
      callback: (err, msg) => (err ? this.#o.log.error({ err }, 'verdict subscription failed') : this.#onVerdict(msg)),
    });
    await nc.flush();
    this.#setOnline();
    return nc;
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.#setOffline(`disconnected from ${String(s.data)}`);
      else if (s.type === 'reconnect') this.#setOnline();
      else if (s.type === 'error')
        this.#o.log.error(
          { detail: String(s.data), permission: (s as { permissionContext?: unknown }).permissionContext },
          permissionHint(String(s.data)),
        );
    }
  }

  #setOnline(): void {
    this.#online = true;
    this.#o.log.info('NATS connected');
    this.#events?.online();
    this.wake();
    void this.#collect();
  }

  #setOffline(detail: string): void {
    if (!this.#online) return;
    this.#online = false;
    this.#o.log.warn({ detail }, 'NATS offline: scans are journaled and sent when it returns');
    this.#events?.offline(detail);
  }

  /** Sends the journal in order, one scan at a time, so the stream holds them in scan order. */
  async #publishLoop(): Promise<void> {
    let retryMs = 500;
    while (!this.#stopped) {
      const batch = this.#online && this.#js ? this.#o.journal.pending(100) : [];
      if (batch.length === 0) {
        await this.#idle(5_000);
        continue;
      }
      const failed = await this.#publish(batch);
      if (failed) {
        await this.#idle(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      } else retryMs = 500;
    }
  }

  /** Publishes a batch in order; returns true when it stopped on a failure (the rest stays journaled). */
  async #publish(batch: ScanMessage[]): Promise<boolean> {
    const subject = this.#names.scans(this.#o.kioskId);
    for (const scan of batch) {
      if (this.#stopped || !this.#online || !this.#js) return true;
      try {
        const ack = await this.#js.publish(subject, json.encode(scan), { msgID: scan.scanId });
        if (this.#o.crashAfterPublish) process.kill(process.pid, 'SIGKILL');
        this.#o.journal.markSent(scan);
        this.#o.log.info({ scanId: scan.scanId, seq: ack.seq, duplicate: ack.duplicate }, 'scan published');
        this.#events?.sent(scan, ack.duplicate);
      } catch (err) {
        this.#o.log.warn(
          { err: String(err), scanId: scan.scanId, subject },
          'scan not acknowledged yet; kept in the journal, retrying',
        );
        return true;
      }
    }
    return false;
  }

  /** Pulls the verdicts missed while offline from the kiosk's own durable consumer. */
  #collect(): Promise<void> {
    this.#collecting ??= this.#drainConsumer().finally(() => (this.#collecting = undefined));
    return this.#collecting;
  }

  async #drainConsumer(): Promise<void> {
    const nc = this.#nc;
    if (!nc || !this.#online) return;
    try {
      const consumer = await nc
        .jetstream()
        .consumers.get(this.#names.verdictStream, this.#names.verdictConsumer(this.#o.kioskId));
      for (;;) {
        const msg = await consumer.next({ expires: 1_000 });
        if (!msg) return;
        this.#onVerdict(msg);
        msg.ack();
      }
    } catch (err) {
      this.#o.log.warn({ err: String(err) }, 'could not collect pending verdicts (will retry)');
    }
  }

  #onVerdict(msg: Pick<Msg, 'data'>): void {
    let body: unknown;
    try {
      body = json.decode(msg.data);
    } catch {
      body = undefined;
    }
    const checked = validate(Verdict, body);
    if (!checked.ok) return void this.#o.log.warn({ refusal: checked.refusal }, 'ignored a malformed verdict');
    this.#events?.verdict(checked.value);
  }

  /** Waits for a wake-up (new scan, reconnection, stop) or the delay. */
  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
  }
}

function permissionHint(detail: string): string {
  if (/permission/i.test(detail))
    return 'NATS refused an operation: this kiosk’s credential does not allow it (does AGENT_KIOSK_ID match the credential file?)';
  if (/authori[sz]ation|authentication|expired|revoked/i.test(detail))
    return 'NATS refused the kiosk’s credential: it may be revoked or expired; ask for new kiosk credentials';
  return 'NATS error';
}
