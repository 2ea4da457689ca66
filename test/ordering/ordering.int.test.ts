import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { ordering } from '@aptic/ordering';
import { printing } from '@aptic/printing';
import { addDays, businessDate, queryRows, type ConsumerDefinition, type RunningPlatform } from '@aptic/runtime';
import type { EventEnvelope } from '@aptic/contracts';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { passRedeemed, RawPublisher } from '../support/events.ts';
import { fetchPdf, pdfText } from '../support/pdf.ts';
import { validSiret } from '../support/siret.ts';

let infra: Isolated;
let node: RunningPlatform;
let printingNode: RunningPlatform;
let url: string;
const received: EventEnvelope<'order.paid' | 'kit.sponsored'>[] = [];
const paidEvents = {
  get length() {
    return received.filter((e) => e.type === 'order.paid').length;
  },
  at: (i: number) => received.filter((e) => e.type === 'order.paid')[i] as EventEnvelope<'order.paid'> | undefined,
};
const today = businessDate();

/** Stands in for printing and qualification: records every order.paid and kit.sponsored it applies. */
const probe: ConsumerDefinition<'order.paid' | 'kit.sponsored'> = {
  name: 'probe',
  events: ['order.paid', 'kit.sponsored'],
  apply: async (_tx, events) => void received.push(...events),
};

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [ordering]);
  printingNode = await startDistributed(infra, [{ ...printing, consumers: () => [probe] }]);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await printingNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

