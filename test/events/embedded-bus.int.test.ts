import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ServiceNames } from '@aptic/contracts';
import { readConfig, startPlatform, type RunningPlatform, type ServiceDefinition } from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { readFunderCounts } from '@aptic/analytics/db/funder-counts.ts';
import { funderCreated, outgoing, poisonSensitiveConsumer } from '../support/events.ts';
import { ADMIN_TOKEN, call, eventually, testEventSettings } from '../support/platform.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aptic-bus-'));
let failing = true;
const service: ServiceDefinition = { ...analytics, consumers: () => [poisonSensitiveConsumer(() => failing)] };
const config = () =>
  readConfig({
    APTIC_DATA_DIR: dataDir,
    APTIC_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...testEventSettings,
    ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])),
  });
let platform: RunningPlatform;
const total = async () => (await readFunderCounts(platform.database.db)).total;

beforeAll(async () => {
  platform = await startPlatform([service], config());
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('embedded bus: dedup by event id, poison parked then replayed, positions survive a restart', async () => {
  const url = platform.services[0]!.url;
  const good = funderCreated();
  await platform.bus.publish([good, good, funderCreated({ name: 'POISON' }), funderCreated()].map(outgoing));
  await eventually(total, (n) => n === 2);
  const letters = await eventually(
    async () =>
      (await call(`${url}/admin/dead-letters`)).body as Array<{ id: string; error: string; deliveries: number }>,
    (l) => l.length === 1,
  );
  expect(letters[0]!.error).toContain('POISON');
  expect(letters[0]!.deliveries).toBe(3);

  failing = false;
  expect((await call(`${url}/admin/dead-letters/${letters[0]!.id}/replay`, { method: 'POST' })).status).toBe(200);
  expect(await total()).toBe(3);

  await platform.stop();
  platform = await startPlatform([service], config());
  await platform.bus.publish([funderCreated()].map(outgoing));
  await eventually(total, (n) => n === 4);
  await new Promise((r) => setTimeout(r, 300));
  expect(await total()).toBe(4);
});
