import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import {
  OutboxRelay,
  connectPostgres,
  outboxWriter,
  queryRows,
  type Database,
  type EventBus,
  type OutgoingEvent,
} from '@aptic/runtime';
import { ordering } from '@aptic/ordering';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually } from '../support/platform.ts';

let infra: Isolated;
let database: Database;
const tables = ordering.tables;
const funder = () => ({
  funderId: randomUUID(),
  name: 'Commune de Test',
  kind: 'collectivite' as const,
  siret: '73282932000074',
});

/** Commits `count` events from the ordering producer in one transaction. */
async function commitEvents(count: number, beforeCommit: () => Promise<void> = async () => {}): Promise<string[]> {
  return database.db.transaction(async (tx) => {
    const outbox = outboxWriter(tables, 'ordering');
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await outbox.emit('funder.created', funder())).id);
    await outbox.flush(tx);
    await beforeCommit();
    return ids;
  });
}

beforeAll(async () => {
  infra = await isolate();
  database = connectPostgres(infra.databaseUrl);
  await database.migrate('ordering', ordering.migrations);
});
afterAll(async () => {
  await database?.close();
  await infra?.cleanup();
});

test('a row committed late, below rows already in flight, still leaves, and no row leaves twice', async () => {
  const published: OutgoingEvent[] = [];
  const acks = Promise.withResolvers<void>();
  const bus = {
    async publish(events: OutgoingEvent[]) {
      published.push(...events);
      await acks.promise;
    },
  } as Pick<EventBus, 'publish'> as EventBus;
  const relay = new OutboxRelay({ db: database.db, tables, bus, log: pino({ level: 'silent' }), idleMs: 20 });

  // The late transaction takes its outbox seq first and commits last.
  const inserted = Promise.withResolvers<void>();
  const commit = Promise.withResolvers<void>();
  const late = commitEvents(1, async () => {
    inserted.resolve();
    await commit.promise;
  });
  await inserted.promise;
  const early = await commitEvents(600);

  relay.start();
  // Both batches of the early rows are handed to the bus and wait there for their acks.
  await eventually(
    async () => published.length,
    (n) => n === 600,
  );
  commit.resolve();
  const [lateId] = await late;
  acks.resolve();

  await eventually(
    async () => published.length,
    (n) => n === 601,
  );
  await relay.stop();
  const ids = published.map((e) => e.id);
  expect(new Set(ids).size).toBe(601);
  expect(ids).toEqual(expect.arrayContaining([...early, lateId]));
  expect(await relay.backlog()).toBe(0);
  // Published rows are deleted (by the relay's next read, and at the latest when it stops).
  const [left] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM ordering.outbox`);
  expect(left!.n).toBe(0);
});

test('under sustained load, a row committed late leaves within a second of its commit, and a failed batch is read again at once', {
  timeout: 60_000,
}, async () => {
  await database.db.execute(sql`DELETE FROM ordering.outbox`);
  // A bus that takes 150 ms per batch: four batches in flight pass ~13,000 rows/s, fewer than the
  // producer below commits, so the relay never catches up while the load lasts.
  const publishedAt = new Map<string, number>();
  let failNext = false;
  const bus = {
    async publish(events: OutgoingEvent[]) {
      await new Promise((r) => setTimeout(r, 150));
      if (failNext) {
        failNext = false;
        throw new Error('the bus lost this batch');
      }
      for (const e of events) if (!publishedAt.has(e.id)) publishedAt.set(e.id, Date.now());
    },
  } as Pick<EventBus, 'publish'> as EventBus;
  const relay = new OutboxRelay({ db: database.db, tables, bus, log: pino({ level: 'silent' }) });
  let loading = true;
  const committed: string[] = [];
  // The backlog is there before the relay starts (a slow machine could not build it against a
  // running relay in time), then kept at about 20,000 rows: the relay is always busy.
  while ((await relay.backlog()) < 20_000) committed.push(...(await commitEvents(1_000)));
  const load = (async () => {
    while (loading) {
      if ((await relay.backlog()) < 20_000) committed.push(...(await commitEvents(1_000)));
      else await new Promise((r) => setTimeout(r, 20));
    }
  })();
  relay.start();
  try {
    await eventually(relay.backlog.bind(relay), (n) => n > 15_000, 30_000);

    // Takes its seq now, commits two seconds later, with thousands of rows published meanwhile.
    const commit = Promise.withResolvers<void>();
    const late = commitEvents(1, () => commit.promise);
    await new Promise((r) => setTimeout(r, 2_000));
    commit.resolve();
    const [lateId] = await late;
    const committedAt = Date.now();
    const behind = await relay.backlog();
    await eventually(async () => publishedAt.has(lateId!), Boolean, 10_000);
    const delay = publishedAt.get(lateId!)! - committedAt;

    // A batch the bus fails: its rows are read again at once, not after the backlog.
    failNext = true;
    const lost = await eventually(async () => !failNext, Boolean, 5_000).then(() => Date.now());
    const missing = () => committed.filter((id) => !publishedAt.has(id)).length;
    const [oldestUnpublished] = committed.filter((id) => !publishedAt.has(id));
    await eventually(async () => publishedAt.has(oldestUnpublished!), Boolean, 10_000);
    const retried = publishedAt.get(oldestUnpublished!)! - lost;

    expect(behind).toBeGreaterThan(10_000);
    expect(delay).toBeLessThanOrEqual(1_000);
    expect(retried).toBeLessThanOrEqual(1_000);
    expect(missing()).toBeGreaterThan(0);
  } finally {
    loading = false;
    await load;
    await relay.stop();
  }
  // Everything leaves in the end, once.
  expect(committed.every((id) => publishedAt.has(id))).toBe(true);
});
