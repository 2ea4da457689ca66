import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JSONCodec, connect, type NatsConnection } from 'nats';
import {
  SCAN_PARTITIONS,
  natsNames,
  scanPartitionMappings,
  type CancelOutcome,
  type ScanMessage,
  type Verdict,
} from '@aptic/contracts';
import type { RunningPlatform } from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually, startDistributed } from '../support/platform.ts';
import { startNatsServer, type NatsServer } from '../support/nats-server.ts';
import { buildWorld, type World } from './world.ts';

/**
 * Three redemption instances share the scan partitions of a NATS server that maps each kiosk to
 * one of them: every kiosk's scans and undo are judged in the order it sent them.
 */
const json = JSONCodec();
let infra: Isolated;
let nats: NatsServer;
const nodes: RunningPlatform[] = [];
let w: World;
let nc: NatsConnection;

beforeAll(async () => {
  const isolated = await isolate();
  nats = await startNatsServer({
    port: 14231,
    dir: `/tmp/aptic-partitions-${isolated.prefix}`,
    mappings: scanPartitionMappings(isolated.prefix),
  });
  infra = { ...isolated, natsUrl: nats.url };
  for (let i = 0; i < 3; i++) nodes.push(await startDistributed(infra, [redemption]));
  w = await buildWorld(infra, nodes[0]!);
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  for (const node of nodes) await node.stop();
  await nats?.close();
  await infra?.cleanup();
});

/** How many partitions each instance holds, fewest first. */
const perInstance = (leases: Map<string, string>) =>
  [...new Set(leases.values())].map((i) => [...leases.values()].filter((v) => v === i).length).sort((a, b) => a - b);

/** Which instance holds each partition's lease. */
async function owners(): Promise<Map<string, string>> {
  const kv = await nc.jetstream().views.kv(`${natsNames(infra.prefix).kiosk.stream}_OWNERS`);
  const leases = new Map<string, string>();
  for (const partition of ['unmapped', ...Array.from({ length: SCAN_PARTITIONS }, (_, i) => String(i))]) {
    const entry = await kv.get(`lease.${partition}`);
    if (entry && entry.operation === 'PUT') leases.set(partition, entry.string());
  }
  return leases;
}

test('partitions are shared by the instances, and each kiosk’s scans and undo keep their order', {
  timeout: 120_000,
}, async () => {
  // 17 partitions (16 mapped, one for unmapped subjects) over 3 instances: 6, 6 and 5, once the
  // instances started first have given back what exceeds their share (a tick a second; seen on the
  // way: 2, 6 and 9, every partition leased).
  const leases = await eventually(
    owners,
    (l) => l.size === SCAN_PARTITIONS + 1 && perInstance(l).join() === '5,6,6',
    20_000,
  );
  expect(perInstance(leases)).toEqual([5, 6, 6]);

  const names = natsNames(infra.prefix);
  const answers = new Map<string, Verdict | CancelOutcome>();
  const sub = nc.subscribe(names.kiosk.allVerdicts, {
    callback: (_err, m) => {
      const body = json.decode(m.data) as Verdict | CancelOutcome;
      answers.set('cancelId' in body ? body.cancelId : body.scanId, body);
    },
  });
  await nc.flush();
  const js = nc.jetstream();
  // Each of 30 kiosks: a pass scanned, taken back, scanned again; a second pass scanned, taken
  // back; a third scanned. Out of order, an undo would find nothing to take back and the scan
  // after it would be refused as already redeemed.
  const expected: [string, string][] = [];
  await Promise.all(
    w.kiosks.slice(0, 30).map(async (kioskId, k) => {
      const [a, b, c] = [0, 1, 2].map((i) => [15 + Math.floor((3 * k + i) / 10), ((3 * k + i) % 10) + 1] as const);
      const scan = (pass: readonly [number, number]): ScanMessage => w.scan(pass[0], pass[1], { kioskId });
      const cancel = (s: ScanMessage) => ({
        cancelId: randomUUID(),
        kioskId,
        scanId: s.scanId,
        requestedAt: new Date().toISOString(),
      });
      const s1 = scan(a!),
        s2 = scan(a!),
        s3 = scan(b!),
        s4 = scan(c!);
      const c1 = cancel(s1),
        c3 = cancel(s3);
      const steps: [string, unknown, string, string][] = [
        ['scans', s1, s1.scanId, 'accepted'],
        ['cancels', c1, c1.cancelId, 'cancelled'],
        ['scans', s2, s2.scanId, 'accepted'],
        ['scans', s3, s3.scanId, 'accepted'],
        ['cancels', c3, c3.cancelId, 'cancelled'],
        ['scans', s4, s4.scanId, 'accepted'],
      ];
      for (const [kind, body, id, outcome] of steps) {
        await js.publish(
          kind === 'scans' ? names.kiosk.scans(kioskId) : names.kiosk.cancels(kioskId),
          json.encode(body),
        );
        expected.push([id, outcome]);
      }
    }),
  );
  await eventually(
    async () => answers.size,
    (n) => n === expected.length,
    30_000,
  );
  sub.unsubscribe();
  const wrong = expected
    .filter(([id, outcome]) => answers.get(id)?.outcome !== outcome)
    .map(([id, outcome]) => ({ outcome, got: answers.get(id) }));
  expect(wrong).toEqual([]);
});

test('an instance that stops gives its partitions back, and the others take them', { timeout: 60_000 }, async () => {
  await nodes.pop()!.stop();
  const leases = await eventually(
    owners,
    (l) => l.size === SCAN_PARTITIONS + 1 && new Set(l.values()).size === 2,
    20_000,
  );
  expect(perInstance(leases)).toEqual([8, 9]);
});
