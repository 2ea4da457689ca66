import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  arrayParam,
  connectPostgres,
  queryRows,
  type ConsumerDefinition,
  type Database,
  type RunningPlatform,
  type ServiceDefinition,
} from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher, funderCreated } from '../support/events.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * The database unreachable for 60 s while events keep coming: with the test settings (3 deliveries,
 * 50 ms backoff) every event in flight would be parked within a second if an outage counted as a
 * failure of the event.
 */
const OUTAGE_MS = 60_000;
const RATE_PER_S = 40;

let infra: Isolated;
let direct: Database;
let proxy: TcpProxy;
let publisher: RawPublisher;
let node: RunningPlatform;
/** The load: stopped by the test, or by afterAll when the test failed. */
let sending = true;
let load: Promise<void> | undefined;

/** Records each application of an event, duplicates included (no key on purpose). */
const effects: ConsumerDefinition<'funder.created'> = {
  name: 'effects',
  events: ['funder.created'],
  async apply(tx, events) {
    await tx.execute(
      sql`INSERT INTO public.effect (event_id) SELECT unnest(${arrayParam(
        events.map((e) => e.id),
        'uuid',
      )})`,
    );
  },
};
const consumerService: ServiceDefinition = {
  name: 'analytics',
  migrations: analytics.migrations,
  tables: analytics.tables,
  consumers: () => [effects],
};

beforeAll(async () => {
  infra = await isolate();
  direct = connectPostgres(infra.databaseUrl);
  await direct.db.execute(sql`CREATE TABLE public.effect (event_id uuid NOT NULL)`);
  const target = new URL(infra.databaseUrl);
  proxy = await TcpProxy.open({ host: target.hostname, port: Number(target.port || 5432) });
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  node = await startDistributed({ ...infra, databaseUrl: proxy.url(infra.databaseUrl) }, [consumerService]);
});
afterAll(async () => {
  sending = false;
  await load;
  await node?.stop();
  await proxy?.close();
  await publisher?.close();
  await direct?.close();
  await infra?.cleanup();
});

test('the database unreachable for 60 s under load: every event applied once afterwards, nothing parked', {
  timeout: 240_000,
}, async () => {
  const url = node.services[0]!.url;
  const sent: string[] = [];
  load = (async () => {
    while (sending) {
      const event = funderCreated();
      await publisher.publish(event, { msgID: event.id });
      sent.push(event.id);
      await new Promise((r) => setTimeout(r, 1000 / RATE_PER_S));
    }
  })();
  const applied = async () =>
    (
      await queryRows<{ n: number; distinct: number }>(
        direct.db,
        sql`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM public.effect`,
      )
    )[0]!;

  await eventually(applied, (a) => a.n > 100);
  await proxy.cut();
  await new Promise((r) => setTimeout(r, 5_000));
  // The consumer shows it is waiting on the outage, on /ready and on a metric.
  const ready = await call(`${url}/ready`, { token: null });
  expect(ready.status).toBe(503);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/aptic_events_consumer_waiting\{[^}]*consumer="analytics-effects"[^}]*\} 1/);
  await new Promise((r) => setTimeout(r, OUTAGE_MS - 5_000));
  await proxy.restore();
  await new Promise((r) => setTimeout(r, 5_000));
  sending = false;
  await load;

  const total = sent.length;
  expect(total).toBeGreaterThan(2_000);
  await eventually(applied, (a) => a.distinct === total, 60_000);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await applied()).toEqual({ n: total, distinct: total });
  expect((await call(`${url}/admin/dead-letters`)).body).toEqual([]);
  await eventually(
    async () => (await call(`${url}/ready`, { token: null })).status,
    (s) => s === 200,
  );
  expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
    /aptic_events_consumer_waiting\{[^}]*consumer="analytics-effects"[^}]*\} 0/,
  );
});
