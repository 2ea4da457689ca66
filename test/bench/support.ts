import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
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

/** The machine's CPU time so far, in clock ticks: all of it, what no task used (idle, I/O wait) and what the hypervisor took (steal). */
function cpuTicks(): { total: number; idle: number; steal: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, t) => sum + t, 0), idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), steal: ticks[7] ?? 0 };
}

/**
 * Microseconds so far during which some runnable task of the machine waited for a CPU (the kernel's
 * pressure stall information), or undefined where the kernel does not keep it.
 */
function cpuStallMicroseconds(): number | undefined {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]!;
    return Number(/total=(\d+)/.exec(some)?.[1]);
  } catch {
    return undefined;
  }
}

/** How contended the machine's cores were during one phase of a benchmark, in percent. */
export interface PhaseLoad {
  /** Of the wall time, the share during which some runnable task waited for a CPU (undefined without the kernel's pressure information). */
  cpuPressurePercent?: number;
  /**
   * Of the cores' time, the share no task used: a path that leaves cores idle is bound by its
   * round trips; one that finds none idle, and tasks waiting, shares the cores with other work.
   */
  idlePercent: number;
}

/** Starts measuring a phase; the returned function gives its PhaseLoad so far. */
export function phaseLoad(): () => PhaseLoad {
  const from = { at: performance.now(), stalled: cpuStallMicroseconds(), ticks: cpuTicks() };
  return () => {
    const stalled = cpuStallMicroseconds();
    const ticks = cpuTicks();
    const idlePercent = Number(
      ((100 * (ticks.idle - from.ticks.idle)) / Math.max(1, ticks.total - from.ticks.total)).toFixed(1),
    );
    if (from.stalled === undefined || stalled === undefined) return { idlePercent };
    const cpuPressurePercent = Number(
      ((100 * (stalled - from.stalled)) / ((performance.now() - from.at) * 1000)).toFixed(1),
    );
    return { cpuPressurePercent, idlePercent };
  };
}

interface Since {
  total: number;
  steal: number;
  /** From the run's start: how contended the cores were. */
  phase?: () => PhaseLoad;
}

/**
 * How busy the machine was: load averages (1, 5, 15 min), the share of CPU time stolen since
 * `from`, and (from the run's start) the cores' contention, which the load average alone does not
 * tell: the share of the time a runnable task waited for a CPU, and of the cores' time left idle.
 */
function machineLoad(from: Since) {
  const now = cpuTicks();
  const phase = from.phase?.();
  return {
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    stealSeconds: Number((now.steal / 100).toFixed(1)),
    stealPercent: Number(((100 * (now.steal - from.steal)) / Math.max(1, now.total - from.total)).toFixed(1)),
    ...phase,
  };
}

/** When this benchmark's process started, for the load it ran under (shared machine). */
const bootTicks = { total: 0, steal: 0 };
const startTicks: Since = { ...cpuTicks(), phase: phaseLoad() };
const loadBefore = machineLoad(bootTicks);

/** A summary row of `npm run bench -- all`: the figure, its target, the floor it is compared with. */
export interface SummaryRow {
  figure: string;
  target: string;
  floor?: string;
  ratio?: string;
  /**
   * The floor's CPU per unit of work against the path's (both summed over every process), which
   * the machine's load does not move as it moves rates: how much the path adds to its parts.
   */
  efficiency?: string;
  met: boolean;
}

/**
 * Prints the figures and writes them to test/bench/results/<name>.json, with the machine's load
 * before the benchmark (steal share since boot) and after it (steal share and CPU pressure during
 * the run).
 */
export function report(name: string, figures: Record<string, unknown>, summary: SummaryRow[] = []): void {
  const result = {
    benchmark: name,
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    load: { before: loadBefore, after: machineLoad(startTicks) },
    ...figures,
    summary,
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

/** The `efficiency` of a summary row: the floor's CPU per unit as a share of the path's, with both. */
export function cpuEfficiency(floorPerUnit: number, pathPerUnit: number, unit: 'µs' | 'ms'): string {
  const shown = (v: number) => (unit === 'µs' ? Math.round(v * 1000) : Number(v.toFixed(3)));
  return `${Math.round((100 * floorPerUnit) / pathPerUnit)} % (${shown(floorPerUnit)} / ${shown(pathPerUnit)} ${unit})`;
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

/**
 * The nats-server serving the benchmark (the one listening on NATS_URL's port), for a CPU meter:
 * other servers of this machine (tests' own) do other work.
 */
export function natsServerPids(): number[] {
  const port = new URL(natsUrl).port || '4222';
  const listening = execFileSync('ss', ['-Hltnp', `sport = :${port}`]).toString();
  const pids = [...listening.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  if (pids.length === 0) throw new Error(`no process found listening on port ${port}`);
  return [...new Set(pids)];
}

/** A process's parent, from /proc. */
const parentOf = (pid: number) => Number(statFields(pid)?.[1]);

/**
 * The PostgreSQL processes doing the benchmark's work, for a CPU meter: the postmaster, every
 * background process of the cluster (WAL writer, checkpointer, background writer, autovacuum
 * launcher, ...) and every backend of the benchmark's database (autovacuum workers included);
 * not the backends of other databases, which serve other work on this shared server.
 */
export async function postgresPids(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; self: boolean }>(
      `SELECT pid, pid = pg_backend_pid() AS self FROM pg_stat_activity
        WHERE datname = current_database() OR datname IS NULL`,
    );
    const others = rows.filter((r) => !r.self).map((r) => r.pid);
    return [parentOf(rows.find((r) => r.self)!.pid), ...others];
  } finally {
    await client.end();
  }
}
