import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import { parseCsv, queryRows, type RunningPlatform } from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { RawPublisher } from '../support/events.ts';
import { eventually, startDistributed } from '../support/platform.ts';

let infra: Isolated;
let node: RunningPlatform;
const url = () => node.services[0]!.url;

const event = (type: string, data: unknown) =>
  ({ id: randomUUID(), type, occurredAt: '2026-11-01T08:00:00.000Z', producer: 'test', data }) as EventEnvelope;
const places = [
  {
    placeId: randomUUID(),
    name: 'EPN Angoulême',
    type: 'espace_public_numerique',
    communeCode: '16015',
    departementCode: '16',
  },
  {
    placeId: randomUUID(),
    name: 'Médiathèque de Cognac',
    type: 'bibliotheque',
    communeCode: '16102',
    departementCode: '16',
  },
  {
    placeId: randomUUID(),
    name: 'Bibliothèque d’Angoulême',
    type: 'bibliotheque',
    communeCode: '16015',
    departementCode: '16',
  },
];
const offers = [
  { offerId: randomUUID(), placeId: places[0]!.placeId, serviceCode: 'aide_demarches_administratives' },
  { offerId: randomUUID(), placeId: places[1]!.placeId, serviceCode: 'aide_demarches_administratives' },
  { offerId: randomUUID(), placeId: places[0]!.placeId, serviceCode: 'loisirs_creations_numeriques' },
  { offerId: randomUUID(), placeId: places[2]!.placeId, serviceCode: 'loisirs_creations_numeriques' },
].map((o) => ({ ...o, categoryCode: o.serviceCode, priceCents: 1_000, group: false }));
// Per offer: passes redeemed in November 2026 (and 5 more in October for the first).
const counts = [25, 12, 3, 14];

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [analytics]);
  const events = [...places.map((p) => event('place.qualified', p)), ...offers.map((o) => event('offer.published', o))];
  const funderId = randomUUID();
  const orderId = randomUUID();
  const redeem = (o: (typeof offers)[number], scannedAt: string) =>
    event('pass.redeemed', {
      redemptionId: randomUUID(),
      passId: randomUUID(),
      orderId,
      funderId,
      placeId: o.placeId,
      kioskId: randomUUID(),
      offerId: o.offerId,
      serviceActId: randomUUID(),
      faceValueCents: 1_000,
      scannedAt,
      lateUpload: false,
    });
  offers.forEach((o, i) => {
    for (let n = 0; n < counts[i]!; n++)
      events.push(redeem(o, `2026-11-${String(1 + (n % 28)).padStart(2, '0')}T10:00:00.000Z`));
  });
  for (let n = 0; n < 5; n++) events.push(redeem(offers[0]!, '2026-10-15T10:00:00.000Z'));
  // 30 November 23:30 UTC is 1 December in Paris: not November's.
  events.push(redeem(offers[1]!, '2026-11-30T23:30:00.000Z'));
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  await publisher.publishMany(events);
  await publisher.close();
  const count = async () =>
    (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM analytics.inbox`))[0]!.n;
  await eventually(count, (n) => n === events.length);
});
afterAll(async () => {
  await node?.stop();
  await infra?.cleanup();
});

const expected = [
  ['2026-11', '16015', 'Angoulême', 'aide_demarches_administratives', 'espace_public_numerique', '25', 'false'],
  // 3 is under 11; 14, the next smallest of the commune, is hidden too, or 42 − 25 − 14 would give the 3 back.
  ['2026-11', '16015', 'Angoulême', 'loisirs_creations_numeriques', 'bibliotheque', '', 'true'],
  ['2026-11', '16015', 'Angoulême', 'loisirs_creations_numeriques', 'espace_public_numerique', '', 'true'],
  ['2026-11', '16015', 'Angoulême', 'ensemble', 'ensemble', '42', 'false'],
  ['2026-11', '16102', 'Cognac', 'aide_demarches_administratives', 'bibliotheque', '12', 'false'],
  ['2026-11', '16102', 'Cognac', 'ensemble', 'ensemble', '12', 'false'],
];

test('the public route serves the month as CSV and JSON under statistical secrecy, with its Table Schema', async () => {
  const csv = await fetch(`${url()}/open-data/redemptions/2026-11.csv`);
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const parsed = parseCsv(await csv.text());
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.rows.map((r) => Object.values(r))).toEqual(expected);
  const json = (await (await fetch(`${url()}/open-data/redemptions/2026-11.json`)).json()) as {
    lignes: Record<string, unknown>[];
  };
  expect(json.lignes.map((r) => r.nombre_pass)).toEqual([25, null, null, 42, 12, 12]);
  const schema = (await (await fetch(`${url()}/open-data/redemptions/schema.json`)).json()) as {
    fields: { name: string }[];
  };
  expect(schema.fields.map((f) => f.name)).toEqual(Object.keys(parsed.rows[0]!));
  expect((await fetch(`${url()}/open-data/redemptions/2026-13.csv`)).status).toBe(400);
});

test('the command writes the same files', () => {
  const out = mkdtempSync(join(tmpdir(), 'aptic-open-data-'));
  const run = spawnSync(process.execPath, ['services/analytics/bin/open-data.ts', '--month', '2026-11', '--out', out], {
    env: { ...process.env, DATABASE_URL: infra.databaseUrl, NATS_URL: infra.natsUrl },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const parsed = parseCsv(readFileSync(join(out, 'aptic-utilisations-2026-11.csv'), 'utf8'));
  expect(parsed.ok && parsed.rows.map((r) => Object.values(r))).toEqual(expected);
  expect(JSON.parse(readFileSync(join(out, 'schema.json'), 'utf8')).primaryKey).toEqual([
    'mois',
    'code_commune',
    'service',
    'type_lieu',
  ]);
  expect(JSON.parse(readFileSync(join(out, 'aptic-utilisations-2026-11.json'), 'utf8')).lignes).toHaveLength(6);
});
