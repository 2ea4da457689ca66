/**
 * A second start never damages the embedded database: it is refused, in one line naming the running
 * one and the variable to change, before it opens anything; a busy port is one line naming the
 * service, the port and its variable; a data folder that cannot be used is one line with its path.
 * After all that, and after a kill -9, the first start's data is intact.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ServiceNames } from '@aptic/contracts';
import { call } from '../support/platform.ts';
import { startProcess, type Started } from '../support/process.ts';

const root = mkdtempSync(join(tmpdir(), 'aptic-exclusive-'));
const running = new Set<Started>();
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const TOKEN = 'exclusive-start-admin-token-0123456789';
const anyPorts = Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0']));
const envFor = (dataDir: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  APTIC_DATA_DIR: dataDir,
  APTIC_ADMIN_TOKEN: TOKEN,
  ...anyPorts,
  ...extra,
});

async function start(env: Record<string, string | undefined>): Promise<Started> {
  const started = await startProcess([], env, /^ready \(embedded mode\)$/, 120_000);
  running.add(started);
  return started;
}

/** A start expected to be refused: its exit code and what it printed. */
function refusedStart(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['services/platform/bin/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))),
  );
}

const urlOf = (p: Started, service: string) =>
  p.lines
    .find((l) => l.startsWith(`${service} admin `))!
    .split(' ')
    .at(-1)!;

test('two starts on one folder, a busy port, an unusable folder, a kill -9: the data stays intact', async () => {
  const dataDir = join(root, 'data');
  const first = await start(envFor(dataDir));
  const funder = await call(`${urlOf(first, 'ordering')}/funders`, {
    method: 'POST',
    token: TOKEN,
    body: { name: 'Fondation X', kind: 'foundation', siret: '73282932000074' },
  });
  expect(funder.status).toBe(201);

  // The second start on the same folder: refused in one line naming the first, PGlite never opened.
  const second = await refusedStart(envFor(dataDir));
  expect(second.code).toBe(1);
  expect(second.stdout).toBe('');
  expect(second.stderr.trim().split('\n')).toEqual([
    `aptic: the platform is already running on ${dataDir} (pid ${first.child.pid}): stop it first, or set APTIC_DATA_DIR to another folder.`,
  ]);

  // A port another program holds: one line naming the service, the port and its variable,
  // before the start touches its data folder.
  const holder = createServer();
  await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const port = (holder.address() as AddressInfo).port;
  const otherDir = join(root, 'other');
  const busy = await refusedStart(envFor(otherDir, { ORDERING_PORT: String(port) }));
  holder.close();
  expect(busy.code).toBe(1);
  expect(busy.stderr.trim().split('\n')).toEqual([
    `aptic: ordering: port ${port} on 127.0.0.1 is already in use by another program: stop it, or set ORDERING_PORT to a free port (ORDERING_PORT=0: any free port).`,
  ]);
  expect(existsSync(otherDir)).toBe(false);

  // A data folder that is a file: one line with the path and what to do.
  const file = join(root, 'a-file');
  writeFileSync(file, '');
  const unusable = await refusedStart(envFor(file));
  expect(unusable.code).toBe(1);
  expect(unusable.stderr.trim().split('\n')).toEqual([
    `aptic: cannot use the data folder ${file} (not a folder): check that it is a folder this user may write, or set APTIC_DATA_DIR to another one.`,
  ]);

  // The first stops; a restart finds its data.
  first.child.kill('SIGTERM');
  expect(await first.exit).toBe(0);
  const again = await start(envFor(dataDir));
  expect((await call(`${urlOf(again, 'ordering')}/funders/${funder.body.id}`, { token: TOKEN })).body.name).toBe(
    'Fondation X',
  );

  // Killed without a chance to release its lock: the next start takes the folder over at once.
  again.child.kill('SIGKILL');
  await again.exit;
  const afterCrash = await start(envFor(dataDir));
  expect((await call(`${urlOf(afterCrash, 'ordering')}/funders/${funder.body.id}`, { token: TOKEN })).body.name).toBe(
    'Fondation X',
  );
  afterCrash.child.kill('SIGTERM');
  expect(await afterCrash.exit).toBe(0);
}, 300_000);
