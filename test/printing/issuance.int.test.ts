import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { readPassCode, type EventEnvelope } from '@aptic/contracts';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { printing } from '@aptic/printing';
import { redemption } from '@aptic/redemption';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';

let infra: Isolated;
let printingNode: RunningPlatform;
let redemptionNode: RunningPlatform;
let url: string;
const year = new Date().getFullYear();

function orderPaid(carnets: number, carnetSize: 5 | 10 = 10): EventEnvelope<'order.paid'> {
  return {
    id: randomUUID(),
    type: 'order.paid',
    occurredAt: new Date().toISOString(),
    producer: 'ordering',
    data: {
      orderId: randomUUID(), funderId: randomUUID(), offer: 'plus', carnetSize, carnets, faceValueCents: carnets * carnetSize * 1_000, options: [],
      rules: { validFrom: `${year}-01-01`, validUntil: `${year}-12-31`, perimeter: { communes: [], epcis: [], departements: [] }, resolvedCommunes: [], placeTypes: [], serviceCategories: [], publics: [] },
    },
  };
}
const count = async (node: RunningPlatform, query: string) => (await queryRows<{ n: number }>(node.database.db, sql.raw(query)))[0]!.n;

beforeAll(async () => {
  infra = await isolate();
  printingNode = await startDistributed(infra, [printing]);
  redemptionNode = await startDistributed(infra, [redemption]);
  url = printingNode.services[0]!.url;
});
afterAll(async () => {
  await redemptionNode?.stop();
  await printingNode?.stop();
  await infra?.cleanup();
});

describe('issuing, releasing, blocking passes', () => {
  test('order.paid issues every pass once, with codes that carry their carnet; redemption learns them', async () => {
    const paid = orderPaid(1_200);
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    await publisher.publish(paid, { msgID: paid.id });
    // The same event again, as a redelivery would bring it (another message id): nothing new.
    await publisher.publish(paid, { msgID: `${paid.id}-again` });
    await publisher.close();
    const orderId = paid.data.orderId;
    await eventually(() => count(printingNode, `SELECT count(*)::int AS n FROM printing.pass WHERE order_id = '${orderId}'`), (n) => n === 12_000);
    const status = (await call(`${url}/orders/${orderId}`)).body;
    expect(status).toMatchObject({ carnets: 1_200, passes: 12_000, releasedCarnets: 0, blockedPasses: 0 });
    expect(status.lastCarnet - status.firstCarnet).toBe(1_199);
    const codes = await queryRows<{ code: string; carnet_number: number; position: number }>(printingNode.database.db, sql`SELECT code, carnet_number, position FROM printing.pass WHERE order_id = ${orderId}`);
    for (const c of codes.slice(0, 500)) expect(readPassCode(c.code)).toEqual({ ok: true, carnetNumber: c.carnet_number, position: c.position });
    // 12,000 passes went to redemption in chunks of at most 5,000.
    await eventually(() => count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.pass WHERE order_id = '${orderId}'`), (n) => n === 12_000, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(printingNode, `SELECT count(*)::int AS n FROM printing.pass`)).toBe(12_000);

    // Delivered: some carnets first, then the rest.
    const some = [status.firstCarnet, status.firstCarnet + 1];
    expect((await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: { carnetNumbers: some } })).body.released).toEqual(some);
    expect((await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: {} })).body.released).toHaveLength(1_198);
    expect((await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: {} })).body.released).toEqual([]);
    await eventually(() => count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.carnet_release WHERE order_id = '${orderId}'`), (n) => n === 1_200);

    // A stolen carnet, then one more pass of another.
    expect((await call(`${url}/carnets/${status.firstCarnet}/block`, { method: 'POST', body: { reason: 'volé à la livraison' } })).body.blockedPasses).toBe(10);
    expect((await call(`${url}/carnets/${status.lastCarnet}/block`, { method: 'POST', body: { reason: 'perdu', positions: [3] } })).body.blockedPasses).toBe(1);
    expect((await call(`${url}/carnets/${status.firstCarnet}/block`, { method: 'POST', body: { reason: 'encore' } })).body.code).toBe('nothing_to_block');
    await eventually(() => count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.pass_block`), (n) => n === 11);
  });

  test('refusals: unknown order, carnet of another order, unknown carnet; codes only for print partners', async () => {
    expect((await call(`${url}/orders/${randomUUID()}/release`, { method: 'POST', body: {} })).status).toBe(404);
    const [other] = await queryRows<{ order_id: string }>(printingNode.database.db, sql`SELECT order_id FROM printing.print_order LIMIT 1`);
    expect((await call(`${url}/orders/${other!.order_id}/release`, { method: 'POST', body: { carnetNumbers: [9_999_999] } })).body).toMatchObject({ code: 'unknown_carnet', field: 'carnetNumbers' });
    expect((await call(`${url}/carnets/9999999/block`, { method: 'POST', body: { reason: 'perdu' } })).status).toBe(404);
    const support = (await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'desk', role: 'support' } })).body.token;
    expect((await call(`${url}/orders/${other!.order_id}/passes`, { token: support })).status).toBe(403);
    const partner = (await call(`${url}/admin/tokens`, { method: 'POST', body: { name: 'imprimeur', role: 'print-partner' } })).body.token;
    const listed = await call(`${url}/orders/${other!.order_id}/passes`, { token: partner });
    expect(listed.body).toHaveLength(12_000);
  });
});
