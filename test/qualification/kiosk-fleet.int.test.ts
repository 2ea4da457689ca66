/**
 * The fleet of kiosks as staff watch it: heartbeats from real kiosk credentials on an
 * operator-mode NATS server (a real agent, and hand-made ones), kept by qualification, shown by
 * `GET /kiosks` with each kiosk's state, raising alerts (silent too long, journal near full) in
 * `GET /kiosks/alerts` and the Prometheus gauges; the place sees its own kiosks with its token.
 * A kiosk's credential cannot beat for another kiosk. Time moving on (a kiosk silent for minutes)
 * is played by moving its last heartbeat back in the database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import { JSONCodec, type NatsConnection } from 'nats';
import { qualificationService } from '@aptic/qualification';
import { natsNames, type KioskHeartbeat } from '@aptic/contracts';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { permissionError, startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';
import { killAgents, spawnAgent } from '../support/agent-process.ts';
import { qualifiedPlace, registerKiosk, siretFrom } from './support.ts';

const json = JSONCodec();
let infra: Isolated;
let server: OperatorServer;
let node: RunningPlatform;
let url: string;
let names: ReturnType<typeof natsNames>['kiosk'];
let db: pg.Client;
let dir: string;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  infra = await isolate();
  names = natsNames(infra.prefix).kiosk;
  server = await startOperatorServer();
  node = await startDistributed(infra, [
    qualificationService({ ...server.kioskEnv, KIOSK_SILENT_ALERT_MINUTES: '10' }),
  ]);
  url = node.services[0]!.url;
  db = new pg.Client({ connectionString: infra.databaseUrl });
  await db.connect();
  dir = mkdtempSync(join(tmpdir(), 'aptic-fleet-'));
});
afterAll(async () => {
  killAgents();
  for (const nc of connections) await nc.close().catch(() => {});
  await db?.end();
  await node?.stop();
  await server?.stop();
  await infra?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

type Kiosk = Awaited<ReturnType<typeof registerKiosk>>;
const asKiosk = async (k: Kiosk) => {
  const nc = await server.connect(k.creds, { inboxPrefix: k.inboxPrefix });
  connections.push(nc);
  return nc;
};
const beat = (kioskId: string, extra: Partial<KioskHeartbeat> = {}): KioskHeartbeat => ({
  kioskId,
  sentAt: new Date().toISOString(),
  version: '0.1.0',
  layout: 'fr',
  scanner: { connected: true, model: 'Honeywell (Metrologic Instruments) Voyager 1250g', mode: 'hid_pos' },
  journal: { pending: 0, awaitingVerdict: 0, max: 10_000, oldestPendingAgeSeconds: null },
  clockOffsetMs: 120,
  stopping: false,
  ...extra,
});
const send = async (nc: NatsConnection, kioskId: string, body: KioskHeartbeat) =>
  json.decode((await nc.request(names.heartbeat(kioskId), json.encode(body), { timeout: 5_000 })).data) as {
    receivedAt: string;
  };
const health = async (kioskId: string) => {
  const kiosks = (await call(`${url}/kiosks`)).body as { id: string; health: Record<string, unknown> }[];
  return kiosks.find((k) => k.id === kioskId)?.health;
};
/** The kiosk's last heartbeat, as if it had come `minutes` ago. */
const ageHeartbeat = (kioskId: string, minutes: number) =>
  db.query(
    `UPDATE qualification.kiosk_heartbeat SET received_at = now() - make_interval(mins => $2) WHERE kiosk_id = $1`,
    [kioskId, minutes],
  );

