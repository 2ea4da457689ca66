import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { catalogue } from '@aptic/catalogue';
import { analytics } from '@aptic/analytics';
import { parseBarcode, SERVICE_CATEGORIES, type EventEnvelope } from '@aptic/contracts';
import { queryRows, type ConsumerDefinition, type RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';
import { fetchPdf, pdfText, saveFirstPage } from '../support/pdf.ts';
import { decodeBarcodes, placeQualified, placeStatusEvent } from './support.ts';

let infra: Isolated;
let node: RunningPlatform;
let probeNode: RunningPlatform;
let publisher: RawPublisher;
let url: string;
const offerEvents: EventEnvelope<'offer.published' | 'offer.withdrawn'>[] = [];

/** Stands in for redemption: records the offer events it would build its read model from. */
const offerProbe: ConsumerDefinition<'offer.published' | 'offer.withdrawn'> = {
  name: 'offer-probe',
  events: ['offer.published', 'offer.withdrawn'],
  apply: async (_tx, events) => void offerEvents.push(...events),
};

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [catalogue]);
  probeNode = await startDistributed(infra, [{ ...analytics, consumers: () => [offerProbe] }]);
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await publisher?.close();
  await probeNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

const offerCount = async () =>
  (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM catalogue.offer`))[0]!.n;
const statusOf = async (placeId: string) => (await call(`${url}/places/${placeId}`)).body?.status;

async function qualifiedPlace(extra: Record<string, unknown> = {}): Promise<string> {
  const placeId = randomUUID();
  await publisher.publish(placeQualified({ placeId, ...extra }));
  await eventually(
    () => statusOf(placeId),
    (s) => s === 'qualified',
  );
  return placeId;
}

describe('the référentiel', () => {
  test('seeded with the nine national categories and sub-services, versioned', async () => {
    const ref = await call(`${url}/referentiel`);
    expect(ref.status).toBe(200);
    expect(ref.body.version).toBe(1);
    const codes = ref.body.services.map((s: { code: string }) => s.code);
    for (const c of SERVICE_CATEGORIES) expect(codes).toContain(c.code);
    expect(codes).toContain('maitrise_outils_numeriques_quotidien.atelier_collectif');
  });
});

describe('offers', () => {
  let placeId: string;
  let offerId: string;

  test('a qualified place offers a service at the regulated 10 € by default; offer.published leaves', async () => {
    placeId = await qualifiedPlace();
    const created = await call(`${url}/places/${placeId}/offers`, {
      method: 'POST',
      body: { serviceCode: 'aide_demarches_administratives.accompagnement_individuel' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      placeId,
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1000,
      durationMinutes: 60,
      group: false,
      withdrawnAt: null,
    });
    offerId = created.body.id;
    const published = await eventually(async () => offerEvents.find((e) => e.data.offerId === offerId), Boolean);
    expect(published!.data).toEqual({
      offerId,
      placeId,
      serviceCode: 'aide_demarches_administratives.accompagnement_individuel',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1000,
      group: false,
    });
  });

  test('bad input answers 4xx with a reason and changes nothing', async () => {
    const before = await offerCount();
    const cases: [unknown, number, string, string | undefined][] = [
      [{ serviceCode: 'reparation_velos' }, 422, 'unknown_service', 'serviceCode'],
      [
        { serviceCode: 'aide_demarches_administratives.accompagnement_individuel' },
        409,
        'duplicate_offer',
        'serviceCode',
      ],
      [{ serviceCode: 'comprehension_monde_numerique', priceCents: 10.5 }, 422, 'price_not_cents', 'priceCents'],
      [{ serviceCode: 'comprehension_monde_numerique', priceCents: '10 €' }, 400, 'invalid_body', 'priceCents'],
      [
        { serviceCode: 'comprehension_monde_numerique', durationMinutes: 0 },
        422,
        'duration_out_of_range',
        'durationMinutes',
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const answer = await call(`${url}/places/${placeId}/offers`, { method: 'POST', body });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(typeof answer.body.message).toBe('string');
    }
    expect(
      (
        await call(`${url}/places/${randomUUID()}/offers`, {
          method: 'POST',
          body: { serviceCode: 'comprehension_monde_numerique' },
        })
      ).body.code,
    ).toBe('unknown_place');
    expect(await offerCount()).toBe(before);
  });

  test('a change publishes a new version and withdraws the old one; history is kept', async () => {
    const changed = await call(`${url}/offers/${offerId}`, { method: 'PUT', body: { priceCents: 1500 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      priceCents: 1500,
      replaces: offerId,
      serviceCode: 'aide_demarches_administratives.accompagnement_individuel',
    });
    expect(changed.body.id).not.toBe(offerId);
    await eventually(
      async () => offerEvents.some((e) => e.type === 'offer.withdrawn' && e.data.offerId === offerId),
      Boolean,
    );
    const active = await call(`${url}/places/${placeId}/offers`);
    expect(active.body.map((o: { id: string }) => o.id)).toEqual([changed.body.id]);
    const history = await call(`${url}/places/${placeId}/offers?history=true`);
    expect(history.body).toHaveLength(2);
    expect(history.body.find((o: { id: string }) => o.id === offerId)).toMatchObject({
      priceCents: 1000,
      withdrawnAt: expect.any(String),
    });
    expect((await call(`${url}/offers/${offerId}`, { method: 'PUT', body: { priceCents: 2000 } })).body.code).toBe(
      'offer_withdrawn',
    );
    expect(
      (await call(`${url}/offers/${changed.body.id}`, { method: 'PUT', body: { priceCents: 1500 } })).body.code,
    ).toBe('offer_unchanged');
    expect((await call(`${url}/offers/${changed.body.id}`, { method: 'PUT', body: { priceCents: 12.5 } })).status).toBe(
      422,
    );
  });

  test('a suspended place cannot publish; an older event does not override a newer one', async () => {
    const other = await qualifiedPlace();
    const now = Date.now();
    await publisher.publish(placeStatusEvent('place.suspended', other, new Date(now + 1000)));
    await eventually(
      () => statusOf(other),
      (s) => s === 'suspended',
    );
    // A qualification from before the suspension, delivered late: ignored.
    await publisher.publish(placeQualified({ placeId: other }, new Date(now + 500)));
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(other)).toBe('suspended');
    const refused = await call(`${url}/places/${other}/offers`, {
      method: 'POST',
      body: { serviceCode: 'comprehension_monde_numerique' },
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'place_not_qualified', field: 'placeId' } });
  });
});

describe('the service sheet', () => {
  test('every barcode on the printed sheet decodes to an active offer of that place', async () => {
    const placeId = await qualifiedPlace({ name: 'Médiathèque de Ruelle' });
    const services = [
      'maitrise_outils_numeriques_quotidien.atelier_collectif',
      'aide_demarches_administratives',
      'utilisation_securisee_numerique.atelier_securite',
      'loisirs_creations_numeriques',
    ];
    const ids: string[] = [];
    for (const serviceCode of services) {
      const r = await call(`${url}/places/${placeId}/offers`, {
        method: 'POST',
        body: { serviceCode, priceCents: 800 },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    // A withdrawn offer is not on the sheet.
    await call(`${url}/offers/${ids.pop()}`, { method: 'DELETE' });
    const sheet = await fetchPdf(`${url}/places/${placeId}/service-sheet.pdf`);
    expect(sheet.status).toBe(200);
    expect(sheet.type).toBe('application/pdf');
    expect(await pdfText(sheet.pdf)).toContain('Médiathèque de Ruelle');
    const codes = await decodeBarcodes(sheet.pdf);
    expect(codes).toHaveLength(ids.length);
    const offers = codes.map((c) => parseBarcode(c));
    for (const o of offers) expect(o.kind).toBe('service');
    expect(offers.map((o) => (o.kind === 'service' ? o.offerId : '')).sort()).toEqual([...ids].sort());
    // Beside each Code 128, a QR code of the same text.
    expect((await decodeBarcodes(sheet.pdf, 'qrcode')).sort()).toEqual([...codes].sort());
    await saveFirstPage(sheet.pdf, 'service-sheet');
  });
});
