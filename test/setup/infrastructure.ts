/**
 * Integration tests talk to real PostgreSQL and real NATS JetStream, never mocks.
 * DATABASE_URL / NATS_URL when set; otherwise testcontainers starts both; otherwise a clear failure.
 */
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
  }
}

const HOW_TO = [
  'Integration tests need PostgreSQL and NATS with JetStream.',
  'Either set both variables, for example:',
  '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test NATS_URL=nats://127.0.0.1:4222 npm test',
  '(start NATS with `nats-server -js`), or run a Docker engine so that testcontainers can start them.',
].join('\n');

async function startContainers(): Promise<{ databaseUrl: string; natsUrl: string; stop: () => Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { NatsContainer } = await import('@testcontainers/nats');
  const [pg, nats] = await Promise.all([
    new PostgreSqlContainer('postgres:16').start(),
    new NatsContainer('nats:2.10').withJetStream().start(),
  ]);
  const servers = nats.getConnectionOptions().servers;
  return {
    databaseUrl: pg.getConnectionUri(),
    natsUrl: `nats://${Array.isArray(servers) ? servers[0] : servers}`,
    stop: async () => void (await Promise.all([pg.stop(), nats.stop()])),
  };
}

export default async function setup(project: TestProject) {
  let databaseUrl = process.env.DATABASE_URL;
  let natsUrl = process.env.NATS_URL;
  let stop = async () => {};
  if (!databaseUrl || !natsUrl) {
    try {
      ({ databaseUrl, natsUrl, stop } = await startContainers());
    } catch (err) {
      throw new Error(`${HOW_TO}\n(testcontainers: ${err instanceof Error ? err.message : String(err)})`);
    }
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('natsUrl', natsUrl);
  return stop;
}