const sirets = [
  '73282932000074',
  '44306184100047',
  '35600000000048',
  '35600000049837',
  '55208131766522',
  '54205118000066',
];
let siretIndex = 0;
async function newFunder(name = 'Communauté d’agglomération du Grand Angoulême'): Promise<string> {
  const siret = sirets[siretIndex++] ?? validSiret(siretIndex++);
  const response = await call(`${url}/funders`, {
    method: 'POST',
    body: {
      name,
      kind: 'collectivite',
      siret,
      publicProcurement: true,
      billingAddress: { line1: '25 boulevard Besson Bey', postalCode: '16000', city: 'Angoulême' },
    },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}
const referenceQuote = (funderId: string) => ({
  funderId,
  offer: 'plus',
  carnetSize: 10,
  carnets: 200,
  options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
  rules: { perimeter: { departements: ['16'] }, publics: ['jeunes'] },
});
const count = async (table: string) =>
  (await queryRows<{ n: number }>(node.database.db, sql.raw(`SELECT count(*)::int AS n FROM ordering.${table}`)))[0]!.n;

describe('the funder’s commercial journey', () => {
  let funderId: string;
  let orderId: string;

  test('the seed’s reference quote comes out at 25 450 € HT', async () => {
    funderId = await newFunder();
    const quote = await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(funderId) });
    expect(quote.status).toBe(201);
    expect(quote.body).toMatchObject({
      status: 'quoted',
      firstOrder: true,
      passCount: 2000,
      totalExclVatCents: 2_545_000,
      vatCents: 109_000,
      totalInclVatCents: 2_654_000,
    });
    expect(quote.body.number).toMatch(/^DEV-\d{4}-\d{6}$/);
    expect(quote.body.validUntil).toBe(addDays(today, 30));
    expect(quote.body.rules.resolvedCommunes).toContain('16015');
    orderId = quote.body.id;
  });

  test('no acceptance (so no invoice) while the funder has no billing address; its service code and engagement number reach the Factur-X invoice', async () => {
    const response = await call(`${url}/funders`, {
      method: 'POST',
      body: { name: 'Commune de Soyaux', kind: 'collectivite', siret: validSiret(7_000), publicProcurement: true },
    });
    const quote = (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(response.body.id) })).body;
    const refused = await call(`${url}/quotes/${quote.id}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-1' },
    });
    expect([refused.status, refused.body.code]).toEqual([422, 'billing_address_missing']);
    expect((await call(`${url}/orders/${quote.id}`)).body.status).toBe('quoted');
    const billing = await call(`${url}/funders/${response.body.id}/billing`, {
      method: 'PUT',
      body: {
        billingAddress: { line1: 'Place Jean Jaurès', postalCode: '16800', city: 'Soyaux' },
        serviceCode: 'SERVICE_FINANCES',
      },
    });
    expect(billing.body).toMatchObject({ serviceCode: 'SERVICE_FINANCES', billingAddress: { city: 'Soyaux' } });
    const accepted = await call(`${url}/quotes/${quote.id}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-1', engagementNumber: '1300098765' },
    });
    expect(accepted.status).toBe(201);
    const invoice = await fetchPdf(`${url}/invoices/${accepted.body.invoices[0].id}/pdf`);
    const text = await pdfText(invoice.pdf);
    for (const mention of [
      'Place Jean Jaurès',
      'SERVICE_FINANCES',
      'Engagement juridique n° 1300098765',
      'Votre bon de commande n° BC-1',
    ])
      expect(text).toContain(mention);
    // The Factur-X attachment is there (its content is checked in documents.int.test.ts).
    expect(invoice.pdf.includes('factur-x.xml')).toBe(true);
  });

  test('acceptance by purchase order issues the face-value invoice and the services invoice', async () => {
    const accepted = await call(`${url}/quotes/${orderId}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-2026-0042' },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.status).toBe('invoiced');
    const [faceValue, services] = accepted.body.invoices;
    expect(faceValue).toMatchObject({
      kind: 'face_value',
      totalExclVatCents: 2_000_000,
      vatCents: 0,
      amountDueCents: 2_000_000,
    });
    expect(services).toMatchObject({
      kind: 'services',
      totalExclVatCents: 545_000,
      vatCents: 109_000,
      amountDueCents: 654_000,
    });
    expect(faceValue.number).toMatch(/^FA-\d{4}-\d{6}$/);
    expect(accepted.body.purchaseOrderReference).toBe('BC-2026-0042');
    // The quote and the invoices as French PDFs.
    const quotePdf = await fetchPdf(`${url}/quotes/${orderId}/pdf`);
    expect([quotePdf.status, quotePdf.type]).toEqual([200, 'application/pdf']);
    const quoteText = await pdfText(quotePdf.pdf);
    expect(quoteText).toContain('DEVIS');
    expect(quoteText).toContain(accepted.body.number);
    expect(quoteText).toContain('25 450,00');
    const invoiceText = await pdfText((await fetchPdf(`${url}/invoices/${faceValue.id}/pdf`)).pdf);
    expect(invoiceText).toContain('FACTURE');
    expect(invoiceText).toContain(faceValue.number);
    expect(invoiceText).toContain('BC-2026-0042');
    expect(invoiceText).toContain('20 000,00');
    // Accepting twice is refused and changes nothing.
    const again = await call(`${url}/quotes/${orderId}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-2' },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'invalid_transition' } });
  });

  test('two partial payments: paid once the face value is covered, order.paid applied once', async () => {
    const first = await call(`${url}/orders/${orderId}/payments`, {
      method: 'POST',
      body: { amountCents: 1_200_000, receivedOn: today, reference: 'VIR-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'invoiced',
      allocation: { faceValuePaidCents: 1_200_000, faceValueCovered: false },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(paidEvents).toHaveLength(0);

    const second = await call(`${url}/orders/${orderId}/payments`, {
      method: 'POST',
      body: { amountCents: 800_000, receivedOn: today, reference: 'VIR-2' },
    });
    expect(second.body).toMatchObject({
      status: 'paid',
      allocation: { faceValuePaidCents: 2_000_000, faceValueCovered: true, servicesPaidCents: 0 },
    });
    await eventually(
      async () => paidEvents.length,
      (n) => n === 1,
    );
    expect(paidEvents.at(0)!.data).toMatchObject({
      orderId,
      funderId,
      offer: 'plus',
      carnetSize: 10,
      carnets: 200,
      faceValueCents: 2_000_000,
    });
    expect(paidEvents.at(0)!.data.rules.perimeter.departements).toEqual(['16']);

    // More money: services first, then held as overpayment — never lost, never a second order.paid.
    const third = await call(`${url}/orders/${orderId}/payments`, {
      method: 'POST',
      body: { amountCents: 700_000, receivedOn: today, reference: 'VIR-3' },
    });
    expect(third.body.allocation).toEqual({
      faceValuePaidCents: 2_000_000,
      servicesPaidCents: 654_000,
      overpaidCents: 46_000,
      faceValueCovered: true,
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(paidEvents).toHaveLength(1);
  });

  test('bad payments are refused and change nothing', async () => {
    const before = await count('payment');
    const cases: Array<[unknown, number, string]> = [
      [{ amountCents: 12.5, receivedOn: today, reference: 'X' }, 400, 'invalid_body'],
      [{ amountCents: -100, receivedOn: today, reference: 'X' }, 400, 'invalid_body'],
      [{ amount: 100, receivedOn: today, reference: 'X' }, 400, 'invalid_body'],
      [{ amountCents: 100, receivedOn: '2026-02-30', reference: 'X' }, 400, 'invalid_body'],
      [{ amountCents: 100, receivedOn: addDays(today, 3), reference: 'X' }, 422, 'payment_in_future'],
      [{ amountCents: 100, receivedOn: today, reference: 'VIR-1' }, 409, 'payment_already_recorded'],
    ];
    for (const [body, status, code] of cases) {
      const response = await call(`${url}/orders/${orderId}/payments`, { method: 'POST', body });
      expect([response.status, response.body.code]).toEqual([status, code]);
    }
    expect(await count('payment')).toBe(before);
  });

  test('a support token may not record payments; a funder token sees only its own orders', async () => {
    const support = (await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'desk', role: 'support' } }))
      .body.token;
    expect(
      (
        await call(`${url}/orders/${orderId}/payments`, {
          method: 'POST',
          token: support,
          body: { amountCents: 1, receivedOn: today, reference: 'Z' },
        })
      ).status,
    ).toBe(403);
    const own = (
      await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'funder', role: 'funder', funderId } })
    ).body.token;
    expect((await call(`${url}/orders/${orderId}`, { token: own })).status).toBe(200);
    const other = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'other', role: 'funder', funderId: randomUUID() },
      })
    ).body.token;
    expect((await call(`${url}/orders/${orderId}`, { token: other })).status).toBe(404);
    expect((await fetchPdf(`${url}/quotes/${orderId}/pdf`, other)).status).toBe(404);
    expect((await fetchPdf(`${url}/quotes/${orderId}/pdf`, own)).status).toBe(200);
  });

  test('usage rules are frozen once paid', async () => {
    const response = await call(`${url}/orders/${orderId}/rules`, { method: 'PUT', body: { publics: ['seniors'] } });
    expect(response).toMatchObject({ status: 409, body: { code: 'rules_frozen' } });
  });

  test('every state change has its audit row', async () => {
    const trail = (await call(`${url}/orders/${orderId}/audit`)).body as Array<{ action: string; actor: string }>;
    expect(trail.map((t) => t.action)).toEqual([
      'quote',
      'move:accepted',
      'issue',
      'issue',
      'move:invoiced',
      'record',
      'record',
      'move:paid',
      'record',
    ]);
    expect(trail.every((t) => t.actor.includes('APTIC_ADMIN_TOKEN'))).toBe(true);
  });

  test('redemption’s final count closes the order: the unredeemed face value becomes a credit note, once, used on the next order', async () => {
    // Three redemptions, one cancelled, arrive from redemption's events: the running count.
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    const redeemed = (passId: string) => passRedeemed({ passId, orderId, funderId });
    const events = [redeemed(randomUUID()), redeemed(randomUUID()), redeemed(randomUUID())];
    for (const e of events) await publisher.publish(e, { msgID: e.id });
    await publisher.publish({
      id: randomUUID(),
      type: 'redemption.cancelled',
      occurredAt: new Date().toISOString(),
      producer: 'redemption',
      data: {
        redemptionId: events[0]!.data.redemptionId,
        passId: events[0]!.data.passId,
        orderId,
        placeId: randomUUID(),
        faceValueCents: 1000,
        reason: 'mis-scan',
      },
    });
    await eventually(
      async () => (await call(`${url}/orders/${orderId}`)).body.redeemedPasses,
      (n) => n === 2,
    );
    expect((await call(`${url}/orders/${orderId}`)).body.status).toBe('paid');
    // Ordering has no clock of its own for it any more, nor a way to close by hand.
    expect((await call(`${url}/orders/${orderId}/close`, { method: 'POST' })).status).toBe(404);

    // Redemption closes the order's window: its count is final (five, say, some events of which ordering never heard).
    const final = {
      orderId,
      funderId,
      passCount: 2000,
      redeemedCount: 5,
      unredeemedCount: 1995,
      unredeemedValueCents: 1_995_000,
      closedAt: new Date().toISOString(),
    };
    const closedEvent = (): EventEnvelope<'order.redemption_closed'> => ({
      id: randomUUID(),
      type: 'order.redemption_closed',
      occurredAt: new Date().toISOString(),
      producer: 'redemption',
      data: final,
    });
    const first = closedEvent();
    await publisher.publish(first, { msgID: first.id });
    await eventually(
      async () => (await call(`${url}/orders/${orderId}`)).body.status,
      (status) => status === 'closed',
    );
    // The same announcement again, and a late redemption: nothing more is credited.
    const again = closedEvent();
    await publisher.publish(again, { msgID: again.id });
    const late = redeemed(randomUUID());
    await publisher.publish(late, { msgID: late.id });
    await publisher.close();
    await eventually(
      async () => (await call(`${url}/orders/${orderId}`)).body.redeemedPasses,
      (n) => n === 3,
    );
    await eventually(
      async () =>
        (
          await queryRows<{ n: number }>(
            node.database.db,
            sql`SELECT count(*)::int AS n FROM ordering.inbox WHERE event_id = ${again.id}`,
          )
        )[0]!.n,
      (n) => n === 1,
    );
    const credit = (await call(`${url}/funders/${funderId}/credit-notes`)).body;
    expect(credit).toHaveLength(1);
    expect(credit[0]).toMatchObject({ unusedPasses: 1995, amountCents: 1_995_000, remainingCents: 1_995_000 });
    expect(credit[0].number).toMatch(/^AV-\d{4}-\d{6}$/);
    const trail = (await call(`${url}/orders/${orderId}/audit`)).body as Array<{ action: string; actor: string }>;
    expect(trail.filter((t) => t.action === 'move:closed')).toEqual([
      expect.objectContaining({ actor: 'system: redemption window closed' }),
    ]);
    const creditText = await pdfText((await fetchPdf(`${url}/credit-notes/${credit[0].id}/pdf`)).pdf);
    expect(creditText).toContain('AVOIR');
    expect(creditText).toContain('19 950,00');

    // Next order: no opening fee, and the credit note pays part of the face value.
    const next = await call(`${url}/quotes`, {
      method: 'POST',
      body: { funderId, offer: 'standard', carnetSize: 10, carnets: 150, options: [] },
    });
    expect(next.body.firstOrder).toBe(false);
    expect(next.body.lines.map((l: { code: string }) => l.code)).toEqual(['face_value', 'contributive_fees']);
    const accepted = await call(`${url}/quotes/${next.body.id}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC-2026-0043' },
    });
    expect(accepted.body.invoices[0]).toMatchObject({
      kind: 'face_value',
      totalExclVatCents: 1_500_000,
      creditAppliedCents: 1_500_000,
      amountDueCents: 0,
    });
    // Covered by the credit note: paid at once.
    expect(accepted.body.status).toBe('paid');
    expect((await call(`${url}/funders/${funderId}/credit-notes`)).body[0].remainingCents).toBe(495_000);
    // Invoices cannot be altered, even by the database's owner.
    await expect(node.database.db.execute(sql`UPDATE ordering.invoice SET amount_due_cents = 0`)).rejects.toMatchObject(
      { cause: { message: expect.stringMatching(/immutable/) } },
    );
  });
});

describe('refusals that change nothing', () => {
  test.each([
    ['negative quantity', { carnets: -5 }, 422, 'quantity_out_of_range'],
    ['huge quantity', { carnets: 10_000_000 }, 422, 'quantity_out_of_range'],
    ['fractional quantity', { carnets: 100.5 }, 400, 'invalid_body'],
    ['unknown option', { options: ['gold_plating'] }, 422, 'unknown_option'],
    ['unknown commune', { rules: { perimeter: { communes: ['99999'] } } }, 422, 'unknown_commune'],
    ['malformed commune', { rules: { perimeter: { communes: ['1601'] } } }, 422, 'unknown_commune'],
    ['below minimum', { offer: 'standard', carnets: 50, options: [] }, 422, 'below_minimum'],
    ['unknown funder', { funderId: randomUUID() }, 404, 'unknown_funder'],
  ])('%s', async (_label, change, status, code) => {
    const funderId = await newFunder('CCAS de Cognac');
    const before = await count('"order"');
    const response = await call(`${url}/quotes`, { method: 'POST', body: { ...referenceQuote(funderId), ...change } });
    expect([response.status, response.body.code]).toEqual([status, code]);
    expect(typeof response.body.message).toBe('string');
    expect(await count('"order"')).toBe(before);
  });

  test('a malformed SIRET, an expired quote, a signed quote that is not a PDF', async () => {
    expect(
      (await call(`${url}/funders`, { method: 'POST', body: { name: 'X', kind: 'ccas', siret: '12345678901234' } }))
        .body.code,
    ).toBe('invalid_siret');
    const funderId = await newFunder('Fondation Y');
    const quote = (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(funderId) })).body;
    const notPdf = await fetch(`${url}/quotes/${quote.id}/acceptance/signature`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789', 'content-type': 'application/pdf' },
      body: 'hello',
    });
    expect(notPdf.status).toBe(415);
    await node.database.db.execute(
      sql`UPDATE ordering."order" SET quote_valid_until = ${addDays(today, -1)} WHERE id = ${quote.id}`,
    );
    const expired = await call(`${url}/quotes/${quote.id}/acceptance/purchase-order`, {
      method: 'POST',
      body: { reference: 'BC' },
    });
    expect(expired).toMatchObject({ status: 422, body: { code: 'quote_expired' } });
    expect((await call(`${url}/orders/${quote.id}`)).body.status).toBe('quoted');
  });

  test('a signed PDF quote is accepted and kept as received', async () => {
    const funderId = await newFunder('Chambre de commerce Z');
    const quote = (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(funderId) })).body;
    const pdf = Buffer.from('%PDF-1.4\n% signed quote\n%%EOF\n');
    const response = await fetch(`${url}/quotes/${quote.id}/acceptance/signature`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789', 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(response.status).toBe(201);
    const [kept] = await queryRows<{ size: number }>(
      node.database.db,
      sql`SELECT size FROM ordering.signed_quote WHERE order_id = ${quote.id}`,
    );
    expect(kept!.size).toBe(pdf.length);
  });
});

describe('kit sponsorship and sweeps', () => {
  test('a funder sponsors places’ kits: recorded, audited, announced once as kit.sponsored', async () => {
    const funderId = await newFunder('Fondation pour l’inclusion');
    const placeIds = [randomUUID(), randomUUID()];
    const before = paidEvents.length;
    const sponsored = await call(`${url}/funders/${funderId}/kit-sponsorships`, {
      method: 'POST',
      body: { placeIds: [...placeIds, placeIds[0]], from: today, until: addDays(today, 365) },
    });
    expect(sponsored.status).toBe(201);
    expect(sponsored.body.placeIds).toEqual([...placeIds].sort());
    const [event] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM ordering.audit WHERE action = 'sponsor' AND entity_id = ${sponsored.body.id}`,
    );
    expect(event!.n).toBe(1);
    const refused = await call(`${url}/funders/${funderId}/kit-sponsorships`, {
      method: 'POST',
      body: { placeIds, from: today, until: addDays(today, -1) },
    });
    expect(refused).toMatchObject({ status: 422, body: { code: 'invalid_period', field: 'until' } });
    expect(
      (
        await call(`${url}/funders/${randomUUID()}/kit-sponsorships`, {
          method: 'POST',
          body: { placeIds, from: today, until: today },
        })
      ).status,
    ).toBe(404);
    expect(paidEvents.length).toBe(before);
    const announced = await eventually(
      async () => received.filter((e) => e.type === 'kit.sponsored'),
      (list) => list.length === 1,
    );
    expect(announced[0]!.data).toMatchObject({ funderId, placeIds: [...placeIds].sort(), from: today });
  });

  test('the expiry sweep moves stale quotes to expired, with their audit row, and leaves fresh ones', async () => {
    const { expireQuotes } = await import('@aptic/ordering/db/orders.ts');
    const funderId = await newFunder('Mairie de Cognac');
    const stale = (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(funderId) })).body.id;
    const fresh = (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(funderId) })).body.id;
    await node.database.db.execute(
      sql`UPDATE ordering."order" SET quote_valid_until = ${addDays(today, -2)} WHERE id = ${stale}`,
    );
    await node.services[0]!.context.transaction((tx) => expireQuotes(tx, today));
    expect((await call(`${url}/orders/${stale}`)).body.status).toBe('expired');
    expect((await call(`${url}/orders/${fresh}`)).body.status).toBe('quoted');
    const trail = (await call(`${url}/orders/${stale}/audit`)).body as Array<{ action: string; actor: string }>;
    expect(trail.at(-1)).toMatchObject({ action: 'move:expired', actor: 'system: quote validity sweep' });
  });
});

