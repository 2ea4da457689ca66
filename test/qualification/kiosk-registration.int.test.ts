import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { JSONCodec, type NatsConnection } from 'nats';
import { qualificationService } from '@aptic/qualification';
import { natsNames } from '@aptic/contracts';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, startDistributed } from '../support/platform.ts';
import { permissionError, startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';
import { qualifiedPlace, registerKiosk, siretFrom } from './support.ts';

/**
 * Kiosk registration and revocation end to end: qualification signs kiosk users with the account
 * key of an operator-mode NATS server and creates each kiosk's verdict consumer there; the kiosk
 * then connects with the `.creds` of the registration answer and is held to its own subjects. On
 * revocation qualification pushes the account JWT listing the kiosk's key: the server cuts it off.
 */
const json = JSONCodec();
let infra: Isolated;
let server: OperatorServer;
let platform: NatsConnection;
let node: RunningPlatform;
let url: string;
let names: ReturnType<typeof natsNames>;

beforeAll(async () => {
  infra = await isolate();
  names = natsNames(infra.prefix);
  server = await startOperatorServer();
  node = await startDistributed(infra, [qualificationService(server.kioskEnv)]);
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
});

const register = (placeId: string, name: string) => registerKiosk(url, placeId, name);

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
  expect(
    await jsm.streams.getMessage(names.kiosk.stream, { last_by_subj: names.kiosk.scans(b.id) }).catch(() => undefined),
  ).toBeUndefined();

  // Verdicts: its own from the consumer qualification created; another kiosk's, never.
  platform.publish(names.kiosk.verdicts(a.id), json.encode({ scanId: 'a-1' }));
  platform.publish(names.kiosk.verdicts(b.id), json.encode({ scanId: 'b-1' }));
  await platform.flush();
  const own = await (
    await kioskA.jetstream().consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(a.id))
  ).next({ expires: 2000 });
  expect(json.decode(own!.data)).toEqual({ scanId: 'a-1' });
  own!.ack();
  const refusedSub = permissionError(kioskA);
  kioskA.subscribe(names.kiosk.verdicts(b.id));
  expect(await refusedSub).toBe('PERMISSIONS_VIOLATION');
  await kioskA.close().catch(() => {});

  const again = await server.connect(a.creds, { inboxPrefix: a.inboxPrefix });
  const other = await again
    .jetstream()
    .consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(b.id))
    .then(
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
  expect(revoked).toMatchObject({
    status: 200,
    body: {
      status: 'revoked',
      userPublicKey: k.userPublicKey,
      revokeReason: 'Borne perdue',
      natsCredential: { revoked: true },
    },
  });
  expect(
    (await call(`${url}/kiosks/${k.id}/revocation`, { method: 'POST', body: { reason: 'Encore' } })).body.code,
  ).toBe('kiosk_already_revoked');
  const jsm = await platform.jetstreamManager();
  expect(
    await jsm.consumers.info(names.kiosk.verdictStream, names.kiosk.verdictConsumer(k.id)).catch(() => 'gone'),
  ).toBe('gone');
});

const revoke = async (kioskId: string) =>
  (await call(`${url}/kiosks/${kioskId}/revocation`, { method: 'POST', body: { reason: 'Borne volée' } })).body;
const refused = (creds: string) =>
  server.connect(creds, { reconnect: false }).then(
    async (nc) => void (await nc.close()),
    (err: unknown) => String(err),
  );
const scan = (nc: NatsConnection, kioskId: string) =>
  nc.jetstream().publish(names.kiosk.scans(kioskId), json.encode({ scanId: randomUUID() }));

test('a revoked kiosk is cut off by NATS at once and refused from then on; the other kiosk keeps working', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9004));
  const [a, b] = [await register(placeId, 'Accueil'), await register(placeId, 'Atelier')];
  const kioskA = await server.connect(a.creds, { inboxPrefix: a.inboxPrefix });
  const kioskB = await server.connect(b.creds, { inboxPrefix: b.inboxPrefix });
  expect((await scan(kioskA, a.id)).stream).toBe(names.kiosk.stream);
  const cutOff = kioskA.closed();

  expect(await revoke(a.id)).toMatchObject({ status: 'revoked', natsCredential: { revoked: true } });
  // Cut off ("User Authentication Revoked"); its reconnection attempts are refused.
  expect(String(await cutOff)).toMatch(/revoked|authorization/i);
  expect(() => kioskA.publish(names.kiosk.scans(a.id), json.encode({ scanId: randomUUID() }))).toThrow();
  expect(await refused(a.creds)).toMatch(/authorization/i);
  const jsm = await platform.jetstreamManager();
  expect(
    (await jsm.streams.getMessage(names.kiosk.stream, { last_by_subj: names.kiosk.scans(a.id) })).seq,
  ).toBeGreaterThan(0);

  expect((await scan(kioskB, b.id)).stream).toBe(names.kiosk.stream);
  expect(await refused(b.creds)).toBeUndefined();
  await kioskB.close();
});

test('a revocation the NATS server missed (it was down) is put in force by the next one', async () => {
  const placeId = await qualifiedPlace(url, siretFrom(9005));
  const [c, d] = [await register(placeId, 'Borne 1'), await register(placeId, 'Borne 2')];
  await server.pause();
  try {
    expect((await revoke(c.id)).natsCredential).toMatchObject({
      revoked: false,
      reason: expect.stringContaining('retried'),
    });
  } finally {
    await server.resume();
  }
  expect(await refused(c.creds)).toBeUndefined();
  expect((await revoke(d.id)).natsCredential).toEqual({ revoked: true });
  expect(await refused(c.creds)).toMatch(/authorization/i);
  expect(await refused(d.creds)).toMatch(/authorization/i);
});

test('a place that is not qualified gets no kiosk', async () => {
  const created = await call(`${url}/places`, {
    method: 'POST',
    body: {
      name: 'Fablab',
      siret: siretFrom(9003),
      type: 'fablab',
      address: { line1: '1 place du Minage', postalCode: '16000', city: 'Angoulême' },
      communeCode: '16015',
      latitude: 45.6,
      longitude: 0.16,
      openingHours: 'Tu-Sa 14:00-19:00',
    },
  });
  expect(await call(`${url}/places/${created.body.id}/kiosks`, { method: 'POST', body: { name: 'X' } })).toMatchObject({
    status: 409,
    body: { code: 'place_not_qualified' },
  });
});
