import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect } from 'nats';
import { inject } from 'vitest';
import { natsNames } from '@aptic/contracts';

export interface Isolated {
  /** A fresh database of its own on the test PostgreSQL server. */
  databaseUrl: string;
  natsUrl: string;
  /** Own NATS subject prefix, stream names and Moleculer namespace. */
  prefix: string;
  /** Drops the database and deletes the streams. */
  cleanup(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Gives a test file its own database and its own NATS prefix, so files run in parallel
 * against one server without seeing each other.
 */
export async function isolate(): Promise<Isolated> {
  const baseUrl = inject('databaseUrl');
  const natsUrl = inject('natsUrl');
  const id = randomBytes(5).toString('hex');
  const database = `aptic_t_${id}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const prefix = `t${id}`;
  return {
    databaseUrl: withDatabase(baseUrl, database),
    natsUrl,
    prefix,
    async cleanup() {
      const nc = await connect({ servers: natsUrl });
      const jsm = await nc.jetstreamManager();
      const names = natsNames(prefix);
      for (const stream of [
        names.events.stream,
        names.deadLetters.stream,
        names.kiosk.stream,
        names.kiosk.verdictStream,
        `KV_${names.kiosk.stream}_OWNERS`,
      ])
        await jsm.streams.delete(stream).catch(() => {});
      await nc.close();
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}
