import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { natsNames, passCode, type EventEnvelope, type EventType, type EventDataOf, type ScanMessage, type Verdict } from '@aptic/contracts';
import { businessDate, queryRows, type ConsumerDefinition, type RunningPlatform } from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { JSONCodec, connect } from 'nats';
import { processScan } from '@aptic/redemption/db/scans.ts';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';

const KEY = 'printing-test-key';
const year = businessDate().slice(0, 4);
const orderId = randomUUID();
const funderId = randomUUID();
const place = randomUUID();
const farPlace = randomUUID();
const offer = randomUUID();
const farOffer = randomUUID();
const kiosks = Array.from({ length: 100 }, () => randomUUID());
const farKiosk = randomUUID();
const passIds = new Map<string, string>();
const code = (carnet: number, position: number) => passCode(KEY, carnet, position);

let infra: Isolated;
let node: RunningPlatform;
let probeNode: RunningPlatform;
const redeemed: EventEnvelope<'pass.redeemed'>[] = [];
const probe: ConsumerDefinition<'pass.redeemed'> = { name: 'redeemed-probe', events: ['pass.redeemed'], apply: async (_tx, events) => void redeemed.push(...events) };

function event<T extends EventType>(type: T, data: EventDataOf<T>): EventEnvelope<T> {
  return { id: randomUUID(), type, occurredAt: new Date().toISOString(), producer: 'test', data };
}

function scan(carnet: number, position: number, over: Partial<ScanMessage> = {}): ScanMessage {
  return { scanId: randomUUID(), kioskId: kiosks[0]!, sessionId: randomUUID(), offerId: offer, code: code(carnet, position), scannedAt: new Date().toISOString(), offline: false, ...over };
}

