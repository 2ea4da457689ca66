import { readFileSync } from 'node:fs';
import {
  AckPolicy,
  DeliverPolicy,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  connect,
  credsAuthenticator,
  nanos,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { natsNames, type NatsNames } from '@aptic/contracts';
import type { DeadLetter, Delivery, EventBus, OutgoingEvent, Subscription } from './bus.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { BatchPublisher } from './publisher.ts';

const json = JSONCodec();
const text = new TextEncoder();
const BATCH = 500;
const DAY_NS = nanos(86_400_000);

interface ParkedBody extends Omit<DeadLetter, 'id'> {}

export const busConnectionOptions = {
  // Containers start in any order: wait for the server rather than fail, and never stop reconnecting.
  waitOnFirstConnect: true,
  maxReconnectAttempts: -1,
  // The client otherwise captures a stack trace for every request it makes.
  noAsyncTraces: true,
} as const;

/** Credentials for a NATS server in operator mode (decentralised JWT auth), when a creds file is given. */
export function natsAuth(credsFile: string | undefined): { authenticator?: ReturnType<typeof credsAuthenticator> } {
  return credsFile ? { authenticator: credsAuthenticator(readFileSync(credsFile)) } : {};
}

/** Creates a stream, or brings an existing one to this configuration. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (err) {
    if (!/already in use/i.test(String(err))) throw err;
    await jsm.streams.update(config.name, config);
  }
}

/** A JetStream durable name may not contain dots. */
const durableName = (consumer: string, type: string) => `${consumer}__${type}`.replace(/[^A-Za-z0-9_-]/g, '_');

function delivery(m: JsMsg, inProgress: InProgress): Delivery {
  return {
    get body() {
      try {
        return json.decode(m.data);
      } catch {
        return undefined;
      }
    },
    subject: m.subject,
    // Parsed from the reply subject, and only wanted when an event fails: not done for every message.
    get deliveries() {
      return m.info.deliveryCount;
    },
    ack: () => inProgress.ack(m),
    retry: (delayMs) => inProgress.nak(m, delayMs),
    discard: () => inProgress.term(m),
  };
}

/**
 * Messages received and not yet settled, which JetStream is told every third of the ack wait are
 * still being worked on: ones waiting behind a long batch, or held through an outage, are then
 * neither redelivered nor charged a delivery. A crashed process stops telling, and its messages
 * come back after the ack wait. Settle the messages through it (ack, nak, term).
 */
export class InProgress {
  private readonly held = new Set<JsMsg>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(ackWaitMs: number) {
    this.timer = setInterval(
      () => {
        for (const m of this.held) m.working();
      },
      Math.max(100, Math.floor(ackWaitMs / 3)),
    );
    this.timer.unref();
  }

  hold(m: JsMsg): void {
    this.held.add(m);
  }

  ack(m: JsMsg): void {
    this.held.delete(m);
    m.ack();
  }

  nak(m: JsMsg, delayMs?: number): void {
    this.held.delete(m);
    m.nak(delayMs);
  }

  term(m: JsMsg): void {
    this.held.delete(m);
    m.term();
  }

  /** Resolves once every message held is settled. */
  async settled(): Promise<void> {
    while (this.held.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export class JetStreamBus implements EventBus {
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly jsm: JetStreamManager;
  private readonly names: NatsNames;
  private readonly ackWaitMs: number;
  private readonly publisher: BatchPublisher;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, names: NatsNames, ackWaitMs: number) {
    this.nc = nc;
    this.js = nc.jetstream();
    this.jsm = jsm;
    this.names = names;
    this.ackWaitMs = ackWaitMs;
    this.publisher = new BatchPublisher(nc);
  }

  static async connect(options: {
    url: string;
    prefix: string;
    ackWaitMs: number;
    name?: string;
    credsFile?: string;
  }): Promise<JetStreamBus> {
    const nc = await connect({
      servers: options.url,
      name: options.name,
      ...natsAuth(options.credsFile),
      ...busConnectionOptions,
    });
    const jsm = await nc.jetstreamManager();
    const names = natsNames(options.prefix);
    await ensureStream(jsm, {
      name: names.events.stream,
      subjects: [names.events.all],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: 365 * DAY_NS,
      duplicate_window: nanos(120_000),
    });
    await ensureStream(jsm, {
      name: names.deadLetters.stream,
      subjects: [names.deadLetters.all],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
    });
    return new JetStreamBus(nc, jsm, names, options.ackWaitMs);
  }

  /** The connection, for health checks and for tests. */
  get connection(): NatsConnection {
    return this.nc;
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    // All in flight at once, then wait for every ack: the event id is the dedup key.
    await this.publisher.publish(
      events.map((e) => ({ subject: this.names.events.subject(e.type), data: text.encode(e.json), msgID: e.id })),
    );
  }

  async subscribe(
    consumer: string,
    types: readonly string[],
    onBatch: (batch: Delivery[]) => Promise<void>,
  ): Promise<Subscription> {
    const subscriptions = await Promise.all(types.map((type) => this.consumeType(consumer, type, onBatch)));
    return { stop: async () => void (await Promise.all(subscriptions.map((s) => s.stop()))) };
  }

  private async consumeType(
    consumer: string,
    type: string,
    onBatch: (batch: Delivery[]) => Promise<void>,
  ): Promise<Subscription> {
    const durable = durableName(consumer, type);
    await this.jsm.consumers.add(this.names.events.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.names.events.subject(type),
      ack_wait: nanos(this.ackWaitMs),
      // Redelivery is bounded by our own dead-letter rule, which parks before giving up.
      max_deliver: -1,
      max_ack_pending: 5_000,
    });
    const messages = await (await this.js.consumers.get(this.names.events.stream, durable)).consume({
      max_messages: 2 * BATCH,
    });
    const inProgress = new InProgress(this.ackWaitMs);
    const batcher = new MicroBatcher<JsMsg>(BATCH, (batch) => onBatch(batch.map((m) => delivery(m, inProgress))));
    const pump = (async () => {
      for await (const m of messages) {
        inProgress.hold(m);
        batcher.push(m);
      }
    })();
    return {
      stop: async () => {
        await messages.close();
        await pump;
        // Whatever was received but not handled goes back at once, for another instance.
        for (const m of await batcher.stop()) inProgress.nak(m);
        inProgress.stop();
      },
    };
  }

  async park(letter: Omit<DeadLetter, 'id' | 'parkedAt'>): Promise<void> {
    const body: ParkedBody = { ...letter, parkedAt: new Date().toISOString() };
    await this.js.publish(this.names.deadLetters.subject(letter.consumer), json.encode(body));
  }

  async deadLetters(consumers: readonly string[]): Promise<DeadLetter[]> {
    const { state } = await this.jsm.streams.info(this.names.deadLetters.stream);
    const wanted = new Set(consumers.map((c) => this.names.deadLetters.subject(c)));
    const letters: DeadLetter[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && letters.length < 1_000; seq++) {
      const stored = await this.jsm.streams.getMessage(this.names.deadLetters.stream, { seq }).catch(() => undefined);
      if (stored && wanted.has(stored.subject))
        letters.push({ id: String(seq), ...(json.decode(stored.data) as ParkedBody) });
    }
    return letters;
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    const seq = Number(id);
    if (!Number.isSafeInteger(seq) || seq < 1) return false;
    return this.jsm.streams.deleteMessage(this.names.deadLetters.stream, seq).catch(() => false);
  }

  problem(): string | undefined {
    return this.nc.isClosed() ? 'NATS connection closed' : undefined;
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
