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

/** Settling a message also forgets it from the set of those kept in progress. */
function delivery(m: JsMsg, held: Set<JsMsg>): Delivery {
  const settled = () => held.delete(m);
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
    ack: () => (settled(), m.ack()),
    retry: (delayMs) => (settled(), m.nak(delayMs)),
    discard: () => (settled(), m.term()),
  };
}

/**
 * Tells JetStream every third of the ack wait that the messages received and not yet settled are
 * still being worked on: ones waiting behind a long batch, or held through an outage, are then
 * neither redelivered nor charged a delivery. A crashed process stops telling, and its messages
 * come back after the ack wait.
 */
export function keepInProgress(held: ReadonlySet<JsMsg>, ackWaitMs: number): () => void {
  const timer = setInterval(() => {
    for (const m of held) m.working();
  }, Math.max(100, Math.floor(ackWaitMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
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

  static async connect(options: { url: string; prefix: string; ackWaitMs: number; name?: string; credsFile?: string }): Promise<JetStreamBus> {
    const nc = await connect({ servers: options.url, name: options.name, ...natsAuth(options.credsFile), ...busConnectionOptions });
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
    await this.publisher.publish(events.map((e) => ({ subject: this.names.events.subject(e.type), data: text.encode(e.json), msgID: e.id })));
  }

  async subscribe(consumer: string, types: readonly string[], onBatch: (batch: Delivery[]) => Promise<void>): Promise<Subscription> {
    const subscriptions = await Promise.all(types.map((type) => this.consumeType(consumer, type, onBatch)));
    return { stop: async () => void (await Promise.all(subscriptions.map((s) => s.stop()))) };
  }

  private async consumeType(consumer: string, type: string, onBatch: (batch: Delivery[]) => Promise<void>): Promise<Subscription> {
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
    const messages = await (await this.js.consumers.get(this.names.events.stream, durable)).consume({ max_messages: 2 * BATCH });
    const held = new Set<JsMsg>();
    const stopKeeping = keepInProgress(held, this.ackWaitMs);
    const batcher = new MicroBatcher<JsMsg>(BATCH, (batch) => onBatch(batch.map((m) => delivery(m, held))));
    const pump = (async () => {
      for await (const m of messages) {
        held.add(m);
        batcher.push(m);
      }
    })();
    return {
      stop: async () => {
        await messages.close();
        await pump;
        // Whatever was received but not handled goes back at once, for another instance.
        for (const m of await batcher.stop()) m.nak();
        stopKeeping();
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
      if (stored && wanted.has(stored.subject)) letters.push({ id: String(seq), ...(json.decode(stored.data) as ParkedBody) });
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
