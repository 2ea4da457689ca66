import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openPglite, type Database } from '@aptic/runtime';
import { PNG_LOGO, SVG_LOGO, printJob } from '../documents/fixtures.ts';
import { carnetsHtml, validatePrintJob } from '../documents/carnet-html.ts';
import { logosOf, uploadLogo } from './logos.ts';
import { printOrders } from './schema.ts';

let dir: string;
let database: Database;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aptic-logos-'));
  database = await openPglite(dir);
  await database.migrate('printing', fileURLToPath(new URL('./migrations', import.meta.url)));
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

test('embedded mode (PGlite, whose bytea is a Uint8Array): the stored logos are printed', async () => {
  const orderId = randomUUID();
  const rules = {
    validFrom: '2027-01-01',
    validUntil: '2027-12-31',
    perimeter: { communes: [], epcis: [], departements: [] },
    resolvedCommunes: [],
    placeTypes: [],
    serviceCategories: [],
    publics: [],
  };
  await database.db.insert(printOrders).values({
    orderId,
    funderId: randomUUID(),
    funderName: 'Commune',
    offer: 'plus',
    carnetSize: 10,
    carnets: 1,
    options: ['logo_pass', 'logo_cover'],
    rules,
    issuedAt: new Date(),
  });
  await database.db.transaction(async (tx) => {
    await uploadLogo(tx, orderId, 'pass', 'image/png', PNG_LOGO, 'test');
    await uploadLogo(tx, orderId, 'cover', 'image/svg+xml', SVG_LOGO, 'test');
  });
  const logos = await logosOf(database.db, orderId);
  expect(Buffer.isBuffer(logos.pass!.data) && logos.pass!.data.equals(PNG_LOGO)).toBe(true);
  const job = validatePrintJob(printJob(1, 10, 42, { logos }));
  const html = carnetsHtml(job, job.carnets);
  // Set once per document as CSS custom properties (the HTML escapes a base64 '=').
  expect(html).toContain(
    `--pass-logo: url(&quot;data:image/png;base64,${PNG_LOGO.toString('base64').replaceAll('=', '&#x3D;')}&quot;)`,
  );
  expect(html).toContain(
    `--cover-logo: url(&quot;data:image/svg+xml;base64,${SVG_LOGO.toString('base64').replaceAll('=', '&#x3D;')}&quot;)`,
  );
});
