import { DomainError, EventData, EventEnvelope, validate, type EventType } from '@aptic/contracts';
import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '../db/connect.ts';
import { arrayParam } from '../db/arrays.ts';
import type { EventsConfig } from '../config.ts';
import type { Delivery, EventBus, Subscription } from './bus.ts';
import type { EventTables } from './tables.ts';
import { outboxWriter, type Emit } from './outbox.ts';

/** A durable consumer a service declares: the event types it listens to and how it applies them. */
export interface ConsumerDefinition<T extends EventType = EventType> {
  /** Unique within the service; the durable name is `<service>-<name>`. */
  name: string;
  events: readonly T[];
  /**
   * Applies events not seen before, inside the transaction that records them in the inbox;
   * events it emits are written to the outbox in that same transaction.
   */
  apply(tx: Tx, events: EventEnvelope<T>[], emit: Emit): Promise<void>;
}

export interface ConsumerHooks {
  applied(consumer: string, count: number): void;
  parked(consumer: string): void;
}

type Checked = { envelope: EventEnvelope } | { invalid: string };

const MAX_BACKOFF_MS = 60_000;

/** Checks a message where it enters the process: the envelope, a type this consumer takes, its data. */
function check(body: unknown, types: readonly string[]): Checked {
  const envelope = validate(EventEnvelope, body);
  if (!envelope.ok) return { invalid: envelope.refusal.message };
  const type = envelope.value.type;
  if (!types.includes(type)) return { invalid: `unexpected event type ${type}` };
  const data = validate(EventData[type as EventType], envelope.value.data);
  if (!data.ok) return { invalid: `${type} ${data.refusal.message}` };
  return { envelope: envelope.value as EventEnvelope };
}

export class DurableConsumer {
  readonly durable: string;
  private readonly service: string;
  private readonly afterCommit: () => void;
  private readonly definition: ConsumerDefinition;
  private readonly db: Db;
  private readonly tables: EventTables;
  private readonly bus: EventBus;
  private readonly config: EventsConfig;
  private readonly log: Logger;
  private readonly hooks: ConsumerHooks;
  private subscription: Subscription | undefined;

  constructor(options: {
    service: string;
    definition: ConsumerDefinition;
    db: Db;
    tables: EventTables;
    bus: EventBus;
    config: EventsConfig;
    log: Logger;
    hooks: ConsumerHooks;
    /** Called after a transaction that may have written to the outbox (the relay's kick). */
    afterCommit?: () => void;
  }) {
    this.durable = `${options.service}-${options.definition.name}`;
    this.service = options.service;
    this.afterCommit = options.afterCommit ?? (() => {});
    this.definition = options.definition;
    this.db = options.db;
    this.tables = options.tables;
    this.bus = options.bus;
    this.config = options.config;
    this.log = options.log.child({ consumer: this.durable });
    this.hooks = options.hooks;
  }

  async start(): Promise<void> {
    this.subscription = await this.bus.subscribe(this.durable, this.definition.events, (batch) => this.onBatch(batch));
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /**
   * Applies a set of events exactly once: the inbox insert skips ids already applied,
   * and the effect commits or rolls back with it.
   */
  async applyOnce(events: EventEnvelope[]): Promise<number> {
    const applied = await this.db.transaction(async (tx) => {
      const { inbox } = this.tables;
      const inserted = await queryRows<{ id: string }>(tx, sql`
        INSERT INTO ${inbox} (${sql.identifier(inbox.consumer.name)}, ${sql.identifier(inbox.eventId.name)})
        SELECT ${this.durable}, unnest(${arrayParam(events.map((e) => e.id), 'uuid')})
        ON CONFLICT DO NOTHING RETURNING ${sql.identifier(inbox.eventId.name)} AS id`);
      const fresh = new Set(inserted.map((r) => r.id));
      const toApply = events.filter((e) => fresh.delete(e.id));
      if (toApply.length === 0) return 0;
      const outbox = outboxWriter(this.tables, this.service);
      await this.definition.apply(tx, toApply, outbox.emit);
      await outbox.flush(tx);
      return toApply.length;
    });
    if (applied > 0) this.afterCommit();
    return applied;
  }

  /** Applies a parked message again, with the same checks as on delivery. */
  async replay(body: unknown): Promise<number> {
    const checked = check(body, this.definition.events);
    if ('invalid' in checked) throw new DomainError('dead_letter_invalid', `Not a valid event for this consumer: ${checked.invalid}`);
    return this.applyOnce([checked.envelope]);
  }

  private async onBatch(batch: Delivery[]): Promise<void> {
    const valid: { delivery: Delivery; envelope: EventEnvelope }[] = [];
    for (const delivery of batch) {
      const checked = check(delivery.body, this.definition.events);
      if ('invalid' in checked) await this.park(delivery, `invalid_message: ${checked.invalid}`);
      else valid.push({ delivery, envelope: checked.envelope });
    }
    if (valid.length === 0) return;
    try {
      this.hooks.applied(this.durable, await this.applyOnce(valid.map((v) => v.envelope)));
      // All acks queued before any is awaited: the client then sends them in one write, where
      // awaiting each in turn flushed each alone (a write per ack, and a read per ack for NATS).
      await Promise.all(valid.map((v) => v.delivery.ack()));
    } catch (err) {
      if (valid.length === 1) return this.failed(valid[0]!.delivery, err);
      // One bad event must not hold back the others: settle each on its own.
      for (const v of valid) await this.applyAlone(v.delivery, v.envelope);
    }
  }

  private async applyAlone(delivery: Delivery, envelope: EventEnvelope): Promise<void> {
    try {
      this.hooks.applied(this.durable, await this.applyOnce([envelope]));
      await delivery.ack();
    } catch (err) {
      await this.failed(delivery, err);
    }
  }

  private async failed(delivery: Delivery, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    if (delivery.deliveries >= this.config.maxDeliver) return this.park(delivery, reason);
    const delayMs = Math.min(MAX_BACKOFF_MS, this.config.backoffMs * 2 ** (delivery.deliveries - 1));
    this.log.warn({ err: reason, deliveries: delivery.deliveries, retryInMs: delayMs }, 'event failed, will retry');
    delivery.retry(delayMs);
  }

  private async park(delivery: Delivery, error: string): Promise<void> {
    try {
      await this.bus.park({ consumer: this.durable, subject: delivery.subject, error, deliveries: delivery.deliveries, body: delivery.body });
    } catch (err) {
      // Not parked, so not given up: it comes back later.
      this.log.error({ err }, 'could not park a dead letter; will retry');
      delivery.retry(this.config.backoffMs);
      return;
    }
    this.log.error({ error, subject: delivery.subject }, 'event dead-lettered');
    this.hooks.parked(this.durable);
    delivery.discard();
  }
}
