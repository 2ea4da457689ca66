/**
 * Durable events end to end: ordering's outbox → relay → JetStream → analytics' consumer (its own
 * process) → inbox + effect committed in PostgreSQL. Beside it, in the same run, the path's physical
 * floor composed of its parts, each measured alone with the same bytes (envelopes as PostgreSQL
 * prints the outbox's jsonb) and batches: JetStream publish (the relay's client path, batches and
 * pipelining) → durable pull consume → explicit ack, in two processes (floors/jetstream.ts); and the
 * outbox insert, the relay's read + delete, the inbox insert with the effect (floors/outbox.ts).
 * The path's rate is given as a share of their serial rate and of their CPU ceiling.
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
import { queryRows, readConfig, startPlatform } from '@aptic/runtime';
import { relayBatching } from '../../services/runtime/events/outbox.ts';
import { ordering } from '@aptic/ordering';
import {
  cpuEfficiency,
  cpuMeter,
  natsServerPids,
  natsUrl,
  phaseLoad,
  postgresPids,
  report,
  scratch,
} from './support.ts';
import { composeFloor } from './floors/compose.ts';
import { eventDelivery, sharedServer } from './floors/jetstream.ts';
import { outboxToInbox } from './floors/outbox.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const PER_TRANSACTION = 500;
/** The consumer's largest batch (services/runtime/events/jetstream.ts). */
const CONSUMER_BATCH = 500;

const sample = () => ({
  funderId: randomUUID(),
  name: 'Communauté de communes du Rouillacais',
  kind: 'collectivite' as const,
  siret: '73282932000074',
});

/** The envelopes, and their bodies exactly as the relay sends them: the outbox keeps jsonb, which prints with spaces. */
async function asRelayed(databaseUrl: string, count: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const envelopes = Array.from({ length: count }, () => ({
    id: randomUUID(),
    type: 'funder.created',
    occurredAt: new Date().toISOString(),
    producer: 'ordering',
    data: sample(),
  }));
  const { rows } = await client.query<{ json: string }>('SELECT unnest($1::jsonb[])::text AS json', [
    envelopes.map((e) => JSON.stringify(e)),
  ]);
  await client.end();
  return { envelopes, bodies: rows.map((r) => r.json) };
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
    const { envelopes, bodies } = await asRelayed(db.databaseUrl, EVENTS);
    const composed = composeFloor({
      jetStream: await eventDelivery({
        server: sharedServer,
        prefix: db.prefix,
        bodies,
        ...relayBatching,
        consumerBatch: CONSUMER_BATCH,
      }),
      postgres: await outboxToInbox(db.databaseUrl, envelopes, PER_TRANSACTION),
    });
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
    const contention = phaseLoad();
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
    // Whether the path left the cores idle (bound by its round trips) or shared them with other work.
    const pathContention = contention();

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
    const ofSerial = endToEnd / composed.serialPerSecond;
    const ofCeiling = endToEnd / composed.cpuCeilingPerSecond;
    const appliedOnce = total[0]!.n === EVENTS;
    const cpuMicroseconds = Object.values(cpuMicrosecondsPerEvent).reduce((a, b) => a + b, 0);
    report(
      'events',
      {
        events: EVENTS,
        appliedOnce,
        endToEndEventsPerSecond: Math.round(endToEnd),
        latencyMs: { p50: percentile(0.5), p99: percentile(0.99), max: Math.round(latencies.at(-1)!) },
        producerEventsPerSecond: Math.round(EVENTS / producedIn),
        cpuMicrosecondsPerEvent,
        pathContention,
        composedFloor: composed,
        ratios: { ofComposedSerial: Number(ofSerial.toFixed(3)), ofCpuCeiling: Number(ofCeiling.toFixed(3)) },
        targets: { endToEndEventsPerSecond: 5_000, ofComposedSerial: 0.9, ofCpuCeiling: 0.75 },
        met: appliedOnce && endToEnd >= 5_000 && ofSerial >= 0.9 && ofCeiling >= 0.75,
      },
      [
        {
          figure: `${Math.round(endToEnd)} events/s end to end (p99 ${percentile(0.99)} ms), ${cpuMicroseconds} µs CPU/event, cores idle ${pathContention.idlePercent} % (CPU pressure ${pathContention.cpuPressurePercent ?? '—'} %)${appliedOnce ? '' : ', NOT applied exactly once'}`,
          target: '≥ 90 % of composed serial floor, ≥ 75 % of CPU ceiling',
          floor: `composed: serial ${composed.serialPerSecond}/s (JetStream ${composed.parts.jetStream.perSecond}/s, PostgreSQL ${composed.parts.postgres.perSecond}/s), CPU ceiling ${composed.cpuCeilingPerSecond}/s (${Math.round(composed.cpuMsPerUnit * 1000)} µs/event)`,
          ratio: `${Math.round(100 * ofSerial)} % of serial, ${Math.round(100 * ofCeiling)} % of ceiling`,
          efficiency: cpuEfficiency(composed.cpuMsPerUnit, cpuMicroseconds / 1000, 'µs'),
          met: appliedOnce && ofSerial >= 0.9 && ofCeiling >= 0.75,
        },
      ],
    );
  } finally {
    await db.drop();
    const nc = await connect({ servers: natsUrl });
    const jsm = await nc.jetstreamManager();
    const names = natsNames(db.prefix);
    for (const s of [names.events.stream, names.deadLetters.stream]) await jsm.streams.delete(s).catch(() => {});
    await nc.close();
  }
}

await main();
