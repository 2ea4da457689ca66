/**
 * A stalled link: the NATS server frozen (SIGSTOP: its sockets stay open and nothing answers, as
 * with a half-open connection or a hung host) for 15 s while the mediator keeps scanning. The
 * agent, a real process, must say HORS LIGNE within 10 s, EN LIGNE after, and every scan must be
 * stored once; a SIGTERM afterwards says "Borne arrêtée" and nothing about the network.
 * The test's own server (ports 14270-14299), never the shared one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createAccount } from '@nats-io/nkeys';
import { AckPolicy, connect, JSONCodec, type JetStreamClient, type NatsConnection } from 'nats';
import {
  issueKioskCredentials,
  natsNames,
  passCode,
  serviceBarcode,
  type KioskHeartbeat,
  type ScanMessage,
} from '@aptic/contracts';
import { startNatsServer, type NatsServer } from '../test/support/nats-server.ts';
import { killAgents, spawnAgent, until } from '../test/support/agent-process.ts';

const PORT = 14270;
const FREEZE_MS = 15_000;
const names = natsNames('aptic').kiosk;
const json = JSONCodec();
const code = (carnet: number) => passCode('a test key', carnet, 1);
let server: NatsServer;
let platform: NatsConnection;
let js: JetStreamClient;
let dir: string;
const heartbeats: KioskHeartbeat[] = [];
/** Kiosks whose scans this stand-in redemption leaves unjudged (a slow platform). */
const unjudged = new Set<string>();

/** Stands in for redemption (one accepted verdict per scan id) and for qualification (answers heartbeats). */
function playPlatform(nc: NatsConnection): void {
  const judged = new Set<string>();
  nc.subscribe(names.allScans, {
    callback: (_err, msg) => {
      const scan = json.decode(msg.data) as ScanMessage;
      if (judged.has(scan.scanId) || unjudged.has(scan.kioskId)) return;
      judged.add(scan.scanId);
      void js
        .publish(
          names.verdicts(scan.kioskId),
          json.encode({
            scanId: scan.scanId,
            outcome: 'accepted',
            redemptionId: randomUUID(),
            faceValueCents: 1000,
            message: 'Pass accepté',
          }),
        )
        .catch(() => judged.delete(scan.scanId)); // judged again when the kiosk re-sends it
    },
  });
  nc.subscribe(names.allHeartbeats, {
    callback: (_err, msg) => {
      heartbeats.push(json.decode(msg.data) as KioskHeartbeat);
      msg.respond(json.encode({ receivedAt: new Date().toISOString() }));
    },
  });
}

async function stored(kioskId: string): Promise<ScanMessage[]> {
  const consumer = await js.consumers.get(names.stream, { filterSubjects: names.scans(kioskId) });
  const out: ScanMessage[] = [];
  for await (const m of await consumer.fetch({ max_messages: 1_000, expires: 1_000 })) {
    out.push(m.json<ScanMessage>());
    if (m.info.pending === 0) break;
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aptic-stall-'));
  server = await startNatsServer({ port: PORT, dir: join(dir, 'nats') });
  platform = await connect({ servers: server.url });
  js = platform.jetstream();
  const jsm = await platform.jetstreamManager();
  await jsm.streams.add({ name: names.stream, subjects: [names.allScans] });
  await jsm.streams.add({ name: names.verdictStream, subjects: [names.allVerdicts] });
  playPlatform(platform);
});

