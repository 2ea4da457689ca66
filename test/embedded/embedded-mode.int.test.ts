import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFailed, test } from 'vitest';
import { ServiceNames } from '@aptic/contracts';
import { call, eventually } from '../support/platform.ts';
import { startProcess } from '../support/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aptic-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** No DATABASE_URL/NATS_URL: the embedded mode. Free ports so a running instance is not disturbed. */
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  APTIC_DATA_DIR: dataDir,
  ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])),
};
const SERVICE_LINE = /^(\w+) admin (http:\/\/127\.0\.0\.1:\d+)$/;

describe('npm start without DATABASE_URL/NATS_URL: all seven services in one process', () => {
  test('starts, prints one line per service, serves, stops cleanly on SIGTERM, and keeps its data', async () => {
    const first = await startProcess([], env, /^ready \(embedded mode\)$/);
    // A failed check must not leave the process running. (How fast it starts is not asserted here.)
    onTestFailed(() => void first.child.kill('SIGKILL'));
    const urls = Object.fromEntries(
      first.lines.flatMap((l) =>
        SERVICE_LINE.exec(l) ? [[SERVICE_LINE.exec(l)![1]!, SERVICE_LINE.exec(l)![2]!]] : [],
      ),
    );
    expect(Object.keys(urls).sort()).toEqual([...ServiceNames].sort());
    for (const url of Object.values(urls)) expect((await call(`${url}/health`, { token: null })).status).toBe(200);

    // The first start creates an admin token and prints it once.
    const tokenLine = first.lines.find((l) => l.includes('admin token'));
    const token = tokenLine?.split(': ').pop();
    expect(token).toMatch(/^apt_/);

    // The thin flow through the embedded bus: ordering → outbox → bus → analytics.
    const created = await call(`${urls.ordering}/funders`, {
      method: 'POST',
      token,
      body: { name: 'Fondation X', kind: 'foundation', siret: '73282932000074' },
    });
    expect(created.status).toBe(201);
    const stats = await eventually(
      () => call(`${urls.analytics}/stats/funders`, { token }),
      (r) => r.body?.total === 1,
    );
    expect(stats.body.byKind).toEqual({ foundation: 1 });

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    // Restart on the same data: no new token, the count is kept and not applied again.
    const second = await startProcess([], env, /^ready \(embedded mode\)$/);
    try {
      expect(second.lines.some((l) => l.includes('admin token'))).toBe(false);
      const analytics = second.lines.map((l) => SERVICE_LINE.exec(l)).find((m) => m?.[1] === 'analytics')![2]!;
      await new Promise((r) => setTimeout(r, 500));
      expect((await call(`${analytics}/stats/funders`, { token })).body).toEqual({
        total: 1,
        byKind: { foundation: 1 },
      });
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    }
  });
});
