/**
 * The journey: a funder's money reaching a place through a scanned pass, every service its own
 * broker node over NATS (operator mode, as in production with kiosk credentials), real PostgreSQL,
 * the real kiosk agent; then the month's close, the place's payout (SEPA file) and its statement.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { carnetBarcode, parseBarcode, passCode } from '@aptic/contracts';
import {
  businessDate,
  queryRows,
  readConfig,
  startPlatform,
  type RunningPlatform,
  type ServiceDefinition,
} from '@aptic/runtime';
import { ordering } from '@aptic/ordering';
import { printing } from '@aptic/printing';
import { qualificationService } from '@aptic/qualification';
import { catalogue } from '@aptic/catalogue';
import { redemption } from '@aptic/redemption';
import { settlementService } from '@aptic/settlement';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { spawnAgent } from '../support/agent-process.ts';
import { startOperatorServer, type OperatorServer } from '../support/nats-operator.ts';
import { ADMIN_TOKEN, TEST_PASS_CODE_KEY, call, eventually, testEnv } from '../support/platform.ts';
import { fetchPdf, readPdf } from '../support/pdf.ts';
import { assertValidPain001 } from '../support/iso20022.ts';
import { decodeBarcodes, offerOnceQualified } from '../catalogue/support.ts';
import { funderDashboard, staffDashboard } from '@aptic/dashboards';
import { allVariables, loginAs, panelQueries, runPanel } from '../analytics/panels.ts';
import { bestAnswers, validPlace } from '../qualification/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'aptic-journey-'));
let infra: Isolated;
let server: OperatorServer;
const nodes: Record<string, RunningPlatform> = {};
const url = (service: string) => nodes[service]!.services[0]!.url;
/** Settlement's clock: moved past this month's grace window to close it. */
let clock = new Date();

