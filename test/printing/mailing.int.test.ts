import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { printing } from '@aptic/printing';
import { catalogue } from '@aptic/catalogue';
import { isolate, type Isolated } from '../support/infra.ts';
import { ADMIN_TOKEN, call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher, testEvent as event } from '../support/events.ts';
import { pdfText } from '../support/pdf.ts';

let infra: Isolated;
let printingNode: RunningPlatform;
let catalogueNode: RunningPlatform;
let url: string;
const year = new Date().getFullYear();
const rules = {
  validFrom: `${year}-01-01`,
  validUntil: `${year}-12-31`,
  perimeter: { communes: [], epcis: [], departements: ['16'] },
  resolvedCommunes: [],
  placeTypes: [],
  serviceCategories: [],
  publics: [],
};
const plus = event('order.paid', {
  orderId: randomUUID(),
  funderId: randomUUID(),
  funderName: 'CCAS d’Angoulême',
  offer: 'plus',
  carnetSize: 5,
  carnets: 3,
  faceValueCents: 15_000,
  options: [],
  rules,
});
const standard = event('order.paid', {
  orderId: randomUUID(),
  funderId: randomUUID(),
  funderName: 'Mairie de Ruelle',
  offer: 'standard',
  carnetSize: 10,
  carnets: 1,
  faceValueCents: 10_000,
  options: [],
  rules,
});

const upload = (orderId: string, lines: string[]) =>
  fetch(`${url}/orders/${orderId}/mailings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
    body: ['nom;adresse;complement;code_postal;ville;code_insee', ...lines].join('\n'),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
const recipientsRows = () =>
  queryRows<{ name: string | null; carnet_number: number }>(
    printingNode.database.db,
    sql`SELECT name, carnet_number FROM printing.mailing_recipient ORDER BY line`,
  );

beforeAll(async () => {
  infra = await isolate();
  printingNode = await startDistributed(infra, [printing]);
  catalogueNode = await startDistributed(infra, [catalogue]);
  url = printingNode.services[0]!.url;
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  const places = [
    event('place.qualified', {
      placeId: randomUUID(),
      name: 'Espace numérique de Basseau',
      type: 'espace_public_numerique',
      communeCode: '16015',
      departementCode: '16',
      latitude: 45.65,
      longitude: 0.15,
      openingHours: 'Mo-Fr 09:00-18:00',
    }),
    event('place.qualified', {
      placeId: randomUUID(),
      name: 'Médiathèque Alpha',
      type: 'bibliotheque',
      communeCode: '16015',
      departementCode: '16',
      latitude: 45.655,
      longitude: 0.162,
      openingHours: 'Tu-Sa 10:00-18:00',
    }),
  ];
  for (const e of [plus, standard, ...places]) await publisher.publish(e, { msgID: e.id });
  await publisher.close();
  await eventually(
    () => call(`${url}/orders/${plus.data.orderId}`),
    (r) => r.body?.passes === 15,
  );
  await eventually(
    () => call(`${url}/orders/${standard.data.orderId}`),
    (r) => r.body?.passes === 10,
  );
});
afterAll(async () => {
  await catalogueNode?.stop();
  await printingNode?.stop();
  await infra?.cleanup();
});

test('addresses → one carnet each → cover letters with the nearest places and a mailing list → sent: addresses erased', async () => {
  // A file with broken lines is refused whole, every problem listed.
  const refused = await upload(plus.data.orderId, [
    'Camille Martin;12 rue de Basseau;;16000;Angoulême;16015',
    'Sans Code;1 rue;;160;Angoulême;16015',
    'Ailleurs;2 rue;;16000;Angoulême;99999',
  ]);
  expect(refused).toMatchObject({ status: 422, body: { code: 'invalid_addresses' } });
  expect(refused.body.message).toContain('ligne 3 (code_postal)');
  expect(refused.body.message).toContain('ligne 4 (code_insee)');
  expect(await recipientsRows()).toEqual([]);
  expect((await upload(standard.data.orderId, ['A;1 rue;;16000;Angoulême;16015'])).body.code).toBe(
    'distribution_requires_plus',
  );
  expect(
    (
      await upload(plus.data.orderId, [
        'A;1 rue;;16000;Angoulême;16015',
        'B;2 rue;;16000;Angoulême;16015',
        'C;3 rue;;16000;Angoulême;16015',
        'D;4 rue;;16000;Angoulême;16015',
      ])
    ).body.code,
  ).toBe('not_enough_carnets');

  const mailing = await upload(plus.data.orderId, [
    'Camille Martin;12 rue de Basseau;Bât. B;16000;Angoulême;16015',
    'Jean Dupont;3 place du Minage;=HYPERLINK("http://x");16000;Angoulême;16015',
  ]);
  expect(mailing).toMatchObject({ status: 201, body: { status: 'draft', recipients: 2 } });
  const rows = await recipientsRows();
  expect(rows.map((r) => r.name)).toEqual(['Camille Martin', 'Jean Dupont']);

  const letters = await fetch(`${url}/mailings/${mailing.body.id}/letters.pdf`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (letters.status !== 200) throw new Error(await letters.text());
  const text = await pdfText(Buffer.from(await letters.arrayBuffer()));
  expect(text).toContain('Camille Martin');
  expect(text).toContain(`carnet n° ${String(rows[0]!.carnet_number).padStart(7, '0')}`);
  expect(text).toContain("CCAS d'Angoulême");
  expect(text).toContain('Espace numérique de Basseau');
  const list = await (
    await fetch(`${url}/mailings/${mailing.body.id}/list.csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).text();
  expect(list.trimEnd().split('\r\n')).toHaveLength(3);
  expect(list).toContain('Jean Dupont');
  // A cell a spreadsheet would run as a formula is neutralised.
  expect(list).toContain(`"'=HYPERLINK(""http://x"")"`);

  // A print partner sees the mailings of the orders whose print job it was assigned, and no other.
  const partner = (
    await call(`${url}/admin/tokens`, {
      method: 'POST',
      body: { name: 'imprimeur', role: 'print-partner', printPartnerId: randomUUID() },
    })
  ).body.token;
  for (const path of ['letters.pdf', 'list.csv'])
    expect((await call(`${url}/mailings/${mailing.body.id}/${path}`, { token: partner })).status).toBe(404);
  expect((await call(`${url}/mailings/${mailing.body.id}/sent`, { method: 'POST', token: partner })).status).toBe(404);

  expect((await call(`${url}/mailings/${mailing.body.id}/sent`, { method: 'POST' })).body.status).toBe('sent');
  expect((await recipientsRows()).map((r) => r.name)).toEqual([null, null]);
  const [purge] = await queryRows<{ details: { addressesPurged: number } }>(
    printingNode.database.db,
    sql`SELECT details FROM printing.audit WHERE action = 'mailing:sent-and-purged'`,
  );
  expect(purge!.details.addressesPurged).toBe(2);
  expect((await call(`${url}/mailings/${mailing.body.id}/list.csv`)).body.code).toBe('mailing_already_sent');
  expect((await call(`${url}/mailings/${mailing.body.id}/sent`, { method: 'POST' })).body.code).toBe(
    'mailing_already_sent',
  );
});
