import { randomUUID } from 'node:crypto';
import { asc, inArray, isNull, sql } from 'drizzle-orm';
import { EventData, validate, type EventDataOf, type EventEnvelope, type EventType } from '@aptic/contracts';
import type { Logger } from 'pino';
import type { Db, Tx } from '../db/connect.ts';
import type { EventBus } from './bus.ts';
import type { EventTables } from './tables.ts';

export type Emit = <T extends EventType>(type: T, data: EventDataOf<T>) => Promise<EventEnvelope<T>>;

/** Writes an event into the outbox of the transaction it is given; refuses data that breaks its contract. */
export function outboxWriter(tx: Tx, tables: EventTables, producer: string): Emit {
  return async (type, data) => {
    const checked = validate(EventData[type], data);
    if (!checked.ok) throw new Error(`refusing to emit an invalid ${type}: ${checked.refusal.message}`);
    const envelope = { id: randomUUID(), type, occurredAt: new Date().toISOString(), producer, data };
    await tx.insert(tables.outbox).values({ id: envelope.id, type, payload: envelope });
    return envelope;
  };
}

const BATCH = 500;

/**
 * Publishes the outbox to the bus, oldest first, and marks what the bus acknowledged.
 * It takes no lock: if two instances publish the same rows, the bus drops the copy (same event id).
 */
export class OutboxRelay {
  private readonly db: Db;
  private readonly tables: EventTables;
  private readonly bus: EventBus;
  private readonly log: Logger;
  private readonly idleMs: number;
  private stopped = false;
  private wake: () => void = () => {};
  private pending = false;
  private running: Promise<void> | undefined;

  constructor(options: { db: Db; tables: EventTables; bus: EventBus; log: Logger; idleMs?: number }) {
    this.db = options.db;
    this.tables = options.tables;
    this.bus = options.bus;
    this.log = options.log;
    this.idleMs = options.idleMs ?? 250;
  }

  start(): void {
    this.running = this.loop();
  }

  /** Called after a commit that wrote to the outbox, so the event leaves now rather than at the next poll. */
  kick(): void {
    this.pending = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  /** Rows not yet acknowledged by the bus. */
  async backlog(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(this.tables.outbox).where(isNull(this.tables.outbox.publishedAt));
    return row?.n ?? 0;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.pending = false;
      try {
        const sent = await this.publishBatch();
        failures = 0;
        if (sent === BATCH || this.pending) continue;
        await this.sleep(this.idleMs);
      } catch (err) {
        failures++;
        this.log.warn({ err }, 'outbox relay could not publish; retrying');
        await this.sleep(Math.min(30_000, 200 * 2 ** failures));
      }
    }
    // A last pass so that what was committed before the stop leaves with us.
    await this.publishBatch().catch(() => {});
  }

  async publishBatch(): Promise<number> {
    const { outbox } = this.tables;
    const rows = await this.db
      .select({ seq: outbox.seq, payload: outbox.payload })
      .from(outbox)
      .where(isNull(outbox.publishedAt))
      .orderBy(asc(outbox.seq))
      .limit(BATCH);
    if (rows.length === 0) return 0;
    await this.bus.publish(rows.map((r) => r.payload as EventEnvelope));
    await this.db.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.seq, rows.map((r) => r.seq)));
    return rows.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped || this.pending) return resolve();
      const timer = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }
}
