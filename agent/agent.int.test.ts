/**
 * The agent against a real nats-server in operator mode (the kiosk credentials of production),
 * run as a real process (the CLI with the stdin source) so it can be killed with SIGKILL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AckPolicy, JSONCodec, type JetStreamManager, type NatsConnection } from 'nats';
import {
  issueKioskCredentials,
  natsNames,
  passCode,
  printedPassCode,
  serviceBarcode,
  type ScanMessage,
} from '@aptic/contracts';
import { startOperatorServer, type OperatorServer } from '../test/support/nats-operator.ts';
import { killAgents, spawnAgent, until } from '../test/support/agent-process.ts';

const prefix = 'aptic';
const names = natsNames(prefix).kiosk;
const json = JSONCodec();
const OFFER = randomUUID();
/** Pass codes with a valid check digit (the kiosk refuses any other before sending it). */
const code = (carnet: number) => passCode('a test key', carnet, 1);
let server: OperatorServer;
let platform: NatsConnection;
let jsm: JetStreamManager;
let dir: string;

async function registerKiosk(kioskId: string): Promise<string> {
  await jsm.consumers.add(names.verdictStream, {
    durable_name: names.verdictConsumer(kioskId),
    filter_subject: names.verdicts(kioskId),
    ack_policy: AckPolicy.Explicit,
  });
  const { creds } = await issueKioskCredentials({
    accountSigningSeed: server.accountSigningSeed,
    accountPublicKey: server.accountPublicKey,
    prefix,
    kioskId,
    name: `kiosk ${kioskId}`,
  });
  const path = join(dir, `${kioskId}.creds`);
  writeFileSync(path, creds, { mode: 0o600 });
  return path;
}

/** The agent's CLI against the test's server. */
const agent = (env: Record<string, string>, args: string[] = []) =>
  spawnAgent({ AGENT_NATS_URL: server.url, AGENT_NATS_PREFIX: prefix, ...env }, args);

/** A kiosk's scan subject, as it published it or as the server's partition mapping rewrote it. */
function isScanOf(subject: string, kioskId: string): boolean {
  return (
    subject === names.scans(kioskId) ||
    (subject.startsWith(names.partitioned.slice(0, -5)) && subject.endsWith(`.${kioskId}.scans`))
  );
}

/** Every message the SCANS stream holds for a kiosk. */
async function stored(kioskId: string): Promise<ScanMessage[]> {
  const info = await jsm.streams.info(names.stream);
  const out: ScanMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(names.stream, { seq }).catch(() => undefined);
    if (m && isScanOf(m.subject, kioskId)) out.push(m.json<ScanMessage>());
  }
  return out;
}

function countById(scans: ScanMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of scans) counts.set(s.scanId, (counts.get(s.scanId) ?? 0) + 1);
  return counts;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aptic-agent-'));
  server = await startOperatorServer();
  platform = await server.connect(server.platformCreds);
  jsm = await platform.jetstreamManager();
  await jsm.streams.add({ name: names.stream, subjects: [names.allScans, names.partitioned] });
  await jsm.streams.add({ name: names.verdictStream, subjects: [names.allVerdicts] });
});

afterAll(async () => {
  killAgents();
  await platform?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 between journal write and publish, and between publish and journal delete: each scan is stored once; verdicts missed while stopped are shown after restart', async () => {
  const kioskId = randomUUID();
  const env = {
    AGENT_KIOSK_ID: kioskId,
    AGENT_CREDS: await registerKiosk(kioskId),
    AGENT_JOURNAL: join(dir, `${kioskId}.sqlite`),
  };

  // Bad input first: answered on screen at once, nothing journaled or sent.
  const first = agent({ ...env, AGENT_TEST_CRASH_AT: 'journaled' });
  await first.log('NATS connected');
  first.scan(code(1), 'HELLO', '7'.repeat(500));
  await until('three local refusals', () => first.screen.filter((l) => l.startsWith('✘')).length === 3);
  expect(first.screen.join('\n')).toMatch(/Choisissez d’abord le service[\s\S]*Code non reconnu[\s\S]*Code trop long/);
  expect(first.logs.filter((l) => l.msg === 'scan journaled')).toEqual([]);

  first.scan(serviceBarcode(OFFER), code(1_000_001));
  expect(await first.exit).toMatchObject({ signal: 'SIGKILL' });
  const journaled = first.logs.find((l) => l.msg === 'scan journaled')!.scanId!;
  expect(await stored(kioskId)).toEqual([]);

  const second = agent(env);
  const sent = await until('the journaled scan in the stream', async () =>
    (await stored(kioskId)).find((s) => s.scanId === journaled),
  );
  expect(sent).toMatchObject({ code: code(1_000_001), offerId: OFFER, kioskId });
  expect(await second.stop()).toMatchObject({ code: 0 });

  // Now crash after JetStream's ack, before the journal forgets the scan: it is re-sent, and dropped as a duplicate.
  const third = agent({ ...env, AGENT_TEST_CRASH_AT: 'published' });
  await third.log('NATS connected');
  third.scan(serviceBarcode(OFFER), code(1_000_002));
  expect(await third.exit).toMatchObject({ signal: 'SIGKILL' });
  const fourth = agent(env);
  const resent = await until('the re-send', () => fourth.logs.find((l) => l.msg === 'scan published'));
  expect(resent.duplicate).toBe(true);
  expect(await fourth.stop()).toMatchObject({ code: 0 });

  const scans = await stored(kioskId);
  expect(scans.map((s) => s.code)).toEqual([code(1_000_001), code(1_000_002)]);
  expect([...countById(scans).values()]).toEqual([1, 1]);

  // Verdicts published while the agent was stopped are collected from its durable consumer at start.
  const js = platform.jetstream();
  await js.publish(
    names.verdicts(kioskId),
    json.encode({
      scanId: scans[0]!.scanId,
      outcome: 'accepted',
      redemptionId: randomUUID(),
      faceValueCents: 1000,
      message: 'Pass accepté',
    }),
  );
  await js.publish(
    names.verdicts(kioskId),
    json.encode({
      scanId: scans[1]!.scanId,
      outcome: 'denied',
      reason: 'already_redeemed',
      message: 'Pass déjà utilisé',
    }),
  );
  const fifth = agent(env);
  await until(
    'both verdicts on screen',
    () =>
      fifth.screen.includes('✘ Pass refusé — Pass déjà utilisé') &&
      fifth.screen.includes('✔ Pass accepté — 10,00\u00a0€'),
  );
  expect(await fifth.stop()).toMatchObject({ code: 0 });
  // Shown once: the consumer was acknowledged and the journal settled.
  const sixth = agent(env);
  await sixth.log('NATS connected');
  await sixth.log('agent ready');
  await new Promise((r) => setTimeout(r, 1_500)); // one consumer drain (expires after 1 s) has had time to run
  expect(sixth.screen.filter((l) => l.includes('refusé') || l.includes('accepté'))).toEqual([]);
  await sixth.stop();
}, 120_000);

