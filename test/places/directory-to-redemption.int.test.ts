/**
 * One place across three services: imported into catalogue's directory from open data, qualified
 * by qualification under the directory's id, then qualified in catalogue (which takes its offers)
 * and in redemption's read model (which lets its kiosks endorse passes) — all through events. Its
 * later edits in qualification reach both read models the same way.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { catalogue } from '@aptic/catalogue';
import { qualification } from '@aptic/qualification';
import { redemption } from '@aptic/redemption';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { bestAnswers, qualifiedPlace, siretFrom, validPlace } from '../qualification/support.ts';

let infra: Isolated;
let nodes: RunningPlatform[];
let catalogueUrl: string;
let qualificationUrl: string;

beforeAll(async () => {
  infra = await isolate();
  nodes = await Promise.all([catalogue, qualification, redemption].map((s) => startDistributed(infra, [s])));
  [catalogueUrl, qualificationUrl] = nodes.map((n) => n.services[0]!.url) as [string, string];
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.stop();
  await infra?.cleanup();
});

test('a directory place, once qualified, can publish offers and have its passes endorsed', async () => {
  const row = {
    id: 'cross-angouleme-1',
    nom: 'Espace numérique de Basseau',
    services: 'Aide aux démarches administratives',
    pivot: '73282932000074',
    commune: 'Angoulême',
    code_postal: '16000',
    code_insee: '16015',
    adresse: '12 rue de Basseau',
    latitude: 45.65,
    longitude: 0.15,
    horaires: 'Mo-Fr 09:00-18:00',
  };
  const imported = await fetch(`${catalogueUrl}/imports`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify([row]),
  });
  expect(imported.status).toBeLessThan(300);
  const directory = (await call(`${catalogueUrl}/places`)).body as Array<{ id: string; name: string; status: string }>;
  const listed = directory.find((p) => p.name === row.nom)!;
  expect(listed.status).not.toBe('qualified');
  // Not qualified yet: catalogue refuses its offers.
  const early = await call(`${catalogueUrl}/places/${listed.id}/offers`, {
    method: 'POST',
    body: { serviceCode: 'aide_demarches_administratives.accompagnement_individuel' },
  });
  expect(early).toMatchObject({ status: 409, body: { code: 'place_not_qualified' } });

  const applied = await call(`${qualificationUrl}/places`, {
    method: 'POST',
    body: { ...validPlace('73282932000074'), directoryId: listed.id },
  });
  expect([applied.status, applied.body.id]).toEqual([201, listed.id]);
  await call(`${qualificationUrl}/places/${listed.id}/questionnaire`, {
    method: 'POST',
    body: await bestAnswers(qualificationUrl),
  });
  await call(`${qualificationUrl}/places/${listed.id}/charter`, {
    method: 'POST',
    body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Camille Martin' },
  });
  expect(
    (
      await call(`${qualificationUrl}/places/${listed.id}/decision`, {
        method: 'POST',
        body: { decision: 'qualified' },
      })
    ).status,
  ).toBe(200);
  // The same directory place cannot apply twice.
  expect(
    (
      await call(`${qualificationUrl}/places`, {
        method: 'POST',
        body: { ...validPlace('44306184100047'), directoryId: listed.id },
      })
    ).body.code,
  ).toBe('place_already_registered');

  // Catalogue now takes its offers…
  const offer = await eventually(
    () =>
      call(`${catalogueUrl}/places/${listed.id}/offers`, {
        method: 'POST',
        body: { serviceCode: 'aide_demarches_administratives.accompagnement_individuel' },
      }),
    (r) => r.status === 201,
  );
  expect(offer.body.priceCents).toBe(1_000);
  // …and redemption knows the place as qualified, and its offer.
  const redemptionDb = nodes[2]!.database.db;
  await eventually(
    async () =>
      (
        await queryRows<{ qualified: boolean; commune_code: string }>(
          redemptionDb,
          sql`SELECT qualified, commune_code FROM redemption.place WHERE place_id = ${listed.id}`,
        )
      )[0],
    (p) => p?.qualified === true && p.commune_code === '16015',
  );
  await eventually(
    async () =>
      (
        await queryRows(
          redemptionDb,
          sql`SELECT 1 FROM redemption.offer WHERE offer_id = ${offer.body.id} AND place_id = ${listed.id}`,
        )
      ).length,
    (n) => n === 1,
  );
});

test('editing a qualified place in qualification moves it in catalogue’s search and redemption’s read model', async () => {
  const placeId = await qualifiedPlace(qualificationUrl, siretFrom(4242));
  const inCatalogue = () => call(`${catalogueUrl}/places/${placeId}`);
  await eventually(inCatalogue, (r) => r.body?.status === 'qualified');

  const poitiers = {
    name: 'Médiathèque de Poitiers',
    communeCode: '86194',
    address: { line1: '4 rue de l’Université', postalCode: '86000', city: 'Poitiers' },
    latitude: 46.5802,
    longitude: 0.3404,
    openingHours: 'Mo-Su 00:00-24:00',
  };
  expect((await call(`${qualificationUrl}/places/${placeId}`, { method: 'PATCH', body: poitiers })).status).toBe(200);

  const moved = await eventually(inCatalogue, (r) => r.body.name === poitiers.name);
  expect(moved.body).toMatchObject({
    status: 'qualified',
    communeCode: '86194',
    communeName: 'Poitiers',
    departementCode: '86',
    latitude: 46.5802,
    longitude: 0.3404,
    openingHours: 'Mo-Su 00:00-24:00',
  });
  const nearest = await call(`${catalogueUrl}/nearby?latitude=46.58&longitude=0.34&limit=1&openNow=true`);
  expect(nearest.body.places[0]).toMatchObject({ placeId, name: poitiers.name, openNow: true });
  await eventually(
    async () =>
      (
        await queryRows<{ name: string; commune_code: string; qualified: boolean }>(
          nodes[2]!.database.db,
          sql`SELECT name, commune_code, qualified FROM redemption.place WHERE place_id = ${placeId}`,
        )
      )[0],
    (p) => p?.name === poitiers.name && p.commune_code === '86194' && p.qualified,
  );
});