test('heartbeats → GET /kiosks: online, silent after 2 min, offline when stopped or never seen; alerts and gauges; the place sees its own', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9101));
  const otherPlace = await qualifiedPlace(url, siretFrom(9102));
  const [agentKiosk, silent, full, never] = [
    await registerKiosk(url, placeId, 'Accueil'),
    await registerKiosk(url, placeId, 'Atelier'),
    await registerKiosk(url, placeId, 'Salle 2'),
    await registerKiosk(url, placeId, 'Réserve'),
  ];

  // A real agent: its first heartbeat, then its clean stop.
  writeFileSync(join(dir, 'agent.creds'), agentKiosk.creds, { mode: 0o600 });
  const agent = spawnAgent({
    AGENT_KIOSK_ID: agentKiosk.id,
    AGENT_CREDS: join(dir, 'agent.creds'),
    AGENT_JOURNAL: join(dir, 'agent.sqlite'),
    AGENT_NATS_URL: server.url,
    AGENT_NATS_PREFIX: infra.prefix,
    AGENT_LAYOUT: 'fr',
  });
  await agent.log('agent ready');
  const online = await eventually(
    () => health(agentKiosk.id),
    (h) => h?.state === 'online',
  );
  expect(online).toMatchObject({
    version: '0.1.0',
    layout: 'fr',
    scanner: { connected: true, mode: 'stdin', model: null },
    journal: { pending: 0, awaitingVerdict: 0, max: 10_000, oldestPendingAgeSeconds: null },
    alerts: [],
  });
  expect(Date.now() - Date.parse(online!.lastSeenAt as string)).toBeLessThan(30_000);

  const answer = await send(await asKiosk(silent), silent.id, beat(silent.id));
  expect(Math.abs(Date.parse(answer.receivedAt) - Date.now())).toBeLessThan(5_000);
  await send(
    await asKiosk(full),
    full.id,
    beat(full.id, { journal: { pending: 8_500, awaitingVerdict: 3, max: 10_000, oldestPendingAgeSeconds: 5_400 } }),
  );
  await eventually(
    () => health(full.id),
    (h) => h?.state === 'online',
  );
  await eventually(
    () => health(silent.id),
    (h) => h?.state === 'online',
  );
  await ageHeartbeat(silent.id, 3);
  expect(await health(silent.id)).toMatchObject({ state: 'silent', alerts: [] });
  await ageHeartbeat(silent.id, 15);
  expect(await health(silent.id)).toMatchObject({
    state: 'silent',
    alerts: [{ kind: 'silent', message: 'Borne muette depuis 15 min : ni arrêt annoncé, ni signe de vie.' }],
  });
  expect(await health(never.id)).toMatchObject({ state: 'offline', lastSeenAt: null, journal: null, alerts: [] });

  expect(await agent.stop()).toMatchObject({ code: 0 });
  await eventually(
    () => health(agentKiosk.id),
    (h) => h?.state === 'offline',
  );
  // Stopped on purpose: no alert, however long ago.
  await ageHeartbeat(agentKiosk.id, 60);
  expect(await health(agentKiosk.id)).toMatchObject({ state: 'offline', alerts: [] });

  const alerts = (await call(`${url}/kiosks/alerts`)).body as { kioskId: string; kind: string }[];
  expect(alerts.map((a) => [a.kioskId, a.kind]).sort()).toEqual(
    [
      [silent.id, 'silent'],
      [full.id, 'journal_near_full'],
    ].sort(),
  );
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/aptic_kiosks\{state="online"[^}]*\} 1\n/);
  expect(metrics).toMatch(/aptic_kiosks\{state="silent"[^}]*\} 1\n/);
  expect(metrics).toMatch(/aptic_kiosks\{state="offline"[^}]*\} 2\n/);
  expect(metrics).toMatch(/aptic_kiosk_alerts\{alert="silent"[^}]*\} 1\n/);
  expect(metrics).toMatch(/aptic_kiosk_alerts\{alert="journal_near_full"[^}]*\} 1\n/);

  // The place's own token: its kiosks and their state; another place's answer 404; the fleet is staff's.
  const issued = await call(`${url}/admin/tokens`, {
    method: 'POST',
    body: { name: 'Accueil', role: 'place', placeId },
  });
  const token = issued.body.token as string;
  const own = await call(`${url}/places/${placeId}/kiosks`, { token });
  expect(own.status).toBe(200);
  expect((own.body as { id: string; health: { state: string } }[]).map((k) => [k.id, k.health.state]).sort()).toEqual(
    [
      [agentKiosk.id, 'offline'],
      [silent.id, 'silent'],
      [full.id, 'online'],
      [never.id, 'offline'],
    ].sort(),
  );
  expect((await call(`${url}/places/${otherPlace}/kiosks`, { token })).status).toBe(404);
  expect((await call(`${url}/kiosks`, { token })).status).toBe(403);
  expect((await call(`${url}/kiosks/alerts`, { token })).status).toBe(403);
}, 90_000);

test('another kiosk’s credential cannot publish a heartbeat for it; a heartbeat naming another kiosk is dropped', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9103));
  const [a, b] = [await registerKiosk(url, placeId, 'Borne A'), await registerKiosk(url, placeId, 'Borne B')];
  const ncA = await asKiosk(a);
  await send(ncA, a.id, beat(a.id));
  const before = await eventually(
    () => health(a.id),
    (h) => h?.state === 'online',
  );

  // B forges a full journal and a clean stop for A, on A's subject: the server refuses it.
  const ncB = await asKiosk(b);
  const refused = permissionError(ncB);
  ncB.publish(
    names.heartbeat(a.id),
    json.encode(
      beat(a.id, {
        stopping: true,
        journal: { pending: 9_999, awaitingVerdict: 0, max: 10_000, oldestPendingAgeSeconds: 1 },
      }),
    ),
  );
  expect(await refused).toBe('PERMISSIONS_VIOLATION');
  // On its own subject, a body naming A is not taken for A's either (nor answered).
  await expect(send(ncB, b.id, beat(a.id, { stopping: true }))).rejects.toThrow();
  await new Promise((r) => setTimeout(r, 500));
  expect(await health(a.id)).toEqual(before);
  expect(await health(b.id)).toMatchObject({ state: 'offline', lastSeenAt: null });
}, 60_000);
