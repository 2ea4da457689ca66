import { afterAll, beforeAll, expect, test } from 'vitest';
import { JSONCodec, connect, type NatsConnection } from 'nats';
import { natsNames, type Verdict } from '@aptic/contracts';
import { connectPostgres, type Database, type RunningPlatform } from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually, startDistributed, testEnv } from '../support/platform.ts';
import { startProcess, type Started } from '../support/process.ts';
import { buildWorld, type World } from './world.ts';

/**
 * kill -9 of a redemption process holding scans it had received: another instance judges them
 * within seconds (short ack wait on the scans work queue), not after the events' 30 s ack wait.
 */
const json = JSONCodec();
// The events' default ack wait, so that only the scans queue's own can bring the scans back quickly.
const env = { APTIC_EVENTS_ACK_WAIT_MS: '30000' };
let infra: Isolated;
let database: Database;
let crashing: Started | undefined;
let standby: RunningPlatform | undefined;
let w: World;
let nc: NatsConnection;

beforeAll(async () => {
  infra = await isolate();
  crashing = await startProcess(['redemption'], { ...process.env, ...testEnv(infra, env) }, /^ready \(/);
  database = connectPostgres(infra.databaseUrl);
  w = await buildWorld(infra, { database } as RunningPlatform);
  nc = await connect({ servers: infra.natsUrl });
});
afterAll(async () => {
  crashing?.child.kill('SIGKILL');
  await nc?.close();
  await standby?.stop();
  await database?.close();
  await infra?.cleanup();
});

test('kill -9 of a redemption process: the scans it held are judged by another instance within seconds', {
  timeout: 90_000,
}, async () => {
  const names = natsNames(infra.prefix);
  const verdicts = new Map<string, number>();
  nc.subscribe(names.kiosk.allVerdicts, {
    callback: (_err, m) => verdicts.set((json.decode(m.data) as Verdict).scanId, Date.now()),
  });
  await nc.flush();
  const js = nc.jetstream();
  const warmUp = w.scan(16, 1);
  await js.publish(names.kiosk.scans(warmUp.kioskId), json.encode(warmUp));
  await eventually(async () => verdicts.has(warmUp.scanId), Boolean);

  // Frozen, the process still receives the scans JetStream pushes to its pending pull, and can
  // neither judge nor acknowledge them.
  crashing!.child.kill('SIGSTOP');
  const scans = Array.from({ length: 40 }, (_, i) =>
    w.scan(17 + Math.floor(i / 10), (i % 10) + 1, { kioskId: w.kiosks[i]! }),
  );
  for (const s of scans) await js.publish(names.kiosk.scans(s.kioskId), json.encode(s));
  await new Promise((r) => setTimeout(r, 500));
  crashing!.child.kill('SIGKILL');
  await crashing!.exit;
  const killedAt = Date.now();
  expect(scans.filter((s) => verdicts.has(s.scanId))).toEqual([]);

  standby = await startDistributed(infra, [redemption], env);
  await eventually(
    async () => scans.filter((s) => verdicts.has(s.scanId)).length,
    (n) => n === scans.length,
    40_000,
  );
  const latest = Math.max(...scans.map((s) => verdicts.get(s.scanId)!)) - killedAt;
  expect(latest).toBeLessThanOrEqual(5_000);
});