const judge = (s: ScanMessage): Promise<Verdict> => node.services[0]!.context.transaction((tx, emit) => processScan(tx, emit, s));
const count = async (table: string) => (await queryRows<{ n: number }>(node.database.db, sql.raw(`SELECT count(*)::int AS n FROM redemption.${table}`)))[0]!.n;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [redemption]);
  probeNode = await startDistributed(infra, [{ ...analytics, consumers: () => [probe] }]);
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  const rules = { validFrom: `${year}-01-01`, validUntil: `${year}-12-31`, perimeter: { communes: ['16015'], epcis: [], departements: [] }, resolvedCommunes: ['16015'], placeTypes: [], serviceCategories: [], publics: [] };
  const issued = [1, 2, 3, 4].flatMap((carnet) => Array.from({ length: 10 }, (_, i) => ({ passId: randomUUID(), code: code(carnet, i + 1), carnetNumber: carnet, position: i + 1 })));
  for (const p of issued) passIds.set(p.code, p.passId);
  const events: EventEnvelope[] = [
    // Out of order on purpose: releases and kit before what they refer to.
    event('passes.released', { orderId, carnetNumbers: [1, 2, 4], releasedAt: new Date().toISOString() }),
    event('kit.subscribed', { placeId: place, plan: 'monthly' }),
    event('kit.subscribed', { placeId: farPlace, plan: 'yearly' }),
    event('order.paid', { orderId, funderId, offer: 'plus', carnetSize: 10, carnets: 4, faceValueCents: 40_000, options: [], rules }),
    event('passes.issued', { orderId, funderId, chunk: { index: 0, of: 1 }, passes: issued }),
    event('passes.blocked', { orderId, carnetNumber: 4, passIds: issued.filter((p) => p.carnetNumber === 4).map((p) => p.passId), reason: 'volé' }),
    event('place.qualified', { placeId: place, name: 'Centre social de la Grand Font', type: 'centre_social', communeCode: '16015', departementCode: '16' }),
    event('place.qualified', { placeId: farPlace, name: 'Médiathèque de Cognac', type: 'bibliotheque', communeCode: '16102', departementCode: '16' }),
    event('offer.published', { offerId: offer, placeId: place, serviceCode: 'atelier_collectif', categoryCode: 'maitrise_outils_numeriques_quotidien', priceCents: 1_500, group: true }),
    event('offer.published', { offerId: farOffer, placeId: farPlace, serviceCode: 'seance_individuelle', categoryCode: 'aide_demarches_administratives', priceCents: 1_000, group: false }),
    ...kiosks.map((kioskId) => event('kiosk.registered', { kioskId, placeId: place })),
    event('kiosk.registered', { kioskId: farKiosk, placeId: farPlace }),
  ];
  for (const e of events) await publisher.publish(e, { msgID: e.id });
  await publisher.close();
  await eventually(async () => [await count('pass'), await count('kiosk'), await count('place'), await count('offer'), await count('order_rules'), await count('carnet_release'), await count('pass_block')], (n) => n.join() === '40,101,2,2,1,3,10', 30_000);
});
afterAll(async () => {
  await probeNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

describe('kiosk scans through JetStream', () => {
  const names = () => natsNames(infra.prefix);
  async function viaKiosk(body: unknown, kioskId = kiosks[0]!): Promise<Verdict> {
    const nc = await connect({ servers: infra.natsUrl });
    try {
      const live = nc.subscribe(names().kiosk.verdicts(kioskId), { max: 1, timeout: 15_000 });
      await nc.flush();
      await nc.jetstream().publish(names().kiosk.scans(kioskId), typeof body === 'string' ? new TextEncoder().encode(body) : JSONCodec().encode(body));
      for await (const m of live) return JSONCodec<Verdict>().decode(m.data);
      throw new Error('no verdict');
    } finally {
      await nc.close();
    }
  }

  test('a scan published by a kiosk is judged and its verdict comes back on the kiosk’s subject', async () => {
    const s = scan(1, 5);
    expect(await viaKiosk(s)).toMatchObject({ scanId: s.scanId, outcome: 'accepted', faceValueCents: 1_000 });
    const again = scan(1, 5);
    expect(await viaKiosk(again)).toMatchObject({ scanId: again.scanId, outcome: 'denied', reason: 'already_redeemed' });
  });

  test.each([
    ['wrong schema', { ...scan(1, 6), code: undefined }],
    ['non-digits', { ...scan(1, 6), code: '12345678ABCD' }],
    ['SQL in the code', { ...scan(1, 6), code: "1'; DROP TABLE redemption.scan; --" }],
    ['another kiosk’s id in the body', { ...scan(1, 6), kioskId: kiosks[1] }],
    ['a payload far too large', { ...scan(1, 6), padding: 'x'.repeat(100_000) }],
  ])('%s is refused with a reason, nothing stored, and the next scan still goes through', async (_label, body) => {
    const before = await count('scan');
    expect(await viaKiosk(body)).toMatchObject({ outcome: 'denied', reason: 'invalid_message' });
    expect(await count('scan')).toBe(before);
    expect((await viaKiosk(scan(2, 3 + Math.floor(Math.random() * 7)))).scanId).toBeDefined();
  });

  test('a 10 MB message is refused by NATS itself before it reaches the platform', async () => {
    const nc = await connect({ servers: infra.natsUrl });
    await expect(nc.jetstream().publish(names().kiosk.scans(kiosks[0]!), new Uint8Array(10 * 1024 * 1024))).rejects.toThrow(/MAX_PAYLOAD|payload/i);
    await nc.close().catch(() => {});
  });
});

describe('scans against the read models built from events', () => {
  test('100 kiosks scan the same pass at the same instant: exactly one accepted, 99 already redeemed', async () => {
    const target = code(1, 1);
    const at = new Date().toISOString();
    const verdicts = await Promise.all(kiosks.map((kioskId) => judge({ scanId: randomUUID(), kioskId, sessionId: randomUUID(), offerId: offer, code: target, scannedAt: at, offline: false })));
    expect(verdicts.filter((v) => v.outcome === 'accepted')).toHaveLength(1);
    const refused = verdicts.filter((v) => v.outcome === 'denied');
    expect(refused).toHaveLength(99);
    for (const v of refused) expect(v).toMatchObject({ reason: 'already_redeemed', message: expect.stringContaining('Centre social de la Grand Font') });
    const [live] = await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE pass_id = ${passIds.get(target)}`);
    expect(live!.n).toBe(1);
  });

  test('the same scan delivered five times gets the same verdict and one redemption', async () => {
    const s = scan(1, 2);
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => judge(s)));
    expect(new Set(verdicts.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(verdicts[0]!.outcome).toBe('accepted');
    const [rows] = await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE scan_id = ${s.scanId}`);
    expect(rows!.n).toBe(1);
  });

  test('one pass per carnet per service act; several carnets pay one group workshop', async () => {
    const sessionId = randomUUID();
    expect((await judge(scan(2, 1, { sessionId }))).outcome).toBe('accepted');
    expect(await judge(scan(2, 2, { sessionId }))).toMatchObject({ outcome: 'denied', reason: 'same_carnet_same_service' });
    expect((await judge(scan(1, 3, { sessionId }))).outcome).toBe('accepted');
    // Another service act may use the same carnet.
    expect((await judge(scan(2, 2))).outcome).toBe('accepted');
  });

  test.each([
    ['not_released', () => scan(3, 1)],
    ['blocked', () => scan(4, 1)],
    ['misread', () => ({ ...scan(1, 9), code: code(1, 9).slice(0, 5) + ((Number(code(1, 9)[5]) + 1) % 10) + code(1, 9).slice(6) })],
    ['unknown_pass', () => ({ ...scan(1, 9), code: passCode('forged key', 1, 9) })],
    ['outside_perimeter', () => scan(1, 9, { kioskId: farKiosk, offerId: farOffer })],
    ['service_not_offered', () => scan(1, 9, { offerId: farOffer })],
    ['kiosk_revoked', () => scan(1, 9, { kioskId: randomUUID() })],
  ])('%s', async (reason, make) => {
    const before = await count('redemption');
    expect(await judge(make())).toMatchObject({ outcome: 'denied', reason });
    expect(await count('redemption')).toBe(before);
  });

  test('every accepted pass is announced once as pass.redeemed', async () => {
    const accepted = await count('redemption');
    await eventually(async () => redeemed.length, (n) => n === accepted);
    expect(new Set(redeemed.map((e) => e.data.passId)).size).toBe(accepted);
    expect(redeemed.every((e) => e.data.orderId === orderId && e.data.faceValueCents === 1_000)).toBe(true);
  });
});
