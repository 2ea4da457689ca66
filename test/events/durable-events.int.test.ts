import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  connectPostgres,
  queryRows,
  readConfig,
  type Database,
  type RunningPlatform,
  type ServiceDefinition,
} from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { ordering } from '@aptic/ordering';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed, testEnv } from '../support/platform.ts';
import { RawPublisher, funderCreated, poisonSensitiveConsumer } from '../support/events.ts';

/** Each scenario gets its own database and stream prefix: a new durable consumer reads the whole stream. */
interface Scenario {
  infra: Isolated;
  database: Database;
  publisher: RawPublisher;
  funderTotal(): Promise<number>;
  inboxCount(consumer: string): Promise<number>;
  close(): Promise<void>;
}

async function scenario(): Promise<Scenario> {
  const infra = await isolate();
  const database = connectPostgres(infra.databaseUrl);
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  const one = async (query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(database.db, query))[0]?.n ?? 0;
  return {
    infra,
    database,
    publisher,
    funderTotal: () => one(sql`SELECT coalesce(sum(count), 0)::int AS n FROM analytics.funder_count`),
    inboxCount: (consumer) => one(sql`SELECT count(*)::int AS n FROM analytics.inbox WHERE consumer = ${consumer}`),
    async close() {
      await publisher.close();
      await database.close();
      await infra.cleanup();
    },
  };
}

let infra: Isolated;
let publisher: RawPublisher;
let funderTotal: () => Promise<number>;
let inboxCount: (consumer: string) => Promise<number>;

function useScenario(): void {
  let current: Scenario;
  beforeAll(async () => {
    current = await scenario();
    ({ infra, publisher, funderTotal, inboxCount } = current);
  });
  afterAll(async () => current?.close());
}

describe('durable events: outbox → JetStream → inbox', () => {
  useScenario();
  let orderingNode: RunningPlatform;
  let analyticsNode: RunningPlatform;

  beforeAll(async () => {
    // Two broker nodes talking over NATS, as in production.
    orderingNode = await startDistributed(infra, [ordering]);
    analyticsNode = await startDistributed(infra, [analytics]);
  });
  afterAll(async () => {
    await orderingNode?.stop();
    await analyticsNode?.stop();
  });

  test('a funder registered in ordering is counted once by analytics', async () => {
    const before = await funderTotal();
    const created = await call(`${orderingNode.services[0]!.url}/funders`, {
      method: 'POST',
      body: { name: 'CCAS de Cognac', kind: 'ccas', siret: '73282932000074' },
    });
    expect(created.status).toBe(201);
    await eventually(funderTotal, (n) => n === before + 1);
    // Nothing more arrives later.
    await new Promise((r) => setTimeout(r, 500));
    expect(await funderTotal()).toBe(before + 1);
    const stats = await call(`${analyticsNode.services[0]!.url}/stats/funders`);
    expect(stats.body.byKind.ccas).toBe(1);
    // And the outbox is empty: the bus acknowledged everything.
    const pending = await orderingNode.services[0]!.relay.backlog();
    expect(pending).toBe(0);
  });

  test('the same event delivered five times is applied once', async () => {
    const before = await funderTotal();
    const event = funderCreated({ kind: 'foundation' });
    // Distinct message ids defeat the server's dedup: the inbox must hold.
    for (let i = 0; i < 5; i++) await publisher.publish(event, { msgID: `${event.id}-${i}` });
    // The same message id five times: the server drops the copies.
    for (let i = 0; i < 5; i++) await publisher.publish(event, { msgID: event.id });
    await eventually(funderTotal, (n) => n >= before + 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await funderTotal()).toBe(before + 1);
  });

  test('Moleculer actions cross the NATS transporter with contract checks', async () => {
    const broker = analyticsNode.services[0]!.context.broker;
    const counts = await broker.call('analytics.funderCounts', {});
    expect((counts as { total: number }).total).toBeGreaterThan(0);
    await expect(broker.call('ordering.getFunder', { funderId: 'not-a-uuid' })).rejects.toMatchObject({
      code: 400,
      type: 'invalid_params',
    });
  });
});

