/**
 * The kiosk's NATS link. Connects with the kiosk's own credential and inbox prefix (it may read
 * nothing else), publishes the journal oldest first with JetStream (scanId as Nats-Msg-Id, so a
 * scan re-sent after a crash is stored once), deletes a scan only once JetStream acknowledged
 * it, and collects verdicts: live on the kiosk's verdict subject, and after every
 * (re)connection from the kiosk's own durable consumer, for those it missed.
 *
 * A stalled link (a half-open connection, a frozen server) is seen within seconds, not at the next
 * two-minute ping: pings every 2 s, the connection dropped after 3 unanswered (6 to 8 s); a publish
 * that times out, or a verdict that does not come while the server does not answer a ping either,
 * marks the link offline at once. The link is back online on reconnection, on a publish
 * acknowledged, or (nothing left to send) on a ping answered. A stop is not an outage: it says nothing.
 */
import { connect, credsAuthenticator, JSONCodec, type NatsConnection, type Msg, type JetStreamClient } from 'nats';
import type { Logger } from 'pino';
import { HeartbeatAnswer, natsNames, validate, Verdict, type KioskHeartbeat, type ScanMessage } from '@aptic/contracts';
import type { Journal } from './journal.ts';

export interface LinkEvents {
  online(): void;
  offline(detail: string): void;
  /** JetStream stored the scan (`duplicate`: it already had it, from a send before a crash). */
  sent(scan: ScanMessage, duplicate: boolean): void;
  verdict(verdict: Verdict): void;
  /** Scans sent, their verdict late, while the server still answers: the platform is slow, not the link. */
  slow(): void;
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
  /** Sends a heartbeat while online; resolves with the platform's answer, undefined when not sent or not answered. */
  heartbeat(beat: KioskHeartbeat): Promise<HeartbeatAnswer | undefined>;
  stop(): Promise<void>;
}

const json = JSONCodec();
const RETRY_MAX_MS = 30_000;
const COLLECT_EVERY_MS = 30_000;
/** Kiosk-tuned liveness (the client's defaults, 2 min × 2, would leave a dead link unseen for minutes). */
const PING_INTERVAL_MS = 2_000;
const MAX_PINGS_OUT = 3;
/** A verdict not back this long after the publish was acknowledged: is the server still there? */
const VERDICT_WAIT_MS = 5_000;
const PROBE_MS = 2_000;
/** How long start waits for the first connection before the agent takes scans (kept offline meanwhile). */
export const FIRST_CONTACT_MS = 3_000;

