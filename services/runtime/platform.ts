import { pino, type Logger } from 'pino';
import type { ServiceName } from '@aptic/contracts';
import type { PlatformConfig } from './config.ts';
import { connectPostgres, openPglite, type Database } from './db/connect.ts';
import type { EventBus } from './events/bus.ts';
import { JetStreamBus } from './events/jetstream.ts';
import { LocalBus } from './events/local.ts';
import { TokenStore } from './auth/tokens.ts';
import { createBroker } from './broker.ts';
import { StartRefused } from './refused.ts';
import { assertPortsFree, lockDataDir } from './exclusive.ts';
import { startService, type RunningService } from './start-service.ts';
import type { ServiceDefinition } from './service.ts';

export interface RunningPlatform {
  config: PlatformConfig;
  services: RunningService[];
  database: Database;
  bus: EventBus;
  tokens: TokenStore;
  /** Embedded mode's first start: the admin token created, shown once. */
  bootstrapToken: string | undefined;
  stop(): Promise<void>;
}

async function openInfrastructure(
  config: PlatformConfig,
  node: string,
): Promise<{ database: Database; bus: EventBus }> {
  if (config.mode === 'embedded') {
    const database = await openPglite(config.dataDir);
    return { database, bus: await LocalBus.open(database) };
  }
  const database = connectPostgres(config.databaseUrl!, { application: `aptic-${node}` });
  const bus = await JetStreamBus.connect({
    url: config.natsUrl!,
    prefix: config.natsPrefix,
    ackWaitMs: config.events.ackWaitMs,
    name: `aptic-${node}`,
    credsFile: config.natsCredsFile,
  });
  return { database, bus };
}

/** Told what the start is doing, step by step, for a person waiting at a terminal. */
export type Progress = (step: string) => void;

/**
 * Starts the given services in this process, sharing one broker, one database connection and
 * one bus. Embedded: PGlite + table-backed bus + in-process broker. Distributed: PostgreSQL +
 * JetStream + Moleculer over NATS.
 */
export async function startPlatform(
  definitions: ServiceDefinition[],
  config: PlatformConfig,
  log?: Logger,
  progress: Progress = () => {},
): Promise<RunningPlatform> {
  const logger = log ?? pino({ level: config.logLevel, base: { mode: config.mode } });
  const node = definitions.length === 1 ? definitions[0]!.name : 'platform';
  // Ports first, then the data folder: a second start is refused before it opens any database.
  await assertPortsFree(
    definitions.map((d) => d.name),
    config,
  );
  const releaseDataDir = config.mode === 'embedded' ? lockDataDir(config.dataDir) : () => {};
  progress(
    config.mode === 'embedded'
      ? `opening the embedded database in ${config.dataDir}`
      : 'connecting to PostgreSQL and NATS',
  );
  const { database, bus } = await openInfrastructure(config, node).catch((err: unknown) => {
    releaseDataDir();
    throw err;
  });
  const tokens = await TokenStore.open(database, config.adminToken);
  const broker = createBroker(config, node);
  const services: RunningService[] = [];
  for (const definition of definitions) {
    progress(`${definition.name}: schema, consumers, admin server`);
    services.push(await startService(definition, { config, database, bus, broker, tokens, log: logger }));
  }
  await broker.start();

  let bootstrapToken: string | undefined;
  if (config.mode === 'embedded' && !config.adminToken && !(await tokens.hasAdmin())) {
    bootstrapToken = (await tokens.issue({ name: 'embedded bootstrap', role: 'admin' }, 'first start')).token;
  }

  let stopping: Promise<void> | undefined;
  return {
    config,
    services,
    database,
    bus,
    tokens,
    bootstrapToken,
    stop: () =>
      (stopping ??= (async () => {
        for (const service of services) await service.stop();
        await broker.stop();
        await bus.close();
        await database.close();
        releaseDataDir();
      })()),
  };
}

export function selectServices(all: ServiceDefinition[], names: string[]): ServiceDefinition[] {
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((d) => d.name === n));
  if (unknown.length > 0)
    throw new StartRefused(`Unknown service ${unknown.join(', ')}; known: ${all.map((d) => d.name).join(', ')}`);
  return all.filter((d) => names.includes(d.name as ServiceName));
}
