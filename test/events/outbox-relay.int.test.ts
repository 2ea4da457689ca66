import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import { OutboxRelay, connectPostgres, outboxWriter, queryRows, type Database, type EventBus, type OutgoingEvent } from '@aptic/runtime';
import { ordering } from '@aptic/ordering';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually } from '../support/platform.ts';

let infra: Isolated;
let database: Database;
const tables = ordering.tables;
const funder = () => ({ funderId: randomUUID(), name: 'Commune de Test', kind: 'collectivite' as const, siret: '73282932000074' });

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
  await eventually(async () => published.length, (n) => n === 600);
  commit.resolve();
  const [lateId] = await late;
  acks.resolve();

  await eventually(async () => published.length, (n) => n === 601);
  await relay.stop();
  const ids = published.map((e) => e.id);
  expect(new Set(ids).size).toBe(601);
  expect(ids).toEqual(expect.arrayContaining([...early, lateId]));
  expect(await relay.backlog()).toBe(0);
  // Published rows are deleted (by the relay's next read, and at the latest when it stops).
  const [left] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM ordering.outbox`);
  expect(left!.n).toBe(0);
});
