/**
 * What a start must own before it touches anything: its admin ports, and in embedded mode its data
 * folder, which one process at a time may open (PGlite has no lock of its own: two processes on one
 * folder damage it for good). A start that cannot have them is refused with one line saying what
 * holds them and which variable to change, before any database is opened.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import type { ServiceName } from '@aptic/contracts';
import { portVariable, type PlatformConfig } from './config.ts';
import { StartRefused } from './refused.ts';

/** The line for a port another program holds (checked before the start, or met at listen). */
export function busyPort(service: ServiceName, port: number, host: string): StartRefused {
  const variable = portVariable(service);
  return new StartRefused(
    `${service}: port ${port} on ${host} is already in use by another program: stop it, or set ${variable} to a free port (${variable}=0: any free port).`,
  );
}

/** Checks that every fixed port is free, so a second start fails before opening anything. */
export async function assertPortsFree(services: readonly ServiceName[], config: PlatformConfig): Promise<void> {
  for (const service of services) {
    const port = config.port(service);
    if (port === 0) continue;
    const probe = createServer();
    const free = await new Promise<boolean>((done) => {
      probe.once('error', () => done(false));
      probe.listen({ host: config.httpHost, port, exclusive: true }, () => done(true));
    });
    await new Promise<void>((done) => (free ? probe.close(() => done()) : done()));
    if (!free) throw busyPort(service, port, config.httpHost);
  }
}

/** The lock is refreshed every few seconds; one not refreshed for this long belongs to a dead process. */
const STALE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process (proper-lockfile: a lock directory whose time is kept
 * fresh while we run), and records our pid beside it so a refused start can name the running one.
 * A lock whose recorded owner is dead (kill -9, power cut) is taken over at once; one with no owner
 * recorded yet belongs to a start under way. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const folder = resolve(dataDir);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw unopenable(folder, err);
  }
  const options = {
    realpath: false,
    lockfilePath: join(folder, 'platform.lock'),
    stale: STALE_MS,
    onCompromised: () => {},
  };
  const owner = join(folder, 'platform.pid');
  let release: () => void;
  try {
    release = lockfile.lockSync(folder, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw unopenable(folder, err);
    const holder = readOwner(owner);
    if (holder === undefined || alive(holder)) {
      const who = holder === undefined ? 'another start' : `pid ${holder}`;
      throw new StartRefused(
        `the platform is already running on ${folder} (${who}): stop it first, or set APTIC_DATA_DIR to another folder.`,
      );
    }
    // Its owner died without releasing it (kill -9, power cut): nothing has the folder open.
    rmSync(options.lockfilePath, { recursive: true, force: true });
    release = lockfile.lockSync(folder, options);
  }
  writeFileSync(owner, `${process.pid}\n`);
  return () => {
    rmSync(owner, { force: true });
    release();
  };
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The data folder cannot be used at all (permissions, not a folder, a full disk). */
function unopenable(folder: string, err: unknown): StartRefused {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EEXIST' || code === 'ENOTDIR'
      ? 'not a folder'
      : (code ?? (err instanceof Error ? err.message : String(err)));
  return new StartRefused(
    `cannot use the data folder ${folder} (${why}): check that it is a folder this user may write, or set APTIC_DATA_DIR to another one.`,
  );
}
