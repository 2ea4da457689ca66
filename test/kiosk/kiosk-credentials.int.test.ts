import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AckPolicy, JSONCodec, type NatsConnection } from 'nats';
import { issueKioskCredentials, natsNames } from '@aptic/contracts';
import { permissionError, startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';

const prefix = 'aptic';
const names = natsNames(prefix);
const json = JSONCodec();
let server: OperatorServer;
let platform: NatsConnection;
const kioskA = randomUUID();
const kioskB = randomUUID();

async function kiosk(kioskId: string): Promise<NatsConnection> {
  const { creds } = await issueKioskCredentials({
    accountSigningSeed: server.accountSigningSeed,
    accountPublicKey: server.accountPublicKey,
    prefix,
    kioskId,
    name: `kiosk ${kioskId}`,
  });
  return server.connect(creds, { inboxPrefix: names.kiosk.inboxPrefix(kioskId) });
}

beforeAll(async () => {
  server = await startOperatorServer();
  platform = await server.connect(server.platformCreds);
  const jsm = await platform.jetstreamManager();
  await jsm.streams.add({ name: names.kiosk.stream, subjects: [names.kiosk.allScans, names.kiosk.partitioned] });
  await jsm.streams.add({ name: names.kiosk.verdictStream, subjects: [names.kiosk.allVerdicts] });
  for (const k of [kioskA, kioskB]) {
    await jsm.consumers.add(names.kiosk.verdictStream, {
      durable_name: names.kiosk.verdictConsumer(k),
      filter_subject: names.kiosk.verdicts(k),
      ack_policy: AckPolicy.Explicit,
    });
  }
});
afterAll(async () => {
  await platform?.close();
  await server?.stop();
});

test('a kiosk publishes its own scans to JetStream and gets the ack; the account maps them to its partition', async () => {
  const nc = await kiosk(kioskA);
  const ack = await nc.jetstream().publish(names.kiosk.scans(kioskA), json.encode({ scanId: randomUUID() }));
  expect(ack.stream).toBe(names.kiosk.stream);
  const stored = await (await platform.jetstreamManager()).streams.getMessage(names.kiosk.stream, { seq: ack.seq });
  expect(stored.subject).toMatch(new RegExp(`^aptic\\.kiosk\\.p\\.([0-9]|1[0-5])\\.${kioskA}\\.scans$`));
  await nc.close();
});

test('a kiosk cannot publish on another kiosk’s scan subject', async () => {
  const nc = await kiosk(kioskA);
  const refused = permissionError(nc);
  nc.publish(names.kiosk.scans(kioskB), json.encode({ forged: true }));
  expect(await refused).toBe('PERMISSIONS_VIOLATION');
  const jsm = await platform.jetstreamManager();
  const stored = await jsm.streams
    .getMessage(names.kiosk.stream, { last_by_subj: names.kiosk.scans(kioskB) })
    .catch(() => undefined);
  expect(stored).toBeUndefined();
  await nc.close();
});

test('a kiosk reads its own verdicts, live and from its durable consumer, and never another’s', async () => {
  const a = await kiosk(kioskA);
  const live = a.subscribe(names.kiosk.verdicts(kioskA), { max: 1 });
  await a.flush();
  platform.publish(names.kiosk.verdicts(kioskA), json.encode({ scanId: 'a-1' }));
  platform.publish(names.kiosk.verdicts(kioskB), json.encode({ scanId: 'b-1' }));
  for await (const m of live) expect(json.decode(m.data)).toEqual({ scanId: 'a-1' });

  // After a reconnection: its own consumer.
  const consumer = await a.jetstream().consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(kioskA));
  const missed = await consumer.next({ expires: 2000 });
  expect(json.decode(missed!.data)).toEqual({ scanId: 'a-1' });
  missed!.ack();

  // Another kiosk's verdicts: neither live nor from its consumer.
  const refusedSub = permissionError(a);
  a.subscribe(names.kiosk.verdicts(kioskB));
  expect(await refusedSub).toBe('PERMISSIONS_VIOLATION');
  await a.close();

  const a2 = await kiosk(kioskA);
  const other = await a2
    .jetstream()
    .consumers.get(names.kiosk.verdictStream, names.kiosk.verdictConsumer(kioskB))
    .then(
      (c) => c.next({ expires: 1000 }),
      (err: unknown) => err,
    );
  expect(other === null || other instanceof Error).toBe(true);
  await a2.close().catch(() => {});
});