describe('numbering', () => {
  test('20 concurrent acceptances: invoices (FA) and credit notes (AV) each keep their own gapless sequence', async () => {
    const funders = await Promise.all(Array.from({ length: 20 }, (_, i) => newFunder(`Commune ${i}`)));
    const quotes = await Promise.all(
      funders.map(
        async (f) => (await call(`${url}/quotes`, { method: 'POST', body: referenceQuote(f) })).body.id as string,
      ),
    );
    const results = await Promise.all(
      quotes.map((q, i) =>
        call(`${url}/quotes/${q}/acceptance/purchase-order`, { method: 'POST', body: { reference: `BC-${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    for (const [series, table] of [
      ['FA', 'invoice'],
      ['AV', 'credit_note'],
    ] as const) {
      const numbers = await queryRows<{ number: string }>(
        node.database.db,
        sql.raw(`SELECT number FROM ordering.${table}`),
      );
      expect(numbers.length).toBeGreaterThan(0);
      expect(numbers.every((n) => n.number.startsWith(`${series}-`))).toBe(true);
      const sequence = numbers.map((n) => Number(n.number.slice(-6))).sort((a, b) => a - b);
      expect(sequence).toEqual(Array.from({ length: sequence.length }, (_, i) => i + 1));
    }
  });
});

describe('after the order closed', () => {
  test('a payment of the fees invoice arriving late is recorded and settles it', async () => {
    const funderId = await newFunder('Syndicat mixte du numérique');
    const quote = (
      await call(`${url}/quotes`, {
        method: 'POST',
        body: { funderId, offer: 'standard', carnetSize: 10, carnets: 100, options: [] },
      })
    ).body;
    const accepted = (
      await call(`${url}/quotes/${quote.id}/acceptance/purchase-order`, {
        method: 'POST',
        body: { reference: 'BC-LATE' },
      })
    ).body;
    const services = accepted.invoices.find((i: { kind: string }) => i.kind === 'services');
    const faceValue = await call(`${url}/orders/${quote.id}/payments`, {
      method: 'POST',
      body: { amountCents: 1_000_000, receivedOn: today, reference: 'VIR-FV' },
    });
    expect(faceValue.body.status).toBe('paid');
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    const final = {
      orderId: quote.id,
      funderId,
      passCount: 1000,
      redeemedCount: 1000,
      unredeemedCount: 0,
      unredeemedValueCents: 0,
      closedAt: new Date().toISOString(),
    };
    const closedId = randomUUID();
    await publisher.publish(
      {
        id: closedId,
        type: 'order.redemption_closed',
        occurredAt: new Date().toISOString(),
        producer: 'redemption',
        data: final,
      },
      { msgID: closedId },
    );
    await publisher.close();
    await eventually(
      async () => (await call(`${url}/orders/${quote.id}`)).body.status,
      (status) => status === 'closed',
    );

    const late = await call(`${url}/orders/${quote.id}/payments`, {
      method: 'POST',
      body: { amountCents: services.amountDueCents, receivedOn: today, reference: 'VIR-FEES' },
    });
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({
      status: 'closed',
      allocation: { servicesPaidCents: services.amountDueCents, overpaidCents: 0 },
    });
    // The same transfer twice is still refused.
    const again = await call(`${url}/orders/${quote.id}/payments`, {
      method: 'POST',
      body: { amountCents: services.amountDueCents, receivedOn: today, reference: 'VIR-FEES' },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'payment_already_recorded' } });
  });
});
