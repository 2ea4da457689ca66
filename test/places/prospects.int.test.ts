/**
 * Prospects: directory places not (yet) qualified, found by a nearby search with qualified=false
 * (staff and funders), invited by staff to apply with an application pre-filled from their
 * directory row, and the invitation followed through invited → applied → qualified, or declined.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { catalogue } from '@aptic/catalogue';
import { placeIdFromNationalId } from '@aptic/catalogue/domain/place-id.ts';
import { qualification } from '@aptic/qualification';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { bestAnswers } from '../qualification/support.ts';

let infra: Isolated;
let nodes: RunningPlatform[];
let catalogueUrl: string;
let qualificationUrl: string;

const rows = [
  {
    id: 'pr-ruelle',
    nom: 'Médiathèque de Ruelle',
    services: 'Aide aux démarches administratives',
    pivot: '73282932000074',
    commune: 'Ruelle-sur-Touvre',
    code_postal: '16600',
    adresse: '2 rue de la Mairie',
    latitude: 45.68,
    longitude: 0.23,
    horaires: 'Mo-Fr 09:00-18:00',
  },
  {
    id: 'pr-gond',
    nom: 'Espace social de Gond-Pontouvre',
    services: 'Maîtrise des outils numériques du quotidien',
    pivot: '00000000000000',
    commune: 'Gond-Pontouvre',
    code_postal: '16160',
    adresse: '5 avenue',
    latitude: 45.67,
    longitude: 0.16,
  },
];
const ruelle = placeIdFromNationalId('pr-ruelle');
const gond = placeIdFromNationalId('pr-gond');

beforeAll(async () => {
  infra = await isolate();
  nodes = await Promise.all([catalogue, qualification].map((s) => startDistributed(infra, [s])));
  [catalogueUrl, qualificationUrl] = nodes.map((n) => n.services[0]!.url) as [string, string];
  const imported = await fetch(`${catalogueUrl}/imports`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  expect(imported.status).toBe(200);
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.stop();
  await infra?.cleanup();
});

describe('prospects', () => {
  test('staff and funders find directory places that are not qualified near a point', async () => {
    const funder = (
      await call(`${catalogueUrl}/admin/tokens`, {
        method: 'POST',
        body: { name: 'ville', role: 'funder', funderId: randomUUID() },
      })
    ).body.token;
    const prospects = await call(`${catalogueUrl}/nearby?latitude=45.68&longitude=0.2&qualified=false`, {
      token: funder,
    });
    expect(prospects.status).toBe(200);
    expect(prospects.body.places.map((p: { placeId: string }) => p.placeId)).toEqual([ruelle, gond]);
    const qualified = await call(`${catalogueUrl}/nearby?latitude=45.68&longitude=0.2`, { token: funder });
    expect(qualified.body.places).toEqual([]);
  });

  test('an invited place applies with its pre-filled application; its invitation follows it to qualified', async () => {
    const invited = await call(`${qualificationUrl}/invitations`, { method: 'POST', body: { placeId: ruelle } });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({
      status: 'invited',
      prefill: {
        directoryId: ruelle,
        name: 'Médiathèque de Ruelle',
        siret: '73282932000074',
        communeCode: '16291',
        latitude: 45.68,
        longitude: 0.23,
        openingHours: 'Mo-Fr 09:00-18:00',
        address: { line1: '2 rue de la Mairie', postalCode: '16600', city: 'Ruelle-sur-Touvre' },
      },
    });
    expect(
      (await call(`${qualificationUrl}/invitations`, { method: 'POST', body: { placeId: ruelle } })).body.code,
    ).toBe('invitation_open');
    const id = invited.body.id;
    // The directory row gives everything the application needs: nothing to add.
    const applied = await call(`${qualificationUrl}/invitations/${id}/application`, { method: 'POST', body: {} });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ id: ruelle, name: 'Médiathèque de Ruelle', status: 'applied' });
    expect((await call(`${qualificationUrl}/invitations/${id}`)).body.status).toBe('applied');
    await call(`${qualificationUrl}/places/${ruelle}/questionnaire`, {
      method: 'POST',
      body: await bestAnswers(qualificationUrl),
    });
    await call(`${qualificationUrl}/places/${ruelle}/charter`, {
      method: 'POST',
      body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Camille Martin' },
    });
    expect(
      (await call(`${qualificationUrl}/places/${ruelle}/decision`, { method: 'POST', body: { decision: 'qualified' } }))
        .status,
    ).toBe(200);
    expect((await call(`${qualificationUrl}/invitations/${id}`)).body.status).toBe('qualified');
    const trail = (await call(`${qualificationUrl}/places/${ruelle}/audit`)).body as {
      entity: string;
      fromStatus: string | null;
      toStatus: string | null;
    }[];
    expect(trail.filter((a) => a.entity === 'invitation').map((a) => [a.fromStatus, a.toStatus])).toEqual([
      [null, 'invited'],
      ['invited', 'applied'],
      ['applied', 'qualified'],
    ]);
    // Qualified now: no longer a prospect, and not invited again.
    await eventually(
      async () => (await call(`${catalogueUrl}/places/${ruelle}`)).body.status,
      (s) => s === 'qualified',
    );
    expect(
      (await call(`${qualificationUrl}/invitations`, { method: 'POST', body: { placeId: ruelle } })).body.code,
    ).toBe('already_qualified');
  });

  test('what the directory lacks is asked for; a declined invitation is closed, with its reason', async () => {
    const invited = (await call(`${qualificationUrl}/invitations`, { method: 'POST', body: { placeId: gond } })).body;
    expect(invited.prefill.siret).toBeUndefined();
    const incomplete = await call(`${qualificationUrl}/invitations/${invited.id}/application`, {
      method: 'POST',
      body: {},
    });
    expect(incomplete).toMatchObject({
      status: 422,
      body: { code: 'application_incomplete', message: expect.stringContaining('Candidature incomplète') },
    });
    expect((await call(`${qualificationUrl}/invitations/${invited.id}`)).body.status).toBe('invited');
    const declined = await call(`${qualificationUrl}/invitations/${invited.id}/decline`, {
      method: 'POST',
      body: { reason: 'Le lieu ne souhaite pas adhérer' },
    });
    expect(declined.body).toMatchObject({ status: 'declined', reason: 'Le lieu ne souhaite pas adhérer' });
    expect(
      (
        await call(`${qualificationUrl}/invitations/${invited.id}/application`, {
          method: 'POST',
          body: { siret: '44306184100047', openingHours: 'Mo 09:00-12:00' },
        })
      ).body.code,
    ).toBe('invalid_transition');
    expect(
      (await call(`${qualificationUrl}/invitations`, { method: 'POST', body: { placeId: randomUUID() } })).status,
    ).toBe(404);
    expect((await call(`${qualificationUrl}/invitations?status=declined`)).body).toHaveLength(1);
    // Newest first, a page at a time: the declined one, then the qualified one.
    const pages = await Promise.all(
      [0, 1, 2].map(async (offset) => (await call(`${qualificationUrl}/invitations?limit=1&offset=${offset}`)).body),
    );
    expect(pages.map((p) => p.map((i: { status: string }) => i.status))).toEqual([['declined'], ['qualified'], []]);
    expect((await call(`${qualificationUrl}/invitations?limit=0`)).body.code).toBe('invalid_querystring');
  });
});
