import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JSONCodec, type NatsConnection } from 'nats';
import { qualificationService } from '@aptic/qualification';
import { natsNames } from '@aptic/contracts';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, startDistributed } from '../support/platform.ts';
import { startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';
import { qualifiedPlace, siretFrom } from './support.ts';

/**
 * Kiosk registration end to end: qualification signs kiosk users with the account key of an
 * operator-mode NATS server and creates each kiosk's verdict consumer there; the kiosk then
 * connects with the `.creds` of the registration answer and is held to its own subjects.
 */
const json = JSONCodec();
let infra: Isolated;
let server: OperatorServer;
let platform: NatsConnection;
let node: RunningPlatform;
let url: string;
let dir: string;
let names: ReturnType<typeof natsNames>;

beforeAll(async () => {
  infra = await isolate();
  names = natsNames(infra.prefix);
  server = await startOperatorServer();
  dir = await mkdtemp(join(tmpdir(), 'aptic-kiosk-'));
  const credsFile = join(dir, 'platform.creds');
  await writeFile(credsFile, server.platformCreds);
  node = await startDistributed(infra, [
    qualificationService({ NATS_ACCOUNT_SIGNING_SEED: server.accountSigningSeed, NATS_ACCOUNT_PUBLIC_KEY: server.accountPublicKey, KIOSK_NATS_URL: server.url, KIOSK_NATS_CREDS_FILE: credsFile }),
  ]);
  url = node.services[0]!.url;
  // The scans stream is redemption's: created here as redemption would.
  platform = await server.connect(server.platformCreds);
  await (await platform.jetstreamManager()).streams.add({ name: names.kiosk.stream, subjects: [names.kiosk.allScans] });
});
afterAll(async () => {
  await platform?.close();
  await node?.stop();
  await server?.stop();
  await infra?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function register(placeId: string, name: string) {
  const response = await call(`${url}/places/${placeId}/kiosks`, { method: 'POST', body: { name } });
  expect(response.status).toBe(201);
  return response.body as { id: string; creds: string; inboxPrefix: string; userPublicKey: string; verdictConsumer: { created: boolean; consumer?: string } };
}

async function permissionError(nc: NatsConnection, ms = 1000): Promise<string | undefined> {
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));
  const error = (async () => {
    for await (const s of nc.status()) if (s.type === 'error' && /permission/i.test(String(s.data))) return String(s.data);
    return undefined;
  })();
  return Promise.race([error, timeout]);
}

test('a registered kiosk publishes its own scans, not another’s, and reads only its own verdicts', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9001));
  const a = await register(placeId, 'Accueil');
  const b = await register(placeId, 'Salle informatique');
  expect(a.creds).toContain('BEGIN NATS USER JWT');
  expect(a.userPublicKey).toMatch(/^U/);
  expect(a.verdictConsumer).toMatchObject({ created: true, consumer: names.kiosk.verdictConsumer(a.id) });
  expect(a.inboxPrefix).toBe(names.kiosk.inboxPrefix(a.id));
  // The creds are shown once: the kiosk list does not carry them.
  const listed = (await call(`${url}/places/${placeId}/kiosks`)).body as Record<string, unknown>[];
  expect(listed.map((k) => k.id).sort()).toEqual([a.id, b.id].sort());
  expect(listed.every((k) => !('creds' in k))).toBe(true);

  const kioskA = await server.connect(a.creds, { inboxPrefix: a.inboxPrefix });
  const ack = await kioskA.jetstream().publish(names.kiosk.scans(a.id), json.encode({ scanId: randomUUID() }));
  expect(ack.stream).toBe(names.kiosk.stream);

  const refusedPublish = permissionError(kioskA);
  kioskA.publish(names.kiosk.scans(b.id), json.encode({ forged: true }));
  expect(await refusedPublish).toBe('PERMISSIONS_VIOLATION');
  const jsm = await platform.jetstreamManager();
  expect(await jsm.streams.getMessage(names.kiosk.stream, { last_by_subj: names.kiosk.scans(b.id) }).catch(() => undefined)).toBeUndefined();

  // Verdicts: its own from the consumer qualification created; another kiosk's, never.
  platform.publish(names.kiosk.verdicts(a.id), json.encode({ scanId: 'a-1' }));
  platform.publish(names.kiosk.verdicts(b.id), json.encode({ scanId: 'b-1' }));
  await platform.flush();
  const own = await (await kioskA.jetstream().consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(a.id))).next({ expires: 2000 });
  expect(json.decode(own!.data)).toEqual({ scanId: 'a-1' });
  own!.ack();
  const refusedSub = permissionError(kioskA);
  kioskA.subscribe(names.kiosk.verdicts(b.id));
  expect(await refusedSub).toBe('PERMISSIONS_VIOLATION');
  await kioskA.close().catch(() => {});

  const again = await server.connect(a.creds, { inboxPrefix: a.inboxPrefix });
  const other = await again.jetstream().consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(b.id)).then(
    (c) => c.next({ expires: 1000 }),
    (err: unknown) => err,
  );
  expect(other === null || other instanceof Error).toBe(true);
  await again.close().catch(() => {});
});

test('revoking a kiosk records its key, announces it and deletes its verdict consumer', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9002));
  const k = await register(placeId, 'Borne mobile');
  const revoked = await call(`${url}/kiosks/${k.id}/revocation`, { method: 'POST', body: { reason: 'Borne perdue' } });
  expect(revoked).toMatchObject({ status: 200, body: { status: 'revoked', userPublicKey: k.userPublicKey, revokeReason: 'Borne perdue' } });
  expect((await call(`${url}/kiosks/${k.id}/revocation`, { method: 'POST', body: { reason: 'Encore' } })).body.code).toBe('kiosk_already_revoked');
  const jsm = await platform.jetstreamManager();
  expect(await jsm.consumers.info(names.kiosk.verdictStream, names.kiosk.verdictConsumer(k.id)).catch(() => 'gone')).toBe('gone');
});

test('a place that is not qualified gets no kiosk', async () => {
  const created = await call(`${url}/places`, { method: 'POST', body: { name: 'Fablab', siret: siretFrom(9003), type: 'fablab', address: { line1: '1 place du Minage', postalCode: '16000', city: 'Angoulême' }, communeCode: '16015', latitude: 45.6, longitude: 0.16, openingHours: 'Tu-Sa 14:00-19:00' } });
  expect((await call(`${url}/places/${created.body.id}/kiosks`, { method: 'POST', body: { name: 'X' } }))).toMatchObject({ status: 409, body: { code: 'place_not_qualified' } });
});