beforeAll(async () => {
  infra = await isolate();
  server = await startOperatorServer();
  const creds = join(dir, 'platform.creds');
  writeFileSync(creds, server.platformCreds, { mode: 0o600 });
  const kioskEnv = {
    NATS_ACCOUNT_SIGNING_SEED: server.accountSigningSeed,
    NATS_ACCOUNT_PUBLIC_KEY: server.accountPublicKey,
    KIOSK_NATS_URL: server.url,
    KIOSK_NATS_CREDS_FILE: creds,
  };
  const services: ServiceDefinition[] = [
    ordering,
    printing,
    qualificationService(kioskEnv),
    catalogue,
    redemption,
    settlementService({ now: () => clock }),
    analytics,
  ];
  const config = readConfig(testEnv(infra, { NATS_URL: server.url, NATS_CREDS: creds }));
  // Each service its own broker node: they meet only through NATS.
  for (const s of services) nodes[s.name] = await startPlatform([s], config);
}, 120_000);
afterAll(async () => {
  for (const node of Object.values(nodes)) await node.stop();
  await server?.stop();
  await infra?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('funder → quote → payment → passes → prescripteur hand-out → qualified place → kiosk scans → figures → month close → payout → statement', async () => {
  // The funder orders the seed's reference quote and pays the face value.
  const funder = await call(`${url('ordering')}/funders`, {
    method: 'POST',
    body: {
      name: 'Communauté d’agglomération du Grand Angoulême',
      kind: 'collectivite',
      siret: '73282932000074',
      publicProcurement: true,
      billingAddress: { line1: '25 boulevard Besson Bey', postalCode: '16000', city: 'Angoulême' },
    },
  });
  const quote = await call(`${url('ordering')}/quotes`, {
    method: 'POST',
    body: {
      funderId: funder.body.id,
      offer: 'plus',
      carnetSize: 10,
      carnets: 200,
      options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
      rules: { perimeter: { departements: ['16'] }, activation: 'hand_out' },
    },
  });
  expect(quote.body.totalExclVatCents).toBe(2_545_000);
  const orderId: string = quote.body.id;
  expect(
    (
      await call(`${url('ordering')}/quotes/${orderId}/acceptance/purchase-order`, {
        method: 'POST',
        body: { reference: 'BC-2026-0001' },
      })
    ).body.status,
  ).toBe('invoiced');
  const paid = await call(`${url('ordering')}/orders/${orderId}/payments`, {
    method: 'POST',
    body: { amountCents: 2_000_000, receivedOn: quote.body.issuedOn, reference: 'VIR-JOURNEY' },
  });
  expect(paid.body.status).toBe('paid');

  // Printing issues the 2,000 passes; the funder approves the proof; printed, shipped, delivered.
  const issued = await eventually(
    () => call(`${url('printing')}/orders/${orderId}`),
    (r) => r.body?.passes === 2_000,
    30_000,
  );
  expect(issued.body.carnets).toBe(200);
  const funderToken = (
    await call(`${url('analytics')}/admin/tokens`, {
      method: 'POST',
      body: { name: 'Grand Angoulême', role: 'funder', funderId: funder.body.id },
    })
  ).body.token;
  // The order bought logos on passes and cover: they are uploaded before the proof.
  for (const slot of ['pass', 'cover'])
    await fetch(`${url('printing')}/orders/${orderId}/logos/${slot}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/svg+xml' },
      body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 2"><rect width="4" height="2" fill="#c33"/></svg>',
    });
  const proof = (await call(`${url('printing')}/orders/${orderId}/proofs`, { method: 'POST' })).body;
  const job = (
    await call(`${url('printing')}/proofs/${proof.id}/approval`, { method: 'POST', body: {}, token: funderToken })
  ).body.job;
  // The print-ready file of the 200 carnets is rendered; the print partner downloads it, checksum included.
  await eventually(
    () => call(`${url('printing')}/print-jobs/${job.id}/progress`),
    (p) => p.body?.status === 'ready',
    120_000,
  );
  const file = await fetch(`${url('printing')}/print-jobs/${job.id}/pdf`, {
    headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789' },
  });
  const pdf = Buffer.from(await file.arrayBuffer());
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(createHash('sha256').update(pdf).digest('hex')).toBe(file.headers.get('x-checksum-sha256'));
  await call(`${url('printing')}/print-jobs/${job.id}/printed`, { method: 'POST', body: {} });
  await call(`${url('printing')}/print-jobs/${job.id}/shipped`, {
    method: 'POST',
    body: { carrier: 'La Poste', tracking: '6A0001', deliveryPoint: 'Hôtel de ville d’Angoulême' },
  });
  expect(
    (await call(`${url('printing')}/print-jobs/${job.id}/delivered`, { method: 'POST', body: {} })).body.status,
  ).toBe('delivered');
  const printed = (await call(`${url('printing')}/orders/${orderId}`)).body;
  // Activated at hand-out: the delivered box is worthless until a prescripteur hands carnets out.
  expect(printed.releasedCarnets).toBe(0);

  // The CCAS hands three carnets of its stock out, each scanned from its cover.
  const ccas = await call(`${url('printing')}/prescribers`, {
    method: 'POST',
    body: {
      name: 'CCAS d’Angoulême',
      siret: '26160001900010',
      communeCode: '16015',
      contactName: 'Accueil social',
      contactEmail: 'accueil@ccas.example',
    },
  });
  expect(ccas.status).toBe(201);
  const ccasToken = (
    await call(`${url('printing')}/admin/tokens`, {
      method: 'POST',
      body: { name: 'CCAS accueil', role: 'prescriber', prescriberId: ccas.body.id },
    })
  ).body.token;
  await call(`${url('printing')}/prescribers/${ccas.body.id}/allocations`, {
    method: 'POST',
    body: { orderId, firstCarnet: printed.firstCarnet, lastCarnet: printed.firstCarnet + 19 },
  });
  for (const index of [0, 1, 2]) {
    const handedOut = await call(`${url('printing')}/prescribers/${ccas.body.id}/hand-outs`, {
      method: 'POST',
      token: ccasToken,
      body: { orderId, carnet: carnetBarcode(printed.firstCarnet + index), communeCode: '16015' },
    });
    expect(handedOut.status).toBe(201);
  }

  // A place is qualified, subscribes the kit, publishes an offer and registers a kiosk.
  const placeId: string = (
    await call(`${url('qualification')}/places`, { method: 'POST', body: validPlace('44306184100047') })
  ).body.id;
  await call(`${url('qualification')}/places/${placeId}/questionnaire`, {
    method: 'POST',
    body: await bestAnswers(url('qualification')),
  });
  await call(`${url('qualification')}/places/${placeId}/charter`, {
    method: 'POST',
    body: { version: '2025-01', signedOn: '2026-01-05', signerName: 'Camille Martin' },
  });
  expect(
    (
      await call(`${url('qualification')}/places/${placeId}/decision`, {
        method: 'POST',
        body: { decision: 'qualified' },
      })
    ).status,
  ).toBe(200);
  expect(
    (await call(`${url('qualification')}/places/${placeId}/kit`, { method: 'POST', body: { plan: 'monthly' } })).status,
  ).toBe(201);
  const offer = await offerOnceQualified(url('catalogue'), placeId);
  const kiosk = (
    await call(`${url('qualification')}/places/${placeId}/kiosks`, { method: 'POST', body: { name: 'Borne accueil' } })
  ).body as { id: string; creds: string };
  writeFileSync(join(dir, 'kiosk.creds'), kiosk.creds, { mode: 0o600 });

  // The mediator takes the service barcode from the place's service sheet.
  const sheet = await fetchPdf(`${url('catalogue')}/places/${placeId}/service-sheet.pdf`);
  const service = (await decodeBarcodes(sheet.pdf)).find((c) => {
    const b = parseBarcode(c);
    return b.kind === 'service' && b.offerId === offer.body.id;
  })!;
  expect(service).toBeDefined();

  // Redemption knows everything it needs before the kiosk scans.
  const r = nodes.redemption!.database.db;
  await eventually(
    async () =>
      (
        await queryRows<{ ok: boolean }>(
          r,
          sql`SELECT
      (SELECT qualified AND kit_active FROM redemption.place WHERE place_id = ${placeId}) AND
      EXISTS (SELECT 1 FROM redemption.offer WHERE offer_id = ${offer.body.id}) AND
      EXISTS (SELECT 1 FROM redemption.kiosk WHERE kiosk_id = ${kiosk.id}) AND
      (SELECT count(*) FROM redemption.carnet_release WHERE order_id = ${orderId}) = 3 AND
      (SELECT count(*) FROM redemption.pass WHERE order_id = ${orderId}) = 2000 AS ok`,
        )
      )[0]?.ok,
    (ok) => ok === true,
    30_000,
  );

  // The real kiosk agent, with its own credential: three passes of three carnets, then a second of the first carnet.
  // The codes printed on the carnets (no route gives them: they are made from the key, only in the print file).
  const byCarnet = (index: number, position: number) =>
    passCode(TEST_PASS_CODE_KEY, printed.firstCarnet + index, position);
  const passes = [byCarnet(0, 1), byCarnet(1, 1), byCarnet(2, 1), byCarnet(0, 2)];
  const agent = spawnAgent({
    AGENT_KIOSK_ID: kiosk.id,
    AGENT_CREDS: join(dir, 'kiosk.creds'),
    AGENT_NATS_URL: server.url,
    AGENT_NATS_PREFIX: infra.prefix,
    AGENT_JOURNAL: join(dir, 'journal.db'),
  });
  try {
    agent.scan(service, ...passes);
    const verdicts = await eventually(
      async () => agent.screen.filter((l) => /^(✔ Pass accepté|✘ Pass refusé)/.test(l)),
      (l) => l.length === 4,
      30_000,
    );
    expect(verdicts.filter((l) => l.includes('accepté'))).toHaveLength(3);
    // In scan order; the fourth is a second pass of the first carnet.
    expect(verdicts.at(-1)).toMatch(/^✘ Pass refusé — Un seul pass d’un même carnet par service/);
  } finally {
    await agent.stop();
  }

  // The funder's figures, read back through the admin endpoints with the funder's own token.
  const figures = await eventually(
    () => call(`${url('analytics')}/funders/${funder.body.id}/figures`, { token: funderToken }),
    (f) => f.body?.totals?.passesRedeemed === 3,
    30_000,
  );
  expect(figures.body.totals).toEqual({
    carnetsIssued: 200,
    passesIssued: 2_000,
    carnetsReleased: 3,
    carnetsHandedOut: 3,
    carnetsRenewed: 0,
    carnetsStarted: 3,
    passesRedeemed: 3,
  });
  expect(
    (
      await eventually(
        () => call(`${url('ordering')}/orders/${orderId}`, { token: funderToken }),
        (o) => o.body?.redeemedPasses === 3,
      )
    ).body.status,
  ).toBe('paid');

  // The month closes once its grace window has passed: settlement's clock is moved there.
  const s = url('settlement');
  const financeToken = (
    await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'comptable', role: 'finance' } })
  ).body.token;
  const money = () => call(`${s}/funders/${funder.body.id}/money`, { token: financeToken });
  await eventually(money, (m) => m.body?.passesRedeemed === 3, 30_000);
  // The kit is billed from the first scan (qualification's kit.activated): in this month's close.
  await eventually(
    async () =>
      (
        await queryRows<{ n: number }>(
          nodes.settlement!.database.db,
          sql`SELECT count(*)::int AS n FROM settlement.kit WHERE place_id = ${placeId}`,
        )
      )[0]!.n,
    (n) => n === 1,
  );
  const month = businessDate().slice(0, 7);
  const next = month.endsWith('-12')
    ? `${Number(month.slice(0, 4)) + 1}-01`
    : `${month.slice(0, 5)}${String(Number(month.slice(5)) + 1).padStart(2, '0')}`;
  clock = new Date(`${next}-06T08:00:00Z`);
  const closed = await call(`${s}/periods/${month}/close`, { method: 'POST', token: financeToken });
  // 3 passes: 30,00 € − 4 % (1,20 €) − kit 8,40 € TTC = 20,40 €.
  expect(closed.body).toMatchObject({
    month,
    places: 1,
    passCount: 3,
    grossCents: 3_000,
    feeCents: 120,
    kitCents: 840,
    netCents: 2_040,
  });
  const run = await call(`${s}/payout-runs`, { method: 'POST', token: financeToken });
  expect(run.body).toMatchObject({ transferCount: 1, controlSumCents: 2_040, heldCount: 0 });
  const xml = await (
    await fetch(`${s}/payout-runs/${run.body.id}/sepa.xml`, { headers: { authorization: `Bearer ${financeToken}` } })
  ).text();
  assertValidPain001(xml);
  expect(xml).toContain('<IBAN>FR7630006000011234567890189</IBAN>');
  expect(xml).toContain(`<Ustrd>Pass #APTIC ${month} — 3 pass</Ustrd>`);
  const payout = (await call(`${s}/places/${placeId}/payouts`, { token: financeToken })).body[0];
  expect(
    (
      await call(`${s}/payouts/${payout.id}/execution`, {
        method: 'POST',
        token: financeToken,
        body: { executedOn: `${next}-07`, amountCents: 2_040 },
      })
    ).body.status,
  ).toBe('executed');
  // The place reads its statement with its own token.
  const placeToken = (
    await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'Espace numérique', role: 'place', placeId } })
  ).body.token;
  const statement = await fetch(`${s}/places/${placeId}/statements/${month}/statement.pdf`, {
    headers: { authorization: `Bearer ${placeToken}` },
  });
  const text = (await readPdf(Buffer.from(await statement.arrayBuffer()))).text;
  expect(text).toMatch(/Valeur faciale \(3 pass\)\s+30,00 €/);
  expect(text).toMatch(/Net à verser\s+20,40 €/);
  expect(text).toContain('exécuté');
  expect((await money()).body).toMatchObject({
    passesIssued: 2_000,
    passesReleased: 30,
    passesRedeemed: 3,
    heldCents: 2_000_000 - 3_000,
  });
  const check = await call(`${s}/ledger/check`, { token: financeToken });
  expect(check.body).toMatchObject({ ok: true, violations: [] });

  // Last, the funder's dashboard as its Grafana datasource reads it: its own PostgreSQL role, each
  // panel's SQL expanded as Grafana does; and the staff's refused scans through the staff role.
  const a = url('analytics');
  const funderRole = (await call(`${a}/reporting-roles`, { method: 'POST', body: { funderId: funder.body.id } })).body;
  const staffRole = (await call(`${a}/reporting-roles/staff`, { method: 'POST' })).body;
  const asFunder = await loginAs(infra.databaseUrl, funderRole.role, funderRole.password);
  const asStaff = await loginAs(infra.databaseUrl, staffRole.role, staffRole.password);
  try {
    const panels = panelQueries(funderDashboard().build());
    const today = {
      from: new Date(Date.now() - 86_400_000),
      to: new Date(Date.now() + 86_400_000),
      intervalMs: 3_600_000,
      variables: allVariables,
    };
    const panel = (title: string) => runPanel(asFunder, panels.get(title)!, today);
    expect(await panel('Pass émis')).toEqual([[2_000]]);
    expect(await panel('Pass remis')).toEqual([[30]]);
    expect(await panel('Pass utilisés')).toEqual([[3]]);
    expect(await panel('Carnets entamés')).toEqual([[3, 200]]);
    expect(await panel('Montant utilisé et en réserve')).toEqual([[30, 19_970]]);
    expect((await panel('Par lieu')).map((row) => row[3])).toEqual([3]);
    const refused = () =>
      runPanel(asStaff, panelQueries(staffDashboard().build()).get('Scans refusés par motif')!, today);
    expect(await eventually(refused, (rows) => rows.length > 0)).toEqual([['same_carnet_same_service', 1]]);
  } finally {
    await asFunder.end();
    await asStaff.end();
    for (const role of [funderRole.role, staffRole.role])
      await nodes.analytics!.database.db.execute(sql.raw(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`));
  }
}, 240_000);
