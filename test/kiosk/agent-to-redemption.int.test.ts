/**
 * The kiosk leg end to end: the real agent (CLI, stdin source) with its own kiosk credential →
 * NATS in operator mode → redemption (its platform credential) → verdicts on the mediator's screen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { AckPolicy } from 'nats';
import { issueKioskCredentials, natsNames, serviceBarcode } from '@aptic/contracts';
import { queryRows, readConfig, startPlatform, type RunningPlatform } from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { isolate, type Isolated } from '../support/infra.ts';
import { spawnAgent } from '../support/agent-process.ts';
import { startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';
import { eventually, testEnv } from '../support/platform.ts';
import { buildWorld, type World } from '../redemption/world.ts';

let infra: Isolated;
let server: OperatorServer;
let node: RunningPlatform;
let w: World;
const dir = mkdtempSync(join(tmpdir(), 'aptic-kiosk-'));

beforeAll(async () => {
  infra = await isolate();
  server = await startOperatorServer();
  const platformCreds = join(dir, 'platform.creds');
  writeFileSync(platformCreds, server.platformCreds, { mode: 0o600 });
  node = await startPlatform(
    [redemption],
    readConfig(testEnv(infra, { NATS_URL: server.url, NATS_CREDS: platformCreds })),
  );
  w = await buildWorld({ natsUrl: server.url, prefix: infra.prefix, natsCredsFile: platformCreds }, node);
});
afterAll(async () => {
  await node?.stop();
  await server?.stop();
  await infra?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('a mediator scans the service, then passes: verdicts come back to the kiosk, each scan judged once', async () => {
  const kioskId = w.kiosks[0]!;
  const names = natsNames(infra.prefix).kiosk;
  // What qualification does when it registers a kiosk: its verdict consumer and its credential.
  const nc = await server.connect(server.platformCreds);
  await (await nc.jetstreamManager()).consumers.add(names.verdictStream, {
    durable_name: names.verdictConsumer(kioskId),
    filter_subject: names.verdicts(kioskId),
    ack_policy: AckPolicy.Explicit,
  });
  await nc.close();
  const { creds } = await issueKioskCredentials({
    accountSigningSeed: server.accountSigningSeed,
    accountPublicKey: server.accountPublicKey,
    prefix: infra.prefix,
    kioskId,
    name: 'borne test',
  });
  writeFileSync(join(dir, 'kiosk.creds'), creds, { mode: 0o600 });

  const agent = spawnAgent({
    AGENT_KIOSK_ID: kioskId,
    AGENT_CREDS: join(dir, 'kiosk.creds'),
    AGENT_NATS_URL: server.url,
    AGENT_NATS_PREFIX: infra.prefix,
    AGENT_JOURNAL: join(dir, 'journal.db'),
  });
  try {
    const passes = [w.code(15, 7), w.code(16, 7), w.code(17, 7), w.code(15, 8)];
    agent.scan(serviceBarcode(w.offer), ...passes);
    const verdictLines = await eventually(
      async () => agent.screen.filter((l) => /^(✔ Pass accepté|✘ Pass refusé)/.test(l)),
      (lines) => lines.length === 4,
      30_000,
    );
    expect(verdictLines.filter((l) => l.includes('accepté'))).toHaveLength(3);
    // In scan order; the fourth is a second pass of the first carnet.
    expect(verdictLines.at(-1)).toMatch(/^✘ Pass refusé — Un seul pass d’un même carnet par service/);
    const judged = await queryRows<{ outcome: string; n: number }>(
      node.database.db,
      sql`SELECT outcome, count(*)::int AS n FROM redemption.scan WHERE kiosk_id = ${kioskId} GROUP BY outcome ORDER BY outcome`,
    );
    expect(judged).toEqual([
      { outcome: 'accepted', n: 3 },
      { outcome: 'denied', n: 1 },
    ]);
  } finally {
    await agent.stop();
  }
});
