/**
 * Settlement through the events the other services really emit: places qualified (with or without
 * an IBAN, one suspended) by qualification, passes redeemed and cancelled by redemption; orders,
 * passes and offers as ordering, printing and catalogue announce them. Settlement's clock is moved
 * by the test to close this month (M), run the payouts, answer for the bank, then close the next month (N).
 * Every figure is computed by hand below; the ledger check passes after each step.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { passCode, passLookupHash, type EventEnvelope } from '@aptic/contracts';
import { qualification } from '@aptic/qualification';
import { redemption } from '@aptic/redemption';
import { processScan } from '@aptic/redemption/db/scans.ts';
import { settlementService } from '@aptic/settlement';
import { tallyDue } from '../../services/settlement/db/periods.ts';
import { businessDate, queryRows, type RunningPlatform } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { TEST_PASS_LOOKUP_KEY, call, eventually, startDistributed } from '../support/platform.ts';
import { publishEvents, RawPublisher, testEvent as event } from '../support/events.ts';
import { assertValidPain001 } from '../support/iso20022.ts';
import { readPdf } from '../support/pdf.ts';
import { probe, qualifiedPlace, siretFrom } from '../qualification/support.ts';

const KEY = 'test-pass-code-key-not-a-secret-0123456789';
/** This month (the scans are made now, in Paris), the next and the one after: the months the test closes. */
const nextMonth = (m: string) =>
  m.endsWith('-12')
    ? `${Number(m.slice(0, 4)) + 1}-01`
    : `${m.slice(0, 5)}${String(Number(m.slice(5)) + 1).padStart(2, '0')}`;
const M = businessDate().slice(0, 7);
const N = nextMonth(M);
const N2 = nextMonth(N);
let clock = new Date();
let infra: Isolated;
let nodes: RunningPlatform[];
let q: string;
let r: string;
let s: string;
let finance: string;
const orderId = randomUUID();
const funderId = randomUUID();
type Name = 'a' | 'b' | 'noIban' | 'suspended';
const place: Record<Name, string> = { a: '', b: '', noIban: '', suspended: '' };
const offer: Record<Name, string> = { a: randomUUID(), b: randomUUID(), noIban: randomUUID(), suspended: randomUUID() };
const kiosk: Record<Name, string> = { a: randomUUID(), b: randomUUID(), noIban: randomUUID(), suspended: randomUUID() };
let nextCarnet = 1;
// Stands in for analytics and redemption, on a node of its own: what settlement announces.
const listener = probe(['period.closed', 'payout.sent', 'payout.executed', 'payout.rejected', 'payout.held']);
const heard = (type: string) => listener.seen.filter((e) => e.type === type);

