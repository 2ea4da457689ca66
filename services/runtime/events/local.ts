import { fileURLToPath } from 'node:url';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/connect.ts';
import type { DeadLetter, Delivery, EventBus, OutgoingEvent, Subscription } from './bus.ts';
import { cursorTable, deadLetterTable, streamTable } from './local-schema.ts';

const BATCH = 500;
const IDLE_POLL_MS = 1_000;
const migrations = fileURLToPath(new URL('./local-migrations', import.meta.url));

/**
 * The embedded mode's event bus, in the embedded database. A consumer reads in order from its
 * position; when a message asks for a retry the position stops just before it and the rest of
 * the batch comes again after the delay (already applied ones are skipped by the inbox).
 */
export class LocalBus implements EventBus {
  private readonly db: Db;
  private readonly wakers = new Set<() => void>();

  private constructor(db: Db) {
    this.db = db;
  }

  static async open(database: Database): Promise<LocalBus> {
    await database.migrate('bus', migrations);
    return new LocalBus(database.db);
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({ id: e.id, subject: e.type, body: sql`${e.json}::jsonb` }));
    await this.db.insert(streamTable).values(rows).onConflictDoNothing({ target: streamTable.id });
    for (const wake of this.wakers) wake();
  }

  async subscribe(
    consumer: string,
    types: readonly string[],
    onBatch: (batch: Delivery[]) => Promise<void>,
  ): Promise<Subscription> {
    let stopped = false;
    let wake: () => void = () => {};
    const waker = () => wake();
    this.wakers.add(waker);
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => (clearTimeout(timer), resolve());
      });
    const attempts = new Map<number, number>();

    const loop = async () => {
      let position = await this.position(consumer);
      while (!stopped) {
        const rows = await this.db
          .select()
          .from(streamTable)
          .where(and(gt(streamTable.seq, position), inArray(streamTable.subject, [...types])))
          .orderBy(asc(streamTable.seq))
          .limit(BATCH);
        if (rows.length === 0) {
          await sleep(IDLE_POLL_MS);
          continue;
        }
        let retryAt: { seq: number; delayMs: number } | undefined;
        const deliveries = rows.map((row): Delivery => {
          const count = (attempts.get(row.seq) ?? 0) + 1;
          attempts.set(row.seq, count);
          const settle = () => void attempts.delete(row.seq);
          return {
            body: row.body,
            subject: row.subject,
            deliveries: count,
            ack: settle,
            discard: settle,
            retry: (delayMs) => {
              if (!retryAt || row.seq < retryAt.seq) retryAt = { seq: row.seq, delayMs };
            },
          };
        });
        await onBatch(deliveries);
        const last = rows[rows.length - 1]!.seq;
        position = retryAt ? retryAt.seq - 1 : last;
        await this.savePosition(consumer, position);
        if (retryAt) await sleep(retryAt.delayMs);
      }
    };
    const running = loop();
    return {
      stop: async () => {
        stopped = true;
        this.wakers.delete(waker);
        wake();
        await running;
      },
    };
  }

  private async position(consumer: string): Promise<number> {
    const [row] = await this.db.select().from(cursorTable).where(eq(cursorTable.consumer, consumer));
    return row?.position ?? 0;
  }

  private async savePosition(consumer: string, position: number): Promise<void> {
    await this.db
      .insert(cursorTable)
      .values({ consumer, position })
      .onConflictDoUpdate({ target: cursorTable.consumer, set: { position } });
  }

  async park(letter: Omit<DeadLetter, 'id' | 'parkedAt'>): Promise<void> {
    await this.db.insert(deadLetterTable).values({ ...letter, body: letter.body ?? null });
  }

  async deadLetters(consumers: readonly string[]): Promise<DeadLetter[]> {
    if (consumers.length === 0) return [];
    const rows = await this.db
      .select()
      .from(deadLetterTable)
      .where(inArray(deadLetterTable.consumer, [...consumers]))
      .orderBy(asc(deadLetterTable.id))
      .limit(1_000);
    return rows.map((r) => ({ ...r, id: String(r.id), parkedAt: r.parkedAt.toISOString() }));
  }

  async removeDeadLetter(id: string): Promise<boolean> {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) return false;
    const removed = await this.db
      .delete(deadLetterTable)
      .where(eq(deadLetterTable.id, n))
      .returning({ id: deadLetterTable.id });
    return removed.length > 0;
  }

  problem(): string | undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}
