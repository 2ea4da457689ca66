/**
 * The platform as deployed, on infrastructure of the run's own: a PostgreSQL and a NATS server
 * (with the scan partition mappings) started for it, on ports of the chaos range and in a temporary
 * folder, and each service in a process of its own (`npm start -- <service>`), redemption twice.
 * Faults are real: kill -9 of a process, a crash of PostgreSQL, a kill of nats-server.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createAccount } from '@nats-io/nkeys';
import { ServiceNames, scanPartitionMappings, type ServiceName } from '@aptic/contracts';
import { startNatsServer, type NatsServer } from '../support/nats-server.ts';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.ts';
import { startProcess, type Started } from '../support/process.ts';
import { ADMIN_TOKEN, TEST_PASS_CODE_KEY, TEST_PASS_LOOKUP_KEY } from '../support/platform.ts';

/** Ports of the chaos range (NATS 14222-14269, PostgreSQL 15432-15469). */
const NATS_PORT = 14250;
const POSTGRES_PORT = 15450;
export const PREFIX = 'chaos';
/** Instances of each service: two of redemption, so that one takes over when the other is killed. */
const INSTANCES: Record<ServiceName, number> = {
  qualification: 1,
  catalogue: 1,
  ordering: 1,
  printing: 1,
  redemption: 2,
  settlement: 1,
  analytics: 1,
};

interface Instance {
  process: Started;
  url: string;
  /** Killed by the run (a fault, or the end), not exited on its own. */
  killed?: boolean;
}

/** A process that exited on its own (not killed by the run), and the end of what it printed. */
interface Crash {
  service: ServiceName;
  code: number | null;
  stderr: string;
}

export interface Cluster {
  natsUrl: string;
  databaseUrl: string;
  nats: NatsServer;
  postgres: PostgresServer;
  /** The admin URL of a live instance of the service. */
  url(service: ServiceName): string;
  /** kill -9 of one instance; it is started again in the background after `downMs`. */
  kill(service: ServiceName, index?: number, downMs?: number): Promise<void>;
  /** Every restart asked for has completed. */
  settled(): Promise<void>;
  /** Processes that exited on their own (each started again, as compose would). */
  crashes: Crash[];
  stop(): Promise<void>;
}

async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return server.url(name);
}

export async function startCluster(extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'aptic-chaos-'));
  // The postgres user (PostgreSQL under root) goes through to its own folder.
  chmodSync(dir, 0o711);
  const postgres = await startPostgresServer({ port: POSTGRES_PORT, dir: join(dir, 'postgres') });
  const nats = await startNatsServer({
    port: NATS_PORT,
    dir: join(dir, 'nats'),
    mappings: scanPartitionMappings(PREFIX),
  });
  const databaseUrl = await createDatabase(postgres, 'aptic');
  const account = createAccount();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    APTIC_NATS_PREFIX: PREFIX,
    APTIC_ADMIN_TOKEN: ADMIN_TOKEN,
    APTIC_PASS_CODE_KEY: TEST_PASS_CODE_KEY,
    APTIC_PASS_LOOKUP_KEY: TEST_PASS_LOOKUP_KEY,
    // Kiosk credentials are signed (the server here does not check them: kiosks connect without).
    NATS_ACCOUNT_SIGNING_SEED: new TextDecoder().decode(createAccount().getSeed()),
    NATS_ACCOUNT_PUBLIC_KEY: account.getPublicKey(),
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'silent',
    ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])),
    // Events: the defaults, but a crashed consumer's messages come back after 10 s, not 30.
    APTIC_EVENTS_ACK_WAIT_MS: '10000',
    APTIC_EVENTS_MAX_DELIVER: '5',
    APTIC_EVENTS_BACKOFF_MS: '1000',
    ...extraEnv,
  };
  const instances = new Map<ServiceName, (Instance | undefined)[]>();
  const crashes: Crash[] = [];
  const restarts: Promise<unknown>[] = [];
  /** Starts an instance; one that exits before it is ready is started again, as compose would. */
  const start = async (service: ServiceName): Promise<Instance> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const started = await startProcess([service], env, /^ready \(/, 180_000);
        const admin = started.lines.map((l) => l.match(new RegExp(`^${service} admin (\\S+)`))?.[1]).find(Boolean);
        return { process: started, url: admin! };
      } catch (err) {
        if (attempt === 5) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  };
  /** Starts the instance of a slot, and starts it again whenever it exits on its own. */
  const supervise = async (service: ServiceName, list: (Instance | undefined)[], index: number) => {
    const instance = await start(service);
    list[index] = instance;
    let stderr = '';
    instance.process.child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
    void instance.process.exit.then((code) => {
      if (instance.killed) return;
      crashes.push({ service, code, stderr });
      list[index] = undefined;
      const restart = supervise(service, list, index);
      restart.catch(() => {});
      restarts.push(restart);
    });
  };
  // Each process starts on its own, migrations serialised by their advisory lock.
  await Promise.all(
    ServiceNames.map(async (service) => {
      const list: (Instance | undefined)[] = [];
      instances.set(service, list);
      for (let i = 0; i < INSTANCES[service]; i++) await supervise(service, list, i);
    }),
  );
  return {
    natsUrl: nats.url,
    databaseUrl,
    nats,
    postgres,
    crashes,
    url(service) {
      const live = instances.get(service)!.find(Boolean);
      if (!live) throw new Error(`no live ${service} instance`);
      return live.url;
    },
    async kill(service, index = 0, downMs = 1_000) {
      const list = instances.get(service)!;
      const victim = list[index];
      if (!victim) return;
      list[index] = undefined;
      victim.killed = true;
      victim.process.child.kill('SIGKILL');
      await victim.process.exit;
      const restart = new Promise((r) => setTimeout(r, downMs)).then(() => supervise(service, list, index));
      // Handled here, reported by settled().
      restart.catch(() => {});
      restarts.push(restart);
    },
    async settled() {
      await Promise.all(restarts);
    },
    async stop() {
      await Promise.allSettled(restarts);
      for (const list of instances.values())
        for (const instance of list) {
          if (!instance) continue;
          instance.killed = true;
          instance.process.child.kill('SIGKILL');
          await instance.process.exit;
        }
      await nats.close();
      postgres.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
