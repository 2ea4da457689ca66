import { DomainError, EventData, EventEnvelope, validate, type EventType } from '@aptic/contracts';
import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '../db/connect.ts';
import { arrayParam } from '../db/arrays.ts';
import type { EventsConfig } from '../config.ts';
import type { Delivery, EventBus, Subscription } from './bus.ts';
import type { EventTables } from './tables.ts';
import { outboxWriter, type Emit } from './outbox.ts';
import { isTransient } from '../faults.ts';

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
  /** A batch failed for a transient cause (an outage): it is held and tried again. */
  transient(consumer: string): void;
}

type Checked = { envelope: EventEnvelope } | { invalid: string };

const MAX_BACKOFF_MS = 60_000;
/** Retries of a batch held through an outage: from 100 ms, doubled, at most this far apart. */
const MAX_OUTAGE_RETRY_MS = 5_000;

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
  private stopping = false;
  /** Why the batch in hand is held (an outage), or undefined. */
  private heldBy: string | undefined;
  private wakeHeld: () => void = () => {};

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
    this.stopping = true;
    this.wakeHeld();
    await this.subscription?.stop();
  }

  /** The outage this consumer is waiting out (for readiness and metrics), or undefined. */
  get waitingOn(): string | undefined {
    return this.heldBy;
  }

  /**
   * applyOnce, held through transient failures: the same events are tried again, 100 ms then
   * doubling up to MAX_OUTAGE_RETRY_MS apart, for as long as the outage lasts (the bus keeps them
   * in progress meanwhile, so no delivery is used up). Poison failures throw at once; so does a
   * transient one when the consumer stops (the events then come back for another instance).
   */
  private async applyHeld(events: EventEnvelope[]): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const applied = await this.applyOnce(events);
        if (this.heldBy !== undefined) this.log.info({ attempts: attempt + 1 }, 'outage over, events applied');
        this.heldBy = undefined;
        return applied;
      } catch (err) {
        if (!isTransient(err) || this.stopping) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        if (this.heldBy === undefined)
          this.log.warn({ err: reason }, 'transient failure: holding the events until it passes');
        this.heldBy = reason;
        this.hooks.transient(this.durable);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(MAX_OUTAGE_RETRY_MS, 100 * 2 ** attempt));
          this.wakeHeld = () => (clearTimeout(timer), resolve());
        });
      }
    }
  }

  /**
   * Applies a set of events exactly once: the inbox insert skips ids already applied,
   * and the effect commits or rolls back with it.
   */
  async applyOnce(events: EventEnvelope[]): Promise<number> {
    const applied = await this.db.transaction(async (tx) => {
      const { inbox } = this.tables;
      const inserted = await queryRows<{ id: string }>(
        tx,
        sql`
        INSERT INTO ${inbox} (${sql.identifier(inbox.consumer.name)}, ${sql.identifier(inbox.eventId.name)})
        SELECT ${this.durable}, unnest(${arrayParam(
          events.map((e) => e.id),
          'uuid',
        )})
        ON CONFLICT DO NOTHING RETURNING ${sql.identifier(inbox.eventId.name)} AS id`,
      );
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
    if ('invalid' in checked)
      throw new DomainError('dead_letter_invalid', `Not a valid event for this consumer: ${checked.invalid}`);
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
      this.hooks.applied(this.durable, await this.applyHeld(valid.map((v) => v.envelope)));
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
      this.hooks.applied(this.durable, await this.applyHeld([envelope]));
      await delivery.ack();
    } catch (err) {
      await this.failed(delivery, err);
    }
  }

  private async failed(delivery: Delivery, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    // Only when stopping mid-outage: back to the bus at once, never parked for an outage.
    if (isTransient(err)) return delivery.retry(0);
    if (delivery.deliveries >= this.config.maxDeliver) return this.park(delivery, reason);
    const delayMs = Math.min(MAX_BACKOFF_MS, this.config.backoffMs * 2 ** (delivery.deliveries - 1));
    this.log.warn({ err: reason, deliveries: delivery.deliveries, retryInMs: delayMs }, 'event failed, will retry');
    delivery.retry(delayMs);
  }

  private async park(delivery: Delivery, error: string): Promise<void> {
    try {
      await this.bus.park({
        consumer: this.durable,
        subject: delivery.subject,
        error,
        deliveries: delivery.deliveries,
        body: delivery.body,
      });
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