export class NatsLink implements ScanLink {
  #o: Required<LinkOptions>;
  #names;
  #events: LinkEvents | undefined;
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #online = false;
  /** The client's own view: connected (or reconnected) and not since disconnected. */
  #connected = false;
  #stopped = false;
  /** Scans acknowledged by JetStream in this run whose verdict has not come: scan id → when acknowledged. */
  #inFlight = new Map<string, number>();
  #probing = false;
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
    this.#timers.push(setInterval(() => void this.#checkVerdicts(), 1_000));
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
      this.#connected = false;
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
      // A server that accepts the TCP connection but never answers (frozen) is given up in 5 s, not 20.
      timeout: 5_000,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
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
    this.#connected = true;
    this.#setOnline();
    return nc;
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.#connected = false;
        this.#setOffline(`disconnected from ${String(s.data)}`);
      } else if (s.type === 'reconnect') {
        this.#connected = true;
        this.#setOnline();
      } else if (s.type === 'staleConnection') this.#o.log.warn('NATS pings unanswered: connection dropped');
      else if (s.type === 'error')
        this.#o.log.error(
          { detail: String(s.data), permission: (s as { permissionContext?: unknown }).permissionContext },
          permissionHint(String(s.data)),
        );
    }
  }

  #setOnline(): void {
    if (this.#stopped || this.#online) return;
    this.#inFlight.clear();
    this.#online = true;
    this.#o.log.info('NATS connected');
    this.#events?.online();
    this.wake();
    void this.#collect();
  }

  #setOffline(detail: string): void {
    if (!this.#online || this.#stopped) return;
    this.#online = false;
    this.#o.log.warn({ detail }, 'NATS offline: scans are journaled and sent when it returns');
    this.#events?.offline(detail);
  }

  /** Sends the journal in order, one scan at a time, so the stream holds them in scan order. */
  async #publishLoop(): Promise<void> {
    let retryMs = 500;
    while (!this.#stopped) {
      // Sent whenever the client is connected, online or not: an acknowledgement is what proves the link again.
      const batch = this.#connected && this.#js ? this.#o.journal.pending(100) : [];
      if (batch.length === 0) {
        if (!this.#online && this.#connected) await this.#probe();
        await this.#idle(this.#online ? 5_000 : 1_000);
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
      if (this.#stopped || !this.#connected || !this.#js) return true;
      try {
        const ack = await this.#js.publish(subject, json.encode(scan), { msgID: scan.scanId });
        if (this.#o.crashAfterPublish) process.kill(process.pid, 'SIGKILL');
        this.#o.journal.markSent(scan);
        this.#setOnline();
        this.#inFlight.set(scan.scanId, Date.now());
        this.#o.log.info({ scanId: scan.scanId, seq: ack.seq, duplicate: ack.duplicate }, 'scan published');
        this.#events?.sent(scan, ack.duplicate);
      } catch (err) {
        this.#o.log.warn(
          { err: String(err), scanId: scan.scanId, subject },
          'scan not acknowledged yet; kept in the journal, retrying',
        );
        if (isTimeout(err)) this.#setOffline(`publish not acknowledged in ${this.#o.publishTimeoutMs} ms`);
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
    this.#inFlight.delete(checked.value.scanId);
    this.#events?.verdict(checked.value);
  }

  async heartbeat(beat: KioskHeartbeat): Promise<HeartbeatAnswer | undefined> {
    const nc = this.#nc;
    if (!nc || !this.#online || this.#stopped) return undefined;
    try {
      const reply = await nc.request(this.#names.heartbeat(this.#o.kioskId), json.encode(beat), { timeout: PROBE_MS });
      const checked = validate(HeartbeatAnswer, json.decode(reply.data));
      return checked.ok ? checked.value : undefined;
    } catch (err) {
      this.#o.log.debug({ err: String(err) }, 'heartbeat not answered');
      return undefined;
    }
  }

  /**
   * A scan acknowledged but still without its verdict: a ping tells a dead link (offline now,
   * rather than when the client's pings run out) from a slow platform (said once, the link kept).
   */
  async #checkVerdicts(): Promise<void> {
    const oldest = Math.min(...this.#inFlight.values());
    if (!this.#online || this.#probing || Date.now() - oldest < VERDICT_WAIT_MS) return;
    this.#inFlight.clear();
    if (await this.#probe()) {
      this.#o.log.warn('verdicts late while NATS answers: the platform is slow; they will be shown when they come');
      this.#events?.slow();
    }
  }

  /** One ping round trip within PROBE_MS: online when answered, offline when not. */
  async #probe(): Promise<boolean> {
    const nc = this.#nc;
    if (!nc || this.#probing) return false;
    this.#probing = true;
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      nc.flush().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_MS))),
    ]);
    clearTimeout(timer);
    this.#probing = false;
    if (answered) this.#setOnline();
    else this.#setOffline(`no answer from the server within ${PROBE_MS} ms`);
    return answered;
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

function isTimeout(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'TIMEOUT' || /timeout/i.test(String(err));
}

function permissionHint(detail: string): string {
  if (/permission/i.test(detail))
    return 'NATS refused an operation: this kiosk’s credential does not allow it (does AGENT_KIOSK_ID match the credential file?)';
  if (/authori[sz]ation|authentication|expired|revoked/i.test(detail))
    return 'NATS refused the kiosk’s credential: it may be revoked or expired; ask for new kiosk credentials';
  return 'NATS error';
}