describe('a consumer killed mid-batch loses nothing and applies nothing twice', () => {
  useScenario();
  test('kill -9 while applying, restart, every event counted exactly once', async () => {
    const total = 20_000;
    const before = 0; // a fresh database: the child creates the analytics schema as it starts
    await publisher.publishMany(Array.from({ length: total }, () => funderCreated()));
    const env = { ...process.env, ...testEnv(infra) };
    const child = spawn(process.execPath, ['services/platform/bin/start.ts', 'analytics'], { env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const seen = await eventually(
      () => funderTotal().catch(() => 0),
      (n) => n > before,
      30_000,
    );
    child.kill('SIGKILL');
    await exited;
    const atKill = await funderTotal();
    expect(atKill - before).toBeLessThan(total); // killed while work remained
    expect(seen).toBeGreaterThan(before);

    const restarted = await startDistributed(infra, [analytics]);
    try {
      await eventually(funderTotal, (n) => n >= before + total, 60_000);
      await new Promise((r) => setTimeout(r, 2500)); // longer than the ack wait: late redeliveries would show
      expect(await funderTotal()).toBe(before + total);
    } finally {
      await restarted.stop();
    }
  });
});

describe('poison messages are dead-lettered and the stream keeps flowing', () => {
  useScenario();
  let failing = true;
  const flakyAnalytics: ServiceDefinition = { ...analytics, consumers: () => [poisonSensitiveConsumer(() => failing)] };
  let node: RunningPlatform;
  let url: string;

  beforeAll(async () => {
    node = await startDistributed(infra, [flakyAnalytics]);
    url = node.services[0]!.url;
  });
  afterAll(async () => node?.stop());

  test('a failing event is retried, parked after N deliveries, listed, replayed once fixed', async () => {
    const before = await funderTotal();
    const poison = funderCreated({ name: 'POISON' });
    await publisher.publish(funderCreated());
    await publisher.publish(poison, { msgID: poison.id });
    await publisher.publish(funderCreated());
    // The two good ones get through around the bad one.
    await eventually(funderTotal, (n) => n === before + 2);

    const letters = await eventually(
      async () =>
        (await call(`${url}/admin/dead-letters`)).body as Array<{
          id: string;
          consumer: string;
          error: string;
          deliveries: number;
        }>,
      (list) => list.some((l) => l.error.includes('POISON')),
    );
    const letter = letters.find((l) => l.error.includes('POISON'))!;
    expect(letter.consumer).toBe('analytics-flaky');
    expect(letter.deliveries).toBe(readConfig(testEnv(infra)).events.maxDeliver);

    // Still failing: replay refuses and keeps the letter.
    const refused = await call(`${url}/admin/dead-letters/${letter.id}/replay`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('replay_failed');

    failing = false;
    const replayed = await call(`${url}/admin/dead-letters/${letter.id}/replay`, { method: 'POST' });
    expect(replayed.status).toBe(200);
    expect(await funderTotal()).toBe(before + 3);
    const again = await call(`${url}/admin/dead-letters/${letter.id}/replay`, { method: 'POST' });
    expect(again.status).toBe(404);
    expect(await inboxCount('analytics-flaky')).toBe(3);
  });

  test('a message that breaks its contract is parked at once, never applied', async () => {
    const before = await funderTotal();
    const bad = { ...funderCreated(), data: { funderId: 'x', name: '', kind: 'pirate', siret: '1' } };
    await publisher.publish(bad);
    await publisher.publish('not even json', { type: 'funder.created' });
    await publisher.publish(funderCreated());
    await eventually(funderTotal, (n) => n === before + 1);
    const letters = await eventually(
      async () => (await call(`${url}/admin/dead-letters`)).body as Array<{ error: string; deliveries: number }>,
      (list) => list.filter((l) => l.error.startsWith('invalid_message')).length === 2,
    );
    for (const l of letters.filter((x) => x.error.startsWith('invalid_message'))) expect(l.deliveries).toBe(1);
    expect(await funderTotal()).toBe(before + 1);
  });
});
