import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServiceBroker } from 'moleculer';
import type { Logger } from 'pino';
import type { PlatformConfig } from './config.ts';
import type { Database } from './db/connect.ts';
import type { EventBus } from './events/bus.ts';
import { DurableConsumer } from './events/consumer.ts';
import { JetStreamBus } from './events/jetstream.ts';
import { OutboxRelay, outboxWriter } from './events/outbox.ts';
import type { TokenStore } from './auth/tokens.ts';
import { createAdminServer } from './http/server.ts';
import { deadLetterRoutes, tokenRoutes } from './http/platform-routes.ts';
import type { ServiceContext, ServiceDefinition } from './service.ts';
import { Timers } from './timers.ts';
import { busyPort } from './exclusive.ts';
import { PdfRenderer } from './pdf/renderer.ts';

export interface Platform {
  config: PlatformConfig;
  database: Database;
  bus: EventBus;
  broker: ServiceBroker;
  tokens: TokenStore;
  log: Logger;
}

export interface RunningService {
  name: string;
  url: string;
  context: ServiceContext;
  relay: OutboxRelay;
  consumers: DurableConsumer[];
  /** Stops taking requests, finishes the batch under way, publishes what was committed. */
  stop(): Promise<void>;
}

function serviceMetrics(name: string, relay: () => OutboxRelay, consumers: () => DurableConsumer[]) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  collectDefaultMetrics({ register: registry });
  const applied = new Counter({
    name: 'aptic_events_applied_total',
    help: 'Events applied by a consumer',
    labelNames: ['consumer'],
    registers: [registry],
  });
  const parked = new Counter({
    name: 'aptic_events_dead_lettered_total',
    help: 'Events parked as dead letters',
    labelNames: ['consumer'],
    registers: [registry],
  });
  const transient = new Counter({
    name: 'aptic_events_transient_failures_total',
    help: 'Batches that failed for a transient cause (outage) and were held to be tried again',
    labelNames: ['consumer'],
    registers: [registry],
  });
  new Gauge({
    name: 'aptic_events_consumer_waiting',
    help: '1 while a consumer holds its events through an outage (database or bus unreachable)',
    labelNames: ['consumer'],
    registers: [registry],
    collect() {
      for (const c of consumers()) this.set({ consumer: c.durable }, c.waitingOn === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'aptic_outbox_backlog',
    help: 'Outbox events not yet acknowledged by the bus',
    registers: [registry],
    async collect() {
      // During an outage the last figure stays: the other metrics must still be served.
      await relay()
        .backlog()
        .then(
          (n) => this.set(n),
          () => {},
        );
    },
  });
  return {
    registry,
    hooks: {
      applied: (c: string, n: number) => applied.inc({ consumer: c }, n),
      parked: (c: string) => parked.inc({ consumer: c }),
      transient: (c: string) => transient.inc({ consumer: c }),
    },
  };
}

/**
 * Starts one service on a platform: migrations, context, consumers, Moleculer schema, admin HTTP.
 * The caller starts the broker once every service on it is created.
 */
export async function startService(definition: ServiceDefinition, platform: Platform): Promise<RunningService> {
  const { config, database, bus, broker, tokens } = platform;
  const name = definition.name;
  const log = platform.log.child({ service: name });
  await database.migrate(name, definition.migrations);

  const relay = new OutboxRelay({ db: database.db, tables: definition.tables, bus, log });
  let consumers: DurableConsumer[] = [];
  const metrics = serviceMetrics(
    name,
    () => relay,
    () => consumers,
  );
  const timers = new Timers(log);
  const releases: Array<() => Promise<void>> = [];
  let browser: Promise<PdfRenderer> | undefined;
  releases.push(async () => {
    if (browser) await (await browser).close();
  });
  const context: ServiceContext = {
    name,
    config,
    db: database.db,
    log,
    broker,
    nats: bus instanceof JetStreamBus ? bus.connection : undefined,
    metrics: metrics.registry,
    async transaction(work) {
      const result = await database.db.transaction(async (tx) => {
        const outbox = outboxWriter(definition.tables, name);
        const value = await work(tx, outbox.emit);
        await outbox.flush(tx);
        return value;
      });
      relay.kick();
      return result;
    },
    async statement(work) {
      const outbox = outboxWriter(definition.tables, name);
      const result = await work(database.db, outbox.emit, outbox.take);
      relay.kick();
      if (outbox.pending > 0) throw new Error(`${outbox.pending} event(s) emitted but never written to the outbox`);
      return result;
    },
    every: (job, everyMs, run) => timers.every(job, everyMs, run),
    onStop: (release) => void releases.push(release),
    pdf: () => (browser ??= PdfRenderer.launch(config.chromiumPath)),
  };
  consumers = (definition.consumers?.(context) ?? []).map(
    (d) =>
      new DurableConsumer({
        service: name,
        definition: d,
        db: database.db,
        tables: definition.tables,
        bus,
        config: config.events,
        log,
        hooks: metrics.hooks,
        afterCommit: () => relay.kick(),
      }),
  );
  broker.createService({ name, ...definition.moleculer?.(context) });

  const app = await createAdminServer({
    service: name,
    log,
    tokens,
    metrics: metrics.registry,
    trustedProxies: config.trustedProxies,
    ready: async () => {
      if (!broker.started) return 'broker not started';
      const held = consumers.find((c) => c.waitingOn !== undefined);
      if (held) return `${held.durable} waiting for an outage to pass: ${held.waitingOn}`;
      return database.ping().then(
        () => bus.problem(),
        (err) => `database: ${err instanceof Error ? err.message : err}`,
      );
    },
  });
  tokenRoutes(app, tokens);
  deadLetterRoutes(app, bus, consumers);
  definition.routes?.(app, context);

  await definition.start?.(context);
  relay.start();
  for (const consumer of consumers) await consumer.start();
  const port = config.port(name);
  await app.listen({ host: config.httpHost, port }).catch((err: unknown) => {
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? busyPort(name, port, config.httpHost) : err;
  });
  const address = app.server.address();
  const url = `http://${config.httpHost}:${typeof address === 'object' && address ? address.port : port}`;

  return {
    name,
    url,
    context,
    relay,
    consumers,
    async stop() {
      await app.close();
      await timers.stop();
      for (const consumer of consumers) await consumer.stop();
      await relay.stop();
      for (const release of releases.reverse()) await release();
    },
  };
}