beforeAll(async () => {
  infra = await isolate();
  const settlement = settlementService({
    env: { SETTLEMENT_GRACE_DAYS: '5', SETTLEMENT_CLOSE_CHECK_MS: '300' },
    now: () => clock,
  });
  const listening = { ...settlementService(), consumers: () => listener.consumers };
  nodes = await Promise.all(
    [qualification, redemption, settlement, listening].map((d) =>
      startDistributed(infra, [d], { APTIC_PASS_CODE_KEY: KEY }),
    ),
  );
  [q, r, s] = nodes.map((n) => n.services[0]!.url) as [string, string, string];
  finance = (await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'comptable', role: 'finance' } })).body
    .token;
  let n = 0;
  place.a = await qualifiedPlace(q, siretFrom(++n));
  place.b = await qualifiedPlace(q, siretFrom(++n));
  place.noIban = await qualifiedPlace(q, siretFrom(++n), { iban: undefined, bic: undefined });
  place.suspended = await qualifiedPlace(q, siretFrom(++n));
  for (const p of Object.values(place))
    expect((await call(`${q}/places/${p}/kit`, { method: 'POST', body: { plan: 'monthly' } })).status).toBe(201);
  const issued = Array.from({ length: 100 }, (_, i) => ({
    passId: randomUUID(),
    codeHash: passLookupHash(TEST_PASS_LOOKUP_KEY, passCode(KEY, Math.floor(i / 10) + 1, (i % 10) + 1)),
    carnetNumber: Math.floor(i / 10) + 1,
    position: (i % 10) + 1,
  }));
  const rules = {
    validFrom: `${M.slice(0, 4)}-01-01`,
    validUntil: `${Number(M.slice(0, 4)) + 1}-12-31`,
    perimeter: { communes: ['16015'], epcis: [], departements: [] },
    resolvedCommunes: ['16015'],
    placeTypes: [],
    serviceCategories: [],
    publics: [],
  };
  const events: EventEnvelope[] = [
    event('order.paid', {
      orderId,
      funderId,
      funderName: 'Commune de Test',
      offer: 'plus',
      carnetSize: 10,
      carnets: 10,
      faceValueCents: 100_000,
      options: [],
      rules,
    }),
    event('passes.issued', { orderId, funderId, chunk: { index: 0, of: 1 }, passes: issued }),
    event('passes.released', {
      orderId,
      carnetNumbers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      releasedAt: new Date().toISOString(),
    }),
    ...(Object.keys(place) as Name[]).flatMap((k) => [
      event('offer.published', {
        offerId: offer[k],
        placeId: place[k],
        serviceCode: 'aide_demarches_administratives.accompagnement_individuel',
        categoryCode: 'aide_demarches_administratives',
        priceCents: 1_000,
        group: false,
      }),
      event('kiosk.registered', { kioskId: kiosk[k], placeId: place[k] }),
    ]),
  ];
  await publishEvents(infra, events);
  await eventually(
    async () =>
      (
        await queryRows<{ n: number }>(
          nodes[1]!.database.db,
          sql`SELECT (SELECT count(*) FROM redemption.pass) + (SELECT count(*) FROM redemption.offer) + (SELECT count(*) FROM redemption.kiosk) AS n`,
        )
      )[0]!.n,
    (x) => Number(x) === 108,
    30_000,
  );
});
afterAll(async () => {
  for (const n of nodes ?? []) await n.stop();
  await infra?.cleanup();
});

