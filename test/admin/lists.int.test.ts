/**
 * Staff find things: list routes with their filters and pages (funders, orders by status, places
 * by status, kiosks); a funder's token lists its own orders only.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ordering } from '@aptic/ordering';
import { qualification } from '@aptic/qualification';
import type { RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, startDistributed } from '../support/platform.ts';
import { validSiret } from '../support/siret.ts';
import { validPlace } from '../qualification/support.ts';

let infra: Isolated;
let node: RunningPlatform;
const url = (name: string) => node.services.find((s) => s.name === name)!.url;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [qualification, ordering]);
});
afterAll(async () => {
  await node?.stop();
  await infra?.cleanup();
});

const ids = (r: { body: { id: string }[] }) => r.body.map((x) => x.id);

test('funders by name, in name order, a page at a time', async () => {
  const names = ['Ville de Cognac', 'CCAS d’Angoulême', 'Fondation Numérique pour tous'];
  const created: string[] = [];
  for (const [i, name] of names.entries()) {
    const funder = await call(`${url('ordering')}/funders`, {
      method: 'POST',
      body: { name, kind: 'collectivite', siret: validSiret(500 + i) },
    });
    created.push(funder.body.id);
  }
  const all = await call(`${url('ordering')}/funders`);
  expect(all.body.map((f: { name: string }) => f.name)).toEqual([...names].sort((a, b) => a.localeCompare(b, 'fr')));
  const first = await call(`${url('ordering')}/funders?limit=2`);
  const second = await call(`${url('ordering')}/funders?limit=2&offset=2`);
  expect([...ids(first), ...ids(second)]).toEqual(ids(all));
  expect(ids(await call(`${url('ordering')}/funders?name=cognac`))).toEqual([created[0]]);
  expect(ids(await call(`${url('ordering')}/funders?name=%25`))).toEqual([]); // a LIKE wildcard is a plain character
  expect(ids(await call(`${url('ordering')}/funders?siret=${validSiret(501)}`))).toEqual([created[1]]);
  const bad = await call(`${url('ordering')}/funders?limit=0`);
  expect(bad.status).toBe(400);
});

test('orders by status and funder; a funder token sees its own only', async () => {
  const funder = async (n: number) =>
    (
      await call(`${url('ordering')}/funders`, {
        method: 'POST',
        body: { name: `Commanditaire ${n}`, kind: 'foundation', siret: validSiret(600 + n) },
      })
    ).body.id as string;
  const [a, b] = [await funder(1), await funder(2)];
  const quote = async (funderId: string) =>
    (
      await call(`${url('ordering')}/quotes`, {
        method: 'POST',
        body: { funderId, offer: 'standard', carnetSize: 10, carnets: 150, options: [] },
      })
    ).body.id as string;
  const ofA = [await quote(a), await quote(a)];
  const ofB = await quote(b);
  expect(ids(await call(`${url('ordering')}/orders?status=quoted&funderId=${a}`))).toEqual([...ofA].reverse()); // newest first
  expect(ids(await call(`${url('ordering')}/orders?status=paid&funderId=${a}`))).toEqual([]);
  expect((await call(`${url('ordering')}/orders?status=shipped`)).body.code).toBe('invalid_querystring');

  const token = (
    await call(`${url('ordering')}/admin/tokens`, { method: 'POST', body: { name: 'B', role: 'funder', funderId: b } })
  ).body.token as string;
  expect(ids(await call(`${url('ordering')}/orders`, { token }))).toEqual([ofB]);
  expect(ids(await call(`${url('ordering')}/orders?funderId=${a}`, { token }))).toEqual([ofB]);
  expect((await call(`${url('ordering')}/funders`, { token })).status).toBe(403);
});

test('places by status a page at a time, and kiosks by place', async () => {
  const created: string[] = [];
  for (let i = 0; i < 3; i++) {
    const place = await call(`${url('qualification')}/places`, {
      method: 'POST',
      body: validPlace(validSiret(700 + i), { name: `Lieu ${i}` }),
    });
    created.push(place.body.id);
  }
  const pages = [
    await call(`${url('qualification')}/places?status=applied&limit=2`),
    await call(`${url('qualification')}/places?status=applied&limit=2&offset=2`),
  ];
  expect(pages.map((p) => p.body.length)).toEqual([2, 1]);
  expect(pages.flatMap(ids).sort()).toEqual([...created].sort());
  expect(ids(await call(`${url('qualification')}/places?status=qualified`))).toEqual([]);
  expect(ids(await call(`${url('qualification')}/kiosks?placeId=${created[0]}&status=active`))).toEqual([]);
  expect((await call(`${url('qualification')}/kiosks?status=lost`)).status).toBe(400);
});
