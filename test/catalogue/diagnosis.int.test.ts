import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { catalogue } from '@aptic/catalogue';
import { placeIdFromNationalId } from '@aptic/catalogue/domain/place-id.ts';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher, testEvent as envelope } from '../support/events.ts';
import { fetchPdf, pdfText } from '../support/pdf.ts';
import { placeQualified, placeStatusEvent, postFile } from './support.ts';

let infra: Isolated;
let node: RunningPlatform;
let publisher: RawPublisher;
let url: string;

/** Four Charente communes: Cognac (a qualified place), Châteaubernard (1.6 km from it, a directory place),
 * Angoulême (38 km away, a directory place), Jarnac (no place at all). */
const PERIMETER = { communes: ['16015', '16089', '16102', '16167'], epcis: [], departements: [] };
const rows = [
  {
    id: 'dg-cognac',
    nom: 'Médiathèque de Cognac',
    services: 'Aide aux démarches administratives|Maîtrise des outils numériques du quotidien',
    commune: 'Cognac',
    code_postal: '16100',
    code_insee: '16102',
    adresse: '10 rue du Minage',
    latitude: 45.6958,
    longitude: -0.3287,
    date_maj: '2023-01-01',
  },
  {
    id: 'dg-chateaubernard',
    nom: 'Mairie de Châteaubernard',
    services: 'Aide aux démarches administratives',
    commune: 'Châteaubernard',
    code_postal: '16100',
    code_insee: '16089',
    adresse: '1 place',
    latitude: 45.6814,
    longitude: -0.3312,
    date_maj: '2023-01-01',
  },
  {
    id: 'dg-angouleme',
    nom: 'Espace numérique d’Angoulême',
    services: 'Accès internet et matériel informatique|Aide aux démarches administratives',
    commune: 'Angoulême',
    code_postal: '16000',
    code_insee: '16015',
    adresse: '1 place',
    latitude: 45.6484,
    longitude: 0.1562,
    date_maj: '2023-01-01',
  },
];
const cognac = placeIdFromNationalId('dg-cognac');
const funderId = randomUUID();
const orderId = randomUUID();

const population = (code: string) =>
  (
    createRequire(import.meta.url)('@etalab/decoupage-administratif/data/communes.json') as {
      code: string;
      type: string;
      population?: number;
    }[]
  ).find((c) => c.code === code && c.type === 'commune-actuelle')!.population!;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [catalogue]);
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  url = node.services[0]!.url;
  expect((await postFile(`${url}/imports`, JSON.stringify(rows), 'application/json')).status).toBe(200);
  await publisher.publish(
    placeQualified({
      placeId: cognac,
      name: 'Médiathèque de Cognac',
      communeCode: '16102',
      latitude: 45.6958,
      longitude: -0.3287,
    }),
  );
  await eventually(
    async () => (await call(`${url}/places/${cognac}`)).body.status,
    (s) => s === 'qualified',
  );
  const offers = (await call(`${url}/places/${cognac}/offers`)).body as { id: string; serviceCode: string }[];
  const demarches = offers.find((o) => o.serviceCode === 'aide_demarches_administratives')!.id;
  const redeemed = (offerId: string, funder: string) => {
    const data = {
      redemptionId: randomUUID(),
      passId: randomUUID(),
      orderId: funder === funderId ? orderId : randomUUID(),
      funderId: funder,
      placeId: cognac,
      kioskId: randomUUID(),
      offerId,
      serviceActId: randomUUID(),
      faceValueCents: 1000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
    };
    return envelope('pass.redeemed', data);
  };
  const mine = [redeemed(demarches, funderId), redeemed(demarches, funderId), redeemed(demarches, funderId)];
  const someoneElse = redeemed(demarches, randomUUID());
  const cancellation = envelope('redemption.cancelled', {
    redemptionId: mine[2]!.data.redemptionId,
    passId: mine[2]!.data.passId,
    orderId,
    placeId: cognac,
    faceValueCents: 1000,
    reason: 'erreur de saisie',
  });
  // The cancellation first: it must still count once its redemption arrives.
  for (const e of [cancellation, ...mine, someoneElse]) await publisher.publish(e);
  const rules = {
    validFrom: '2026-01-01',
    validUntil: '2026-12-31',
    perimeter: PERIMETER,
    resolvedCommunes: PERIMETER.communes,
    placeTypes: [],
    serviceCategories: [],
    publics: [],
  };
  await publisher.publish(
    envelope('order.paid', {
      orderId,
      funderId,
      funderName: 'Ville test',
      offer: 'standard',
      carnetSize: 10,
      carnets: 100,
      faceValueCents: 1_000_000,
      options: [],
      rules,
    }),
  );
  await eventually(
    async () => (await call(`${url}/diagnosis?communes=${PERIMETER.communes.join(',')}`)).body.redemptions,
    (n) => n === 3,
  );
  await eventually(
    async () => (await call(`${url}/orders/${orderId}/diagnosis`)).status,
    (s) => s === 200,
  );
});
afterAll(async () => {
  await publisher?.close();
  await node?.stop();
  await infra?.cleanup();
});

