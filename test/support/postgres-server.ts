/**
 * A PostgreSQL server of the test's own (the machine's binaries, initdb and pg_ctl), on a port and in
 * a folder of its own: for tests that stop and restart the database under load. As root, the
 * server runs as the `postgres` user (initdb refuses root).
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** The URL of a database of this server (`postgres` when none is named). */
  url(database?: string): string;
  /** Stops the server the way a crash would (immediate shutdown: recovery at the next start). */
  crash(): void;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): void;
}

/** The newest PostgreSQL of the machine (Debian keeps each major version's binaries apart). */
function binaries(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql (or set POSTGRES_BIN)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

async function waitUntilUp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start at ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startPostgresServer(options: { port: number; dir: string }): Promise<PostgresServer> {
  const bin = binaries();
  const data = join(options.dir, 'data');
  const asRoot = userInfo().uid === 0;
  const run = (tool: string, args: string[], opts: ExecFileSyncOptions = {}) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { stdio: 'ignore', ...opts })
      : execFileSync(join(bin, tool), args, { stdio: 'ignore', ...opts });
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  // As root, the folder is the postgres user's (its parent must let that user through).
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(options.dir, id('-u'), id('-g'));
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // Durability as configured by default (fsync included): the test crashes the server, not the machine.
  const settings = [
    `-p ${options.port}`,
    `-k ${options.dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    '-c shared_buffers=64MB',
  ].join(' ');
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${options.port}/${database}`;
  const server: PostgresServer = {
    url,
    crash() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async start() {
      run('pg_ctl', ['-D', data, '-l', join(options.dir, 'postgres.log'), '-o', settings, '-w', '-t', '60', 'start']);
      await waitUntilUp(url());
    },
    close() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped.
      }
      rmSync(options.dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  await server.start();
  return server;
}