test('NATS stopped for 30 s while 200 passes are scanned: all 200 reach the stream once after it returns, and refused offline scans are shown', async () => {
  const kioskId = randomUUID();
  const a = agent({
    AGENT_KIOSK_ID: kioskId,
    AGENT_CREDS: await registerKiosk(kioskId),
    AGENT_JOURNAL: join(dir, `${kioskId}.sqlite`),
  });
  await a.log('NATS connected');
  a.scan(serviceBarcode(OFFER));
  await platform.close();
  const pausedAt = Date.now();
  await server.pause();
  await until('the agent to see the outage', () => a.screen.some((l) => l.includes('HORS LIGNE')));
  const codes = Array.from({ length: 200 }, (_, i) => code(2_000_000 + i));
  a.scan(...codes);
  await until('200 scans journaled', () => a.logs.filter((l) => l.msg === 'scan journaled').length === 200);
  expect(a.logs.filter((l) => l.msg === 'scan journaled').every((l) => l.offline)).toBe(true);
  await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - pausedAt))));
  await server.resume();
  platform = await server.connect(server.platformCreds);
  jsm = await platform.jetstreamManager();

  const scans = await until(
    '200 scans in the stream',
    async () => {
      const s = await stored(kioskId);
      return s.length >= 200 && a.logs.filter((l) => l.msg === 'scan published').length >= 200 ? s : undefined;
    },
    60_000,
  );
  expect(scans).toHaveLength(200);
  expect([...countById(scans).values()].every((n) => n === 1)).toBe(true);
  expect(scans.map((s) => s.code)).toEqual(codes); // in scan order
  expect(scans.every((s) => s.offline)).toBe(true);

  // The platform refuses two of them: the mediator sees which offline scans were refused, and why.
  const js = platform.jetstream();
  await js.publish(
    names.verdicts(kioskId),
    json.encode({ scanId: scans[3]!.scanId, outcome: 'denied', reason: 'expired', message: 'Pass expiré' }),
  );
  await js.publish(
    names.verdicts(kioskId),
    json.encode({ scanId: scans[7]!.scanId, outcome: 'denied', reason: 'unknown_pass', message: 'Pass inconnu' }),
  );
  await until(
    'the refusals on screen',
    () => a.screen.filter((l) => l.startsWith('✘ Pass refusé') && l.includes('scanné hors ligne')).length === 2,
  );
  expect(a.screen).toContain(`✘ Pass refusé — Pass expiré (pass ${printedPassCode(codes[3]!)}, scanné hors ligne)`);
  expect(await a.stop()).toMatchObject({ code: 0 });
}, 150_000);

test('a kiosk credential cannot publish on another kiosk’s subject: nothing stored, the scan stays journaled', async () => {
  const own = randomUUID();
  const other = randomUUID();
  const env = {
    AGENT_KIOSK_ID: other,
    AGENT_CREDS: await registerKiosk(own),
    AGENT_JOURNAL: join(dir, `${own}-mismatch.sqlite`),
  };
  const a = agent(env);
  await a.log('NATS connected');
  a.scan(serviceBarcode(OFFER), code(3));
  await until('a permission error', () => a.logs.find((l) => /credential does not allow/.test(l.msg)));
  await until(
    'the scan kept for retry',
    () => a.logs.find((l) => l.msg.startsWith('scan not acknowledged yet')),
    30_000,
  );
  expect(await stored(other)).toEqual([]);
  expect(await stored(own)).toEqual([]);
  expect(await a.stop()).toMatchObject({ code: 0 });

  // --check says so too; with the matching kiosk id it passes.
  const bad = agent(env, ['--check']);
  expect(await bad.exit).toMatchObject({ code: 1 });
  expect(bad.screen.join('\n')).toMatch(/cannot read this kiosk's verdict consumer[\s\S]*check: FAILED/);
  const good = agent({ ...env, AGENT_KIOSK_ID: own }, ['--check']);
  expect(await good.exit).toMatchObject({ code: 0 });
  expect(good.screen.join('\n')).toMatch(/HID devices \(\d+\)[\s\S]*NATS: connected[\s\S]*check: OK/);
}, 90_000);