afterAll(async () => {
  killAgents();
  await platform?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A registered kiosk (its verdict consumer, its credential) and its agent, started. */
async function kiosk() {
  const kioskId = randomUUID();
  await (await platform.jetstreamManager()).consumers.add(names.verdictStream, {
    durable_name: names.verdictConsumer(kioskId),
    filter_subject: names.verdicts(kioskId),
    ack_policy: AckPolicy.Explicit,
  });
  // A kiosk's real credential (this server checks none: the freeze is what is tested here).
  const account = createAccount();
  const { creds } = await issueKioskCredentials({
    accountSigningSeed: new TextDecoder().decode(account.getSeed()),
    accountPublicKey: account.getPublicKey(),
    prefix: 'aptic',
    kioskId,
    name: 'borne gelée',
  });
  writeFileSync(join(dir, `${kioskId}.creds`), creds, { mode: 0o600 });
  const agent = spawnAgent({
    AGENT_KIOSK_ID: kioskId,
    AGENT_CREDS: join(dir, `${kioskId}.creds`),
    AGENT_JOURNAL: join(dir, `${kioskId}.sqlite`),
    AGENT_NATS_URL: server.url,
  });
  await agent.log('agent ready');
  return { kioskId, agent };
}

test('server frozen 15 s: HORS LIGNE within 10 s, EN LIGNE after, every scan stored once; SIGTERM says "Borne arrêtée", not "hors ligne"', async () => {
  const { kioskId, agent: a } = await kiosk();
  const accepted = () => a.screen.filter((l) => l.startsWith('✔ Pass accepté')).length;
  const codes = Array.from({ length: 8 }, (_, i) => code(5_000_000 + i));
  a.scan(serviceBarcode(randomUUID()), ...codes.slice(0, 3));
  await until('3 verdicts before the freeze', () => accepted() === 3);
  await until('a heartbeat answered', () => heartbeats.some((h) => h.kioskId === kioskId));

  server.freeze();
  const frozenAt = Date.now();
  a.scan(...codes.slice(3, 5));
  const offline = await until('HORS LIGNE', () => a.screen.find((l) => l.includes('HORS LIGNE')), FREEZE_MS);
  const seenAfterMs = Date.now() - frozenAt;
  expect(offline).toBe('· HORS LIGNE : les scans sont gardés sur la borne et seront envoyés au retour du réseau');
  expect(seenAfterMs).toBeLessThan(10_000);
  a.scan(...codes.slice(5));
  await until(
    '5 scans journaled during the stall',
    () => a.logs.filter((l) => l.msg === 'scan journaled').length === 8,
  );
  expect(
    a.logs
      .filter((l) => l.msg === 'scan journaled')
      .slice(5)
      .every((l) => l.offline),
  ).toBe(true);
  await new Promise((r) => setTimeout(r, FREEZE_MS - (Date.now() - frozenAt)));
  server.thaw();
  const thawedAt = Date.now();
  await until('EN LIGNE', () => a.screen.some((l) => l.startsWith('· EN LIGNE : réseau rétabli')), 30_000);
  const backAfterMs = Date.now() - thawedAt;

  await until('8 verdicts', () => accepted() === 8, 30_000);
  const scans = await stored(kioskId);
  expect(scans.map((s) => s.code).sort()).toEqual([...codes].sort());
  expect(new Set(scans.map((s) => s.scanId)).size).toBe(8);
  console.log(`stall seen after ${seenAfterMs} ms; back online ${backAfterMs} ms after the thaw`);

  const beforeStop = a.screen.length;
  expect(await a.stop()).toMatchObject({ code: 0 });
  const afterStop = a.screen.slice(beforeStop);
  expect(afterStop).toContain('· Borne arrêtée');
  expect(afterStop.filter((l) => /hors ligne/i.test(l))).toEqual([]);
  expect(heartbeats.filter((h) => h.kioskId === kioskId).at(-1)).toMatchObject({
    stopping: true,
    journal: { pending: 0, awaitingVerdict: 0 },
    scanner: { connected: false, mode: 'stdin' },
  });
}, 120_000);

test('server frozen with nothing to send: the unanswered pings alone show HORS LIGNE within 10 s', async () => {
  const { agent: a } = await kiosk();
  await until('online', () => a.screen.includes('· en ligne'));
  await new Promise((r) => setTimeout(r, 500));
  server.freeze();
  const frozenAt = Date.now();
  await until('HORS LIGNE', () => a.screen.some((l) => l.includes('HORS LIGNE')), FREEZE_MS);
  const seenAfterMs = Date.now() - frozenAt;
  expect(seenAfterMs).toBeLessThan(10_000);
  server.thaw();
  await until('EN LIGNE', () => a.screen.some((l) => l.startsWith('· EN LIGNE : réseau rétabli')), 30_000);
  console.log(`idle stall seen after ${seenAfterMs} ms`);
  expect(await a.stop()).toMatchObject({ code: 0 });
}, 60_000);

test('verdicts late while the server answers pings: "la plateforme tarde à répondre", the link stays online', async () => {
  const { kioskId, agent: a } = await kiosk();
  unjudged.add(kioskId);
  a.scan(serviceBarcode(randomUUID()), code(6_000_000));
  await a.log('scan published');
  await until(
    'the slow platform said',
    () => a.screen.some((l) => l.startsWith('· la plateforme tarde à répondre')),
    15_000,
  );
  expect(a.screen.filter((l) => l.includes('HORS LIGNE'))).toEqual([]);
  expect(await a.stop()).toMatchObject({ code: 0 });
}, 60_000);
