/**
 * Durable events end to end: ordering's outbox → relay → JetStream → analytics' consumer (its own
 * process) → inbox + effect committed in PostgreSQL. Beside it, in the same run, the raw rate of
 * JetStream publish+ack through the same client path as the relay (the bus's own publish), with the
 * same bytes (envelopes as PostgreSQL prints the outbox's jsonb), the same batches and as many batches
 * in flight as the relay allows.
 *
 * Latency: from the moment the producer emits an event (its occurredAt) to the start of the
 * consumer's transaction that applies it (inbox.processed_at); one machine, one clock.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { connect } from 'nats';
import { ServiceNames, natsNames } from '@aptic/contracts';
import { JetStreamBus, queryRows, readConfig, startPlatform } from '@aptic/runtime';
import { relayBatching } from '../../services/runtime/events/outbox.ts';
import { ordering } from '@aptic/ordering';
import { cpuMeter, natsServerPids, natsUrl, postgresPids, report, scratch } from './support.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const PER_TRANSACTION = 500;

const sample = () => ({
  funderId: randomUUID(),
  name: 'Communauté de communes du Rouillacais',
  kind: 'collectivite' as const,
  siret: '73282932000074',
});

/** The bodies exactly as the relay sends them: the outbox keeps jsonb, which prints with spaces. */
async function asRelayed(databaseUrl: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const envelopes = Array.from({ length: count }, () =>
    JSON.stringify({
      id: randomUUID(),
      type: 'funder.created',
      occurredAt: new Date().toISOString(),
      producer: 'ordering',
      data: sample(),
    }),
  );
  const { rows } = await client.query<{ json: string }>('SELECT unnest($1::jsonb[])::text AS json', [envelopes]);
  await client.end();
  return rows.map((r) => r.json);
}

async function rawPublishRate(databaseUrl: string, prefix: string): Promise<number> {
  const bus = await JetStreamBus.connect({ url: natsUrl, prefix, ackWaitMs: 30_000 });
  const events = (await asRelayed(databaseUrl, EVENTS)).map((json) => ({
    id: randomUUID(),
    type: 'funder.created',
    json,
  }));
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += relayBatching.batch) {
    if (inFlight.size === relayBatching.inFlight) await Promise.race(inFlight);
    const batch: Promise<void> = bus
      .publish(events.slice(i, i + relayBatching.batch))
      .finally(() => inFlight.delete(batch));
    inFlight.add(batch);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await bus.close();
  return EVENTS / seconds;
}

async function main() {
  const db = await scratch();
  const env: Record<string, string> = {
    DATABASE_URL: db.databaseUrl,
    NATS_URL: natsUrl,
    APTIC_NATS_PREFIX: db.prefix,
    APTIC_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    LOG_LEVEL: 'error',
    ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])),
  };
  try {
    const raw = await rawPublishRate(db.databaseUrl, `${db.prefix}raw`);
    const producer = await startPlatform([ordering], readConfig(env));
    const consumer = spawn(process.execPath, ['services/platform/bin/start.ts', 'analytics'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      consumer.stdout!.on('data', (d: Buffer) => d.toString().includes('ready (') && resolve());
      consumer.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)));
    });
    const context = producer.services[0]!.context;

    // CPU per event of each part: producer and its relay (this process), consumer, NATS, PostgreSQL.
    const meter = await cpuMeter(async () => ({
      producer: [process.pid],
      consumer: [consumer.pid!],
      nats: natsServerPids(),
      postgres: await postgresPids(db.databaseUrl),
    }));
    const emittedAt = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < EVENTS; i += PER_TRANSACTION) {
      await context.transaction(async (_tx, emit) => {
        for (let j = 0; j < Math.min(PER_TRANSACTION, EVENTS - i); j++) {
          const event = await emit('funder.created', sample());
          emittedAt.set(event.id, Date.parse(event.occurredAt));
        }
      });
    }
    const producedIn = (performance.now() - started) / 1000;
    const count = () =>
      queryRows<{ n: number }>(context.db, sql`SELECT count(*)::int AS n FROM analytics.inbox`).then((r) => r[0]!.n);
    while ((await count()) < EVENTS) await new Promise((r) => setTimeout(r, 100));

    const applied = await queryRows<{ id: string; at: number }>(
      context.db,
      sql`SELECT event_id AS id, (extract(epoch FROM processed_at) * 1000)::float AS at FROM analytics.inbox`,
    );
    const latencies = applied.map((r) => r.at - emittedAt.get(r.id)!).sort((a, b) => a - b);
    const percentile = (p: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
    const seconds = (Math.max(...applied.map((r) => r.at)) - Math.min(...emittedAt.values())) / 1000;
    const cpuMicrosecondsPerEvent = Object.fromEntries(
      Object.entries(await meter.charge(EVENTS)).map(([role, ms]) => [role, Math.round(ms * 1000)]),
    );
    const total = await queryRows<{ n: number }>(
      context.db,
      sql`SELECT sum(count)::int AS n FROM analytics.funder_count`,
    );
    consumer.kill('SIGTERM');
    await producer.stop();

    const endToEnd = EVENTS / seconds;
    report('events', {
      events: EVENTS,
      appliedOnce: total[0]!.n === EVENTS,
      endToEndEventsPerSecond: Math.round(endToEnd),
      latencyMs: { p50: percentile(0.5), p99: percentile(0.99), max: Math.round(latencies.at(-1)!) },
      producerEventsPerSecond: Math.round(EVENTS / producedIn),
      cpuMicrosecondsPerEvent,
      rawJetStreamPublishAckPerSecond: Math.round(raw),
      endToEndShareOfRaw: Number((endToEnd / raw).toFixed(2)),
      targets: { endToEndEventsPerSecond: 5_000, endToEndShareOfRaw: 0.5 },
      met: endToEnd >= 5_000 && endToEnd / raw >= 0.5,
    });
  } finally {
    await db.drop();
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    for (const names of [natsNames(db.prefix), natsNames(`${db.prefix}raw`)]) {
      for (const s of [names.events.stream, names.deadLetters.stream]) await jsm.streams.delete(s).catch(() => {});
    }
    await nc.close();
  }
}

await main();