const settlementDb = () => nodes[2]!.database.db;
/** What PostgreSQL answers a direct write (the trigger's message), or 'accepted'. */
const directWrite = (statement: SQL) =>
  settlementDb()
    .execute(statement)
    .then(
      () => 'accepted',
      (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
    );
const fin = (path: string, init: { method?: string; body?: unknown } = {}) =>
  call(`${s}${path}`, { ...init, token: finance });

/** A pass scanned at a place's kiosk (a new service act each time), through redemption. */
async function scan(k: Name, over: { offline?: boolean; scannedAt?: string } = {}): Promise<string> {
  const carnet = nextCarnet++;
  const body = {
    scanId: randomUUID(),
    kioskId: kiosk[k],
    sessionId: randomUUID(),
    offerId: offer[k],
    code: passCode(KEY, carnet, 1),
    scannedAt: over.scannedAt ?? new Date().toISOString(),
    offline: over.offline ?? false,
  };
  // As the kiosk intake judges a scan (distributed mode has no HTTP scan route).
  const verdict = await nodes[1]!.services[0]!.context.transaction((tx, emit) => processScan(tx, emit, body));
  if (verdict.outcome !== 'accepted') throw new Error(`scan denied: ${verdict.message}`);
  return verdict.redemptionId;
}
const booked = async () =>
  (await queryRows<{ n: string }>(settlementDb(), sql`SELECT count(*) AS n FROM settlement.booking`))[0]!.n;
const waitBooked = (n: number) => eventually(booked, (x) => Number(x) === n, 20_000);
async function ledgerOk(): Promise<void> {
  const check = await fin('/ledger/check');
  expect(check.status).toBe(200);
  expect(check.body.violations).toEqual([]);
  expect(check.body.ok).toBe(true);
}
const balance = async (account: string, owner?: string) => {
  const rows = (await fin(`/ledger/balances?account=${account}${owner ? `&owner=${owner}` : ''}`)).body as {
    balanceCents: number;
  }[];
  return rows.reduce((sum, b) => sum + b.balanceCents, 0);
};
const payoutOf = async (k: Name, period: string) =>
  ((await fin(`/payouts?placeId=${place[k]}&period=${period}`)).body as any[])[0];

describe('a month at four places (three paid at once), then the next', () => {
  test('redemptions and a cancellation are booked once, from redemption’s events', async () => {
    await scan('a');
    await scan('a');
    const cancelled = await scan('a');
    await scan('b');
    await scan('b');
    await scan('noIban');
    await scan('suspended');
    await scan('suspended');
    expect(
      (
        await call(`${r}/redemptions/${cancelled}/cancellation`, {
          method: 'POST',
          body: { reason: 'erreur de service' },
        })
      ).status,
    ).toBe(200);
    await waitBooked(9);
    // The money held for the order: 100 passes paid, 8 redeemed, 1 of them cancelled.
    await eventually(
      () => balance('funder_held', orderId),
      (b) => b === -(100_000 - 7 * 1_000),
    );
    expect(await balance('place_payable', place.a)).toBe(-2 * 960);
    expect(await balance('platform_fees')).toBe(-7 * 40);
    expect(await balance('bank')).toBe(100_000);
    await ledgerOk();
    // The daily statement tally sums what is booked so far, line for line as a GROUP BY of the
    // bookings; the close sums what comes after it (the late offline scan below).
    await settlementDb().transaction((tx) => tallyDue(tx));
    const grain = sql`period, place_id, offer_id, scan_day, late`;
    expect(
      await queryRows(
        settlementDb(),
        sql`SELECT ${grain}, pass_count, gross_cents FROM settlement.statement_line ORDER BY ${grain}`,
      ),
    ).toEqual(
      await queryRows(
        settlementDb(),
        sql`SELECT ${grain}, sum(sign)::int AS pass_count, sum(sign * face_value_cents) AS gross_cents FROM settlement.booking GROUP BY ${grain} ORDER BY ${grain}`,
      ),
    );
  });

  test('a redemption announced again under another event id is not booked twice; the ledger refuses edits', async () => {
    const [b] = await queryRows<{ redemption_id: string; place_id: string; offer_id: string }>(
      settlementDb(),
      sql`SELECT redemption_id, place_id, offer_id FROM settlement.booking WHERE sign = 1 LIMIT 1`,
    );
    const again = event('pass.redeemed', {
      redemptionId: b!.redemption_id,
      passId: randomUUID(),
      orderId,
      funderId,
      placeId: b!.place_id,
      kioskId: randomUUID(),
      offerId: b!.offer_id,
      serviceActId: randomUUID(),
      faceValueCents: 1_000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
    });
    await publishEvents(infra, [again]);
    await eventually(
      async () =>
        (
          await queryRows<{ n: number }>(
            settlementDb(),
            sql`SELECT count(*)::int AS n FROM settlement.inbox WHERE event_id = ${again.id}`,
          )
        )[0]!.n,
      (n) => n === 1,
    );
    expect(await booked()).toBe('9');
    for (const statement of [
      sql`UPDATE settlement.ledger_line SET amount_cents = 0`,
      sql`DELETE FROM settlement.ledger_tx`,
      sql`DELETE FROM settlement.booking`,
    ]) {
      expect(await directWrite(statement)).toMatch(/immutable/);
    }
    await ledgerOk();
  });

  test('closing a month not ended, or in its grace window, answers 409 and changes nothing', async () => {
    expect(await fin(`/periods/${M}/close`, { method: 'POST' })).toMatchObject({
      status: 409,
      body: { code: 'month_not_ended' },
    });
    clock = new Date(`${N}-03T10:00:00Z`);
    expect(await fin(`/periods/${M}/close`, { method: 'POST' })).toMatchObject({
      status: 409,
      body: { code: 'grace_window', message: expect.stringContaining(`${N}-06`) },
    });
    expect(await fin(`/periods/${N}/close`, { method: 'POST' })).toMatchObject({
      status: 409,
      body: { code: 'month_not_ended' },
    });
    expect(await fin('/periods/2026-13/close', { method: 'POST' })).toMatchObject({ status: 400 });
    expect((await fin('/periods')).body).toEqual([
      expect.objectContaining({ month: M, status: 'open', closableFrom: `${N}-06` }),
    ]);
    // An offline scan of this month uploaded inside the grace window: still December, not late.
    // Dated now (an offline scan may not predate the kiosk's last online verdict): this month's.
    await scan('b', { offline: true });
    await waitBooked(10);
    await ledgerOk();
  });

  test('this month closes once, even twice at the same time: figures by hand', async () => {
    clock = new Date(`${N}-06T08:00:00Z`);
    const [one, two] = await Promise.all([
      fin(`/periods/${M}/close`, { method: 'POST' }),
      fin(`/periods/${M}/close`, { method: 'POST' }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const { alreadyClosed: _a, ...first } = one.body;
    const { alreadyClosed: _b, ...second } = two.body;
    expect(first).toEqual(second);
    // A: 2 passes (one cancelled) 2,000 − 80 fee − 840 kit = 1,080; B: 3 (one offline) 3,000 − 120 − 840 = 2,040;
    // no IBAN: 1,000 − 40 − 840 = 120; suspended (later): 2,000 − 80 − 840 = 1,080.
    expect(first).toMatchObject({
      month: M,
      places: 4,
      passCount: 8,
      grossCents: 8_000,
      feeCents: 320,
      kitCents: 4 * 840,
      netCents: 1_080 + 2_040 + 120 + 1_080,
    });
    const again = await fin(`/periods/${M}/close`, { method: 'POST' });
    expect(again.body).toMatchObject({ ...first, alreadyClosed: true });
    const places = (await fin(`/periods/${M}/places`)).body as any[];
    expect(places.find((p) => p.placeId === place.b)).toMatchObject({
      passCount: 3,
      latePassCount: 0,
      grossCents: 3_000,
      feeCents: 120,
      territorialFundCents: 30,
      kitCents: 840,
      netCents: 2_040,
    });
    expect((await fin(`/payouts?period=${M}`)).body).toHaveLength(4);
    await eventually(
      async () => heard('period.closed').length,
      (n) => n === 4,
    );
    expect(heard('period.closed').find((e) => (e.data as { placeId: string }).placeId === place.b)!.data).toMatchObject(
      { month: M, passCount: 3, grossCents: 3_000, feeCents: 120, netCents: 2_040 },
    );
    expect(await balance('territorial_fund')).toBe(-80);
    expect(await balance('kit_receivable')).toBe(4 * 840);
    // A closed month stays closed, whatever writes to the table.
    expect(await directWrite(sql`UPDATE settlement.period SET status = 'open' WHERE month = ${M}`)).toMatch(
      /is closed/,
    );
    expect(await directWrite(sql`UPDATE settlement.place_period SET net_cents = 0`)).toMatch(/immutable/);
    expect(await directWrite(sql`UPDATE settlement.statement_line SET pass_count = 0 WHERE period = ${M}`)).toMatch(
      /immutable once it is closed/,
    );
    await ledgerOk();
  });

  test('redemption learns the month is settled: one of its redemptions can no longer be cancelled', async () => {
    const [row] = await queryRows<{ redemption_id: string }>(
      settlementDb(),
      sql`SELECT redemption_id FROM settlement.booking b WHERE place_id = ${place.a} GROUP BY redemption_id HAVING sum(sign) = 1 LIMIT 1`,
    );
    await eventually(
      () =>
        call(`${r}/redemptions/${row!.redemption_id}/cancellation`, { method: 'POST', body: { reason: 'trop tard' } }),
      (x) => x.status === 409 && x.body.code === 'period_settled',
    );
  });

  test('an offline scan of this month uploaded after the close goes to the next, flagged late', async () => {
    await scan('a', { offline: true });
    await waitBooked(11);
    const [late] = await queryRows<{ period: string; late: boolean }>(
      settlementDb(),
      sql`SELECT period, late FROM settlement.booking ORDER BY scan_day DESC, late DESC LIMIT 1`,
    );
    expect(late).toEqual({ period: N, late: true });
    await ledgerOk();
  });

  let runId: string;
  test('the payout run: one SEPA file, valid, control sum = sum; no IBAN and suspended are held with their reason', async () => {
    expect(
      (
        await call(`${q}/places/${place.suspended}/suspension`, {
          method: 'POST',
          body: { reason: 'contrôle qualité' },
        })
      ).status,
    ).toBe(200);
    const run = await fin('/payout-runs', { method: 'POST' });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ transferCount: 2, controlSumCents: 1_080 + 2_040, heldCount: 2 });
    runId = run.body.id;
    const file = await fetch(`${s}/payout-runs/${runId}/sepa.xml`, { headers: { authorization: `Bearer ${finance}` } });
    const xml = await file.text();
    assertValidPain001(xml);
    expect([...xml.matchAll(/<CtrlSum>([0-9.]+)<\/CtrlSum>/g)].map((m) => m[1])).toEqual(['31.20', '31.20']);
    expect(xml).toContain('<InstdAmt Ccy="EUR">10.80</InstdAmt>');
    expect(xml).toContain(`<Ustrd>Pass #APTIC ${M} — 3 pass</Ustrd>`);
    const a = await payoutOf('a', M);
    expect(xml).toContain(`<EndToEndId>${a.id.replaceAll('-', '')}</EndToEndId>`);
    expect(xml).not.toContain('<Nm>Espace numérique de Basseau</Nm><PstlAdr>');
    const again = await (
      await fetch(`${s}/payout-runs/${runId}/sepa.xml`, { headers: { authorization: `Bearer ${finance}` } })
    ).text();
    expect(again).toBe(xml);
    const held = (await fin('/payouts?status=held')).body as any[];
    expect(held.map((p) => [p.placeId, p.holdReason]).sort()).toEqual(
      [
        [place.noIban, 'no_iban'],
        [place.suspended, 'place_suspended'],
      ].sort(),
    );
    expect(held[0].holdMessage).toMatch(/IBAN|suspendue/);
    expect(await balance('payouts_in_transit')).toBe(-(1_080 + 2_040));
    await eventually(
      async () => heard('payout.sent').length + heard('payout.held').length,
      (n) => n === 4,
    );
    expect(JSON.stringify(listener.seen)).not.toContain('FR76');
    await ledgerOk();
  });

  test('the bank’s answers: executed (to the cent), rejected with an ISO code; wrong moves refused', async () => {
    const a = await payoutOf('a', M);
    const b = await payoutOf('b', M);
    expect(
      await fin(`/payouts/${a.id}/execution`, { method: 'POST', body: { executedOn: `${N}-07`, amountCents: 10.8 } }),
    ).toMatchObject({ status: 400 });
    expect(
      await fin(`/payouts/${a.id}/execution`, { method: 'POST', body: { executedOn: `${N}-07`, amountCents: 1_079 } }),
    ).toMatchObject({ status: 422, body: { code: 'amount_mismatch' } });
    expect(
      await fin(`/payouts/${a.id}/execution`, { method: 'POST', body: { executedOn: `${N}-07`, amountCents: 1_080 } }),
    ).toMatchObject({ status: 200, body: { status: 'executed' } });
    expect(
      await fin(`/payouts/${a.id}/execution`, { method: 'POST', body: { executedOn: `${N}-07`, amountCents: 1_080 } }),
    ).toMatchObject({ status: 409, body: { code: 'invalid_payout_transition' } });
    expect(await fin(`/payouts/${b.id}/rejection`, { method: 'POST', body: { reasonCode: 'ZZ99' } })).toMatchObject({
      status: 422,
      body: { code: 'unknown_reason_code' },
    });
    expect(await fin(`/payouts/${b.id}/rejection`, { method: 'POST', body: { reasonCode: 'AC04' } })).toMatchObject({
      status: 200,
      body: { status: 'rejected', rejectionCode: 'AC04', rejectionLabel: 'Compte clôturé' },
    });
    expect(
      await fin(`/payouts/${b.id}/execution`, { method: 'POST', body: { executedOn: `${N}-08`, amountCents: 2_040 } }),
    ).toMatchObject({ status: 409 });
    expect(
      await fin(`/payouts/${randomUUID()}/execution`, {
        method: 'POST',
        body: { executedOn: `${N}-08`, amountCents: 1 },
      }),
    ).toMatchObject({ status: 404 });
    expect(await balance('place_payable', place.b)).toBe(-2_880);
    expect(await balance('bank')).toBe(100_000 - 1_080);
    // Nothing fixed: a run now holds the same three, the rejected one until its bank details change.
    await eventually(
      async () => heard('payout.executed').length + heard('payout.rejected').length,
      (n) => n === 2,
    );
    expect(heard('payout.rejected')[0]!.data).toMatchObject({ placeId: place.b, reasonCode: 'AC04', netCents: 2_040 });
    const idle = await fin('/payout-runs', { method: 'POST' });
    expect(idle.body).toMatchObject({ transferCount: 0, heldCount: 3 });
    expect(await fin(`/payout-runs/${idle.body.id}/sepa.xml`)).toMatchObject({
      status: 404,
      body: { code: 'no_transfer_in_run' },
    });
    await ledgerOk();
  });

  test('the next month closes by the daily job; the next run pays what was held or rejected, once fixed', async () => {
    expect(
      (
        await call(`${q}/places/${place.noIban}`, {
          method: 'PATCH',
          body: { iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'PSSTFRPPXXX' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`${q}/places/${place.b}`, {
          method: 'PATCH',
          body: { iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`${q}/places/${place.suspended}/reinstatement`, {
          method: 'POST',
          body: { reason: 'contrôle levé' },
        })
      ).status,
    ).toBe(200);
    clock = new Date(`${N2}-06T08:00:00Z`);
    await eventually(
      async () => ((await fin('/periods')).body as any[]).find((p) => p.month === N)?.status,
      (st) => st === 'closed',
      10_000,
    );
    // Next month: A has its late pass, 1,000 − 40 − 840 = 120; the others only their kit, −840 each: held, carried.
    const jan = (await fin(`/periods/${N}/places`)).body as any[];
    expect(jan.find((p) => p.placeId === place.a)).toMatchObject({ passCount: 1, latePassCount: 1, netCents: 120 });
    expect(jan.find((p) => p.placeId === place.b)).toMatchObject({ passCount: 0, netCents: -840 });
    expect((await payoutOf('b', N)).holdReason).toBe('net_not_positive');
    const run = await fin('/payout-runs', { method: 'POST' });
    // This month’s B (new IBAN), no-IBAN (now fixed), suspended (reinstated), and next month’s A.
    expect(run.body).toMatchObject({ transferCount: 4, controlSumCents: 2_040 + 120 + 1_080 + 120 });
    const xml = await (
      await fetch(`${s}/payout-runs/${run.body.id}/sepa.xml`, { headers: { authorization: `Bearer ${finance}` } })
    ).text();
    assertValidPain001(xml);
    expect(xml).toContain('<IBAN>DE89370400440532013000</IBAN>');
    expect(xml).toContain(`<Ustrd>Pass #APTIC ${N} — 1 pass</Ustrd>`);
    for (const k of ['b', 'noIban', 'suspended'] as const) expect((await payoutOf(k, M)).status).toBe('sent');
    await ledgerOk();
  });

  test('statements: a place reads its own (JSON, PDF in French, CSV), another place’s answer 404; the funder’s money', async () => {
    const token = async (placeId: string) =>
      (await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'lieu', role: 'place', placeId } })).body
        .token as string;
    const tokenA = await token(place.a);
    const mine = await call(`${s}/places/${place.a}/statements/${M}`, { token: tokenA });
    expect(mine.status).toBe(200);
    expect(mine.body.figures).toEqual({
      passCount: 2,
      latePassCount: 0,
      grossCents: 2_000,
      feeCents: 80,
      kitCents: 840,
      kitSponsored: false,
      carriedCents: 0,
      netCents: 1_080,
    });
    expect(mine.body.payout).toMatchObject({
      status: 'executed',
      date: `${N}-07`,
      endToEndId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(mine.body.lines).toEqual([
      expect.objectContaining({
        passCount: 2,
        grossCents: 2_000,
        late: false,
        categoryCode: 'aide_demarches_administratives',
      }),
    ]);
    for (const path of [
      `/places/${place.b}/statements/${M}`,
      `/places/${place.b}/payouts`,
      `/places/${place.b}/statements`,
      `/places/${place.b}/statements/${M}/statement.csv`,
    ]) {
      expect(await call(`${s}${path}`, { token: tokenA })).toMatchObject({
        status: 404,
        body: { code: 'unknown_place' },
      });
    }
    expect((await call(`${s}/payouts`, { token: tokenA })).status).toBe(403);
    expect((await call(`${s}/ledger/check`, { token: tokenA })).status).toBe(403);
    const jan = await call(`${s}/places/${place.a}/statements/${N}`, { token: tokenA });
    expect(jan.body.lines).toEqual([expect.objectContaining({ late: true, passCount: 1 })]);
    const csv = await (
      await fetch(`${s}/places/${place.a}/statements/${N}/statement.csv`, {
        headers: { authorization: `Bearer ${tokenA}` },
      })
    ).text();
    expect(csv.split('\r\n')[1]).toMatch(
      new RegExp(
        `^${N};${place.a};Espace numérique de Basseau;${M}-\\d\\d;aide_demarches_administratives;aide_demarches_administratives.accompagnement_individuel;oui;1;1000;40$`,
      ),
    );
    const pdf = await fetch(`${s}/places/${place.a}/statements/${N}/statement.pdf`, {
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = (await readPdf(Buffer.from(await pdf.arrayBuffer()))).text;
    expect(text).toContain('Relevé d');
    expect(text).toContain(
      new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${N}-15T00:00:00Z`),
      ),
    );
    expect(text).toContain('(en retard)');
    expect(text).toMatch(/Net à verser\s+1,20 €/);
    expect(await call(`${s}/places/${place.a}/statements/${nextMonth(N2)}`, { token: tokenA })).toMatchObject({
      status: 404,
      body: { code: 'statement_not_found' },
    });
    const all = await (
      await fetch(`${s}/periods/${M}/statements.csv`, { headers: { authorization: `Bearer ${finance}` } })
    ).text();
    expect(all.trim().split('\r\n')).toHaveLength(1 + 4);
    const money = await fin(`/funders/${funderId}/money`);
    expect(money.body).toMatchObject({
      passesIssued: 100,
      passesReleased: 100,
      passesRedeemed: 9,
      passesOutstanding: 91,
      heldCents: 91_000,
      creditedCents: 0,
    });
  });

  test('the order’s final count (redemption window closed) credits the unredeemed value once; the money held is then zero', async () => {
    const closing = (id = randomUUID()) => ({
      ...event('order.redemption_closed', {
        orderId,
        funderId,
        passCount: 100,
        redeemedCount: 9,
        unredeemedCount: 91,
        unredeemedValueCents: 91_000,
        closedAt: new Date().toISOString(),
      }),
      id,
    });
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    // The same final count twice (a second event id, as a replayed producer would send): credited once.
    for (const e of [closing(), closing()]) await publisher.publish(e, { msgID: e.id });
    await publisher.close();
    const money = await eventually(
      () => fin(`/funders/${funderId}/money`),
      (m) => m.body?.creditedCents === 91_000,
    );
    await new Promise((done) => setTimeout(done, 500));
    expect((await fin(`/funders/${funderId}/money`)).body).toMatchObject({
      heldCents: 0,
      creditedCents: 91_000,
      orders: [expect.objectContaining({ redemptionClosed: true })],
    });
    expect(money.body.passesRedeemed + money.body.creditedCents / 1_000).toBe(100);
    expect(await balance('credit_notes', orderId)).toBe(-91_000);
    await ledgerOk();
  });
});