describe('territorial diagnosis', () => {
  test('matches the figures computed by hand', async () => {
    const d = (await call(`${url}/diagnosis?communes=${PERIMETER.communes.join(',')}`)).body;
    expect(d).toMatchObject({
      communeCount: 4,
      population: PERIMETER.communes.reduce((sum, c) => sum + population(c), 0),
      redemptions: 3,
    });
    const service = (code: string) => d.services.find((s: { code: string }) => s.code === code);
    expect(d.services).toHaveLength(9);
    expect(service('aide_demarches_administratives')).toMatchObject({
      qualifiedPlaces: 1,
      directoryPlaces: 2,
      redemptions: 3,
    });
    expect(service('maitrise_outils_numeriques_quotidien')).toMatchObject({
      qualifiedPlaces: 1,
      directoryPlaces: 0,
      redemptions: 0,
    });
    expect(service('acces_internet_materiel_informatique')).toMatchObject({ qualifiedPlaces: 0, directoryPlaces: 1 });
    expect(service('loisirs_creations_numeriques')).toMatchObject({ qualifiedPlaces: 0, directoryPlaces: 0 });
    // Angoulême is 38.0 km from Cognac's qualified place; Châteaubernard 1.6 km; Jarnac has no located place.
    const angouleme = {
      code: '16015',
      name: 'Angoulême',
      population: population('16015'),
      located: true,
      nearestQualifiedKm: 38,
      qualifiedPlaces: 0,
      directoryPlaces: 1,
    };
    expect(d.uncovered).toEqual([
      { radiusKm: 10, communes: [angouleme], population: population('16015') },
      { radiusKm: 20, communes: [angouleme], population: population('16015') },
    ]);
    expect(d.unlocated).toEqual({
      communes: [expect.objectContaining({ code: '16167', name: 'Jarnac', nearestQualifiedKm: null })],
      population: population('16167'),
    });
    expect(d.communes.find((c: { code: string }) => c.code === '16089')).toMatchObject({
      nearestQualifiedKm: 1.6,
      directoryPlaces: 1,
    });
    expect(d.communes.find((c: { code: string }) => c.code === '16102')).toMatchObject({
      nearestQualifiedKm: 0,
      qualifiedPlaces: 1,
    });
  });

  test('an EPCI or a département perimeter; bad perimeters are refused in French', async () => {
    const departement = (await call(`${url}/diagnosis?departements=16`)).body;
    expect(departement.communeCount).toBeGreaterThan(300);
    expect(
      departement.services.find((s: { code: string }) => s.code === 'aide_demarches_administratives'),
    ).toMatchObject({ qualifiedPlaces: 1, directoryPlaces: 2 });
    expect((await call(`${url}/diagnosis?communes=99999`)).body).toMatchObject({
      code: 'unknown_commune',
      field: 'communes',
    });
    expect((await call(`${url}/diagnosis?epcis=123`)).body).toMatchObject({ code: 'unknown_epci' });
    expect((await call(`${url}/diagnosis`)).body).toMatchObject({
      code: 'empty_perimeter',
      message: expect.stringContaining('Indiquez'),
    });
  });

  test('CSV tables and a French PDF', async () => {
    const q = `communes=${PERIMETER.communes.join(',')}`;
    const services = await fetch(`${url}/diagnosis/services.csv?${q}`, {
      headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789' },
    });
    expect(services.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await services.text()).trim().split('\r\n');
    expect(lines[0]).toBe('code_service;service;lieux_qualifies;lieux_annuaire_non_qualifies;passages');
    expect(lines).toContain('aide_demarches_administratives;Aide aux démarches administratives;1;2;3');
    const communes = await (
      await fetch(`${url}/diagnosis/communes.csv?${q}`, {
        headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789' },
      })
    ).text();
    expect(communes).toContain(`16015;Angoulême;${population('16015')};0;1;38;oui;oui`);
    const pdf = await fetchPdf(`${url}/diagnosis.pdf?${q}`);
    expect(pdf.status).toBe(200);
    const text = await pdfText(pdf.pdf);
    expect(text).toContain('Diagnostic territorial de la médiation numérique');
    expect(text).toContain('Communes sans lieu qualifié à moins de 10 km : 1');
    expect(text).toContain('Angoulême');
  });

  test('a funder’s token sees the diagnosis of its own orders’ perimeters only, with its own redemptions', async () => {
    const own = (
      await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'ville', role: 'funder', funderId } })
    ).body.token;
    const other = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'autre', role: 'funder', funderId: randomUUID() },
      })
    ).body.token;
    const mine = await call(`${url}/orders/${orderId}/diagnosis`, { token: own });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ communeCount: 4, redemptions: 2 });
    expect((await call(`${url}/orders/${orderId}/diagnosis`, { token: other })).status).toBe(404);
    expect((await call(`${url}/diagnosis?departements=16`, { token: own })).status).toBe(403);
    expect((await fetchPdf(`${url}/orders/${orderId}/diagnosis.pdf`, own)).status).toBe(200);
  });

  test('a suspended place no longer covers anyone: every located commune is then without a qualified place', async () => {
    await publisher.publish(placeStatusEvent('place.suspended', cognac));
    const q = `communes=${PERIMETER.communes.join(',')}`;
    const d = await eventually(
      async () => (await call(`${url}/diagnosis?${q}`)).body,
      (b) => b.services?.[0]?.qualifiedPlaces === 0 && b.uncovered?.[0]?.communes.length === 3,
    );
    expect(d.uncovered[0].communes.map((c: { code: string }) => c.code)).toEqual(['16015', '16102', '16089']);
    expect(
      d.uncovered[0].communes.every((c: { nearestQualifiedKm: number | null }) => c.nearestQualifiedKm === null),
    ).toBe(true);
    expect(d.unlocated.communes.map((c: { code: string }) => c.code)).toEqual(['16167']);
  });
});
