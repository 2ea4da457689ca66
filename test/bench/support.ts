import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import pg from 'pg';

/** Benchmarks run against real PostgreSQL and NATS: the environment's, or this machine's defaults. */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A database and a NATS prefix of the run's own, dropped at the end. */
export async function scratch(): Promise<{ databaseUrl: string; prefix: string; drop(): Promise<void> }> {
  const id = randomBytes(4).toString('hex');
  const name = `aptic_bench_${id}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    prefix: `bench${id}`,
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Prints the figures and writes them to test/bench/results/<name>.json. */
export function report(name: string, figures: Record<string, unknown>): void {
  const result = {
    benchmark: name,
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    ...figures,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

/** Fields of /proc/<pid>/stat after the command's name (state first), or none once it has exited. */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it has exited. */
export function cpuSecondsOf(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : 0;
}

/**
 * CPU seconds a process and all its descendants have used so far: the living ones (Chromium's
 * processes, say) and the children it has already waited for.
 */
export function cpuSecondsOfTree(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const parent = Number.isInteger(pid) ? Number(statFields(pid)?.[1]) : Number.NaN;
    if (Number.isInteger(parent)) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  let total = 0;
  for (const pending = [root]; pending.length > 0; ) {
    const pid = pending.pop()!;
    const fields = statFields(pid);
    if (fields) total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

type Roles = Record<string, number[]>;

/**
 * CPU ms per unit of work charged to each role (a role: the processes doing one part of the
 * work), between the meter's start and `charge()`. Processes are listed again at the end, so one
 * started meanwhile counts whole; one that exited meanwhile is missed (its share is undercounted).
 */
export async function cpuMeter(
  roles: () => Promise<Roles>,
): Promise<{ charge(units: number): Promise<Record<string, number>> }> {
  const read = async () =>
    new Map(
      Object.values(await roles())
        .flat()
        .map((pid) => [pid, cpuSecondsOf(pid)]),
    );
  const start = await read();
  return {
    async charge(units) {
      const end = await read();
      const current = await roles();
      const used = (pids: number[]) =>
        pids.reduce((sum, pid) => sum + Math.max(0, (end.get(pid) ?? 0) - (start.get(pid) ?? 0)), 0);
      return Object.fromEntries(
        Object.entries(current).map(([role, pids]) => [role, Number(((used(pids) * 1000) / units).toFixed(3))]),
      );
    },
  };
}

/** The nats-server processes of this machine, for a CPU meter. */
export const natsServerPids = (): number[] =>
  execFileSync('pgrep', ['-x', 'nats-server']).toString().trim().split('\n').map(Number);

/** The PostgreSQL backends serving the benchmark's database, for a CPU meter. */
export async function postgresPids(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (
      await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )
    ).rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}
