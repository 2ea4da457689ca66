import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect } from 'nats';
import { natsNames, passCode, passLookupHash, readPassCode, type EventEnvelope } from '@aptic/contracts';
import { addDays, businessDate, queryRows, type RunningPlatform } from '@aptic/runtime';
import { expireProofs } from '@aptic/printing/db/proofs.ts';
import { addWorkingDays } from '@aptic/printing/domain/calendar.ts';
import { printing } from '@aptic/printing';
import { redemption } from '@aptic/redemption';
import { isolate, type Isolated } from '../support/infra.ts';
import { TEST_PASS_CODE_KEY, TEST_PASS_LOOKUP_KEY, call, eventually, startDistributed } from '../support/platform.ts';
import { orderPaid, publishEvents, RawPublisher } from '../support/events.ts';

let infra: Isolated;
let printingNode: RunningPlatform;
let redemptionNode: RunningPlatform;
let url: string;

const count = async (node: RunningPlatform, query: string) =>
  (await queryRows<{ n: number }>(node.database.db, sql.raw(query)))[0]!.n;

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
    await eventually(
      () => count(printingNode, `SELECT count(*)::int AS n FROM printing.pass WHERE order_id = '${orderId}'`),
      (n) => n === 12_000,
    );
    const status = (await call(`${url}/orders/${orderId}`)).body;
    expect(status).toMatchObject({ carnets: 1_200, passes: 12_000, releasedCarnets: 0, blockedPasses: 0 });
    expect(status.lastCarnet - status.firstCarnet).toBe(1_199);
    // No code in clear anywhere: not in printing's passes, not in the events (the stream is kept as history).
    const columns = await queryRows<{ column_name: string }>(
      printingNode.database.db,
      sql`SELECT column_name FROM information_schema.columns WHERE table_schema = 'printing' AND table_name = 'pass'`,
    );
    expect(columns.map((c) => c.column_name)).not.toContain('code');
    const nc = await connect({ servers: infra.natsUrl });
    const names = natsNames(infra.prefix);
    const issued = await eventually(
      () =>
        nc
          .jetstreamManager()
          .then((jsm) =>
            jsm.streams.getMessage(names.events.stream, { last_by_subj: names.events.subject('passes.issued') }),
          ),
      (m) => !!m,
    );
    await nc.close();
    const event = JSON.parse(new TextDecoder().decode(issued.data)) as EventEnvelope<'passes.issued'>;
    expect(event.data.orderId).toBe(orderId);
    for (const p of event.data.passes.slice(0, 500)) {
      const code = passCode(TEST_PASS_CODE_KEY, p.carnetNumber, p.position);
      expect(readPassCode(code)).toEqual({ ok: true, carnetNumber: p.carnetNumber, position: p.position });
      expect(p.codeHash).toBe(passLookupHash(TEST_PASS_LOOKUP_KEY, code));
    }
    const payload = new TextDecoder().decode(issued.data);
    for (const p of event.data.passes.slice(0, 50))
      expect(payload).not.toContain(passCode(TEST_PASS_CODE_KEY, p.carnetNumber, p.position).slice(8, 21));
    // 12,000 passes went to redemption in chunks of at most 5,000.
    await eventually(
      () => count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.pass WHERE order_id = '${orderId}'`),
      (n) => n === 12_000,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(printingNode, `SELECT count(*)::int AS n FROM printing.pass`)).toBe(12_000);

    // Delivered: some carnets first, then the rest.
    const some = [status.firstCarnet, status.firstCarnet + 1];
    const handedOut = { reason: 'remis en main propre par la mairie' };
    expect(
      (await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: { carnetNumbers: some, ...handedOut } }))
        .body.released,
    ).toEqual(some);
    expect(
      (await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: handedOut })).body.released,
    ).toHaveLength(1_198);
    expect((await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: handedOut })).body.released).toEqual(
      [],
    );
    const [trail] = await queryRows<{ details: { reason: string } }>(
      printingNode.database.db,
      sql`SELECT details FROM printing.audit WHERE entity_id = ${orderId} AND action = 'release' LIMIT 1`,
    );
    expect(trail!.details.reason).toBe(handedOut.reason);
    await eventually(
      () =>
        count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.carnet_release WHERE order_id = '${orderId}'`),
      (n) => n === 1_200,
    );

    // A stolen carnet, then one more pass of another.
    expect(
      (
        await call(`${url}/carnets/${status.firstCarnet}/block`, {
          method: 'POST',
          body: { reason: 'volé à la livraison' },
        })
      ).body.blockedPasses,
    ).toBe(10);
    expect(
      (
        await call(`${url}/carnets/${status.lastCarnet}/block`, {
          method: 'POST',
          body: { reason: 'perdu', positions: [3] },
        })
      ).body.blockedPasses,
    ).toBe(1);
    expect(
      (await call(`${url}/carnets/${status.firstCarnet}/block`, { method: 'POST', body: { reason: 'encore' } })).body
        .code,
    ).toBe('nothing_to_block');
    await eventually(
      () => count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.pass_block`),
      (n) => n === 11,
    );
  });

  test('refusals: unknown order, carnet of another order, unknown carnet, no reason; release is never a print partner’s', async () => {
    const reason = 'remis en main propre';
    expect((await call(`${url}/orders/${randomUUID()}/release`, { method: 'POST', body: { reason } })).status).toBe(
      404,
    );
    const paid = orderPaid(2);
    await publishEvents(infra, [paid]);
    const orderId = paid.data.orderId;
    await eventually(
      () => call(`${url}/orders/${orderId}`),
      (r) => r.body?.passes === 20,
    );
    expect(
      (await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: { carnetNumbers: [9_999_999], reason } }))
        .body,
    ).toMatchObject({ code: 'unknown_carnet', field: 'carnetNumbers' });
    expect((await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: {} })).body).toMatchObject({
      code: 'invalid_body',
      field: 'reason',
    });
    expect((await call(`${url}/carnets/9999999/block`, { method: 'POST', body: { reason: 'perdu' } })).status).toBe(
      404,
    );
    // A print partner neither releases an order nor reads its codes (they are only in the print file).
    const partner = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'imprimeur', role: 'print-partner', printPartnerId: randomUUID() },
      })
    ).body.token;
    expect(
      (await call(`${url}/orders/${orderId}/release`, { method: 'POST', body: { reason }, token: partner })).status,
    ).toBe(403);
    expect((await call(`${url}/orders/${orderId}/passes`)).status).toBe(404);
    expect((await call(`${url}/orders/${orderId}`)).body.releasedCarnets).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      await count(
        redemptionNode,
        `SELECT count(*)::int AS n FROM redemption.carnet_release WHERE order_id = '${orderId}'`,
      ),
    ).toBe(0);
  });
});

describe('logos', () => {
  test('a logo the order bought is stored; one not bought, not an image, or over 5 MB is refused and changes nothing', async () => {
    const paid = orderPaid(1);
    paid.data.options = ['logo_pass'];
    await publishEvents(infra, [paid]);
    await eventually(
      () => call(`${url}/orders/${paid.data.orderId}`),
      (r) => r.body?.passes === 10,
    );
    const put = (slot: string, type: string, body: Buffer) =>
      fetch(`${url}/orders/${paid.data.orderId}/logos/${slot}`, {
        method: 'PUT',
        headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789', 'content-type': type },
        body,
      }).then(async (r) => ({
        status: r.status,
        body: r.status === 204 ? null : ((await r.json()) as { code: string }),
      }));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]);
    const logos = () =>
      count(printingNode, `SELECT count(*)::int AS n FROM printing.order_logo WHERE order_id = '${paid.data.orderId}'`);
    expect(await put('cover', 'image/png', png)).toMatchObject({ status: 409, body: { code: 'logo_not_ordered' } });
    expect(await put('pass', 'image/png', Buffer.from('not a picture at all'))).toMatchObject({
      status: 422,
      body: { code: 'invalid_logo' },
    });
    expect(await put('pass', 'image/png', Buffer.concat([png, Buffer.alloc(5_000_001)]))).toMatchObject({
      status: 422,
      body: { code: 'logo_too_large' },
    });
    expect((await put('pass', 'text/plain', png)).status).toBe(415);
    expect(await logos()).toBe(0);
    expect((await put('pass', 'image/png', png)).status).toBe(204);
    expect(await logos()).toBe(1);
  });
});

describe('proofs (BAT) and print jobs', () => {
  test('a proof is sent, answered by the funder, and the print job runs to delivery, which releases the passes', async () => {
    const paid = orderPaid(20);
    await publishEvents(infra, [paid]);
    const orderId = paid.data.orderId;
    expect((await call(`${url}/orders/${randomUUID()}/proofs`, { method: 'POST' })).body.code).toBe('order_not_paid');
    await eventually(
      () => call(`${url}/orders/${orderId}`),
      (r) => r.body?.passes === 200,
    );

    const first = await call(`${url}/orders/${orderId}/proofs`, { method: 'POST' });
    expect(first).toMatchObject({
      status: 201,
      body: { version: 1, status: 'sent', answerDueOn: addDays(businessDate(), 7) },
    });
    expect((await call(`${url}/orders/${orderId}/proofs`, { method: 'POST' })).body.code).toBe('proof_pending');

    // Only the order's own funder may answer; a rejection needs its comments.
    const stranger = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'autre', role: 'funder', funderId: randomUUID() },
      })
    ).body.token;
    const owner = (
      await call(`${url}/admin/tokens`, {
        method: 'POST',
        body: { name: 'commanditaire', role: 'funder', funderId: paid.data.funderId },
      })
    ).body.token;
    expect(
      (await call(`${url}/proofs/${first.body.id}/approval`, { method: 'POST', body: {}, token: stranger })).status,
    ).toBe(404);
    expect(
      (await call(`${url}/proofs/${first.body.id}/rejection`, { method: 'POST', body: {}, token: owner })).status,
    ).toBe(400);
    expect(
      (
        await call(`${url}/proofs/${first.body.id}/rejection`, {
          method: 'POST',
          body: { comments: 'Logo trop petit' },
          token: owner,
        })
      ).body.proof.status,
    ).toBe('rejected');

    const second = (await call(`${url}/orders/${orderId}/proofs`, { method: 'POST' })).body;
    const approved = await call(`${url}/proofs/${second.id}/approval`, { method: 'POST', body: {}, token: owner });
    expect(approved.body.proof).toMatchObject({ version: 2, status: 'approved' });
    const job = approved.body.job;
    expect(job).toMatchObject({ status: 'queued', expectedDeliveryOn: addWorkingDays(businessDate(), 15) });
    expect(
      (await call(`${url}/proofs/${second.id}/approval`, { method: 'POST', body: {}, token: owner })).body.code,
    ).toBe('proof_already_answered');

    // The job is assigned to one print partner: another partner's token sees nothing of it (404).
    const partnerA = (await call(`${url}/print-partners`, { method: 'POST', body: { name: 'Imprimerie A' } })).body;
    const partnerB = (await call(`${url}/print-partners`, { method: 'POST', body: { name: 'Imprimerie B' } })).body;
    expect((await call(`${url}/print-partners`, { method: 'POST', body: { name: 'Imprimerie A' } })).body.code).toBe(
      'print_partner_exists',
    );
    const tokenOf = async (p: { id: string; name: string }) =>
      (
        await call(`${url}/admin/tokens`, {
          method: 'POST',
          body: { name: p.name, role: 'print-partner', printPartnerId: p.id },
        })
      ).body.token as string;
    const partner = await tokenOf(partnerA);
    const other = await tokenOf(partnerB);
    expect((await call(`${url}/print-jobs/${job.id}/progress`, { token: partner })).status).toBe(404);
    expect(
      (await call(`${url}/print-jobs/${job.id}/assignment`, { method: 'POST', body: { partnerId: randomUUID() } })).body
        .code,
    ).toBe('unknown_print_partner');
    expect(
      (
        await call(`${url}/print-jobs/${job.id}/assignment`, {
          method: 'POST',
          body: { partnerId: partnerA.id },
          token: partner,
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(`${url}/print-jobs/${job.id}/assignment`, { method: 'POST', body: { partnerId: partnerA.id } })).body
        .partnerId,
    ).toBe(partnerA.id);
    for (const path of [`/print-jobs/${job.id}/progress`, `/print-jobs/${job.id}/pdf`, `/orders/${orderId}`])
      expect((await call(`${url}${path}`, { token: other })).status).toBe(404);
    expect((await call(`${url}/print-jobs/${job.id}/printed`, { method: 'POST', body: {}, token: other })).status).toBe(
      404,
    );
    expect((await call(`${url}/print-jobs`, { token: other })).body).toEqual([]);
    expect((await call(`${url}/orders/${orderId}`, { token: partner })).body.passes).toBe(200);

    // The print partner's steps, in order only.
    expect(
      (
        await call(`${url}/print-jobs/${job.id}/shipped`, {
          method: 'POST',
          body: { carrier: 'La Poste', tracking: 'X1', deliveryPoint: 'Mairie' },
          token: partner,
        })
      ).body.code,
    ).toBe('invalid_transition');
    expect(
      (await call(`${url}/print-jobs/${job.id}/printed`, { method: 'POST', body: {}, token: partner })).body.code,
    ).toBe('invalid_transition');
    // The print-ready file is rendered in the background; the partner downloads it, whole or by range.
    const ready = await eventually(
      async () =>
        (
          (await call(`${url}/print-jobs`, { token: partner })).body as Array<{
            id: string;
            status: string;
            fileBytes: number;
            fileSha256: string;
          }>
        ).find((j) => j.id === job.id)!,
      (j) => j.status === 'ready',
      60_000,
    );
    const whole = await fetch(`${url}/print-jobs/${job.id}/pdf`, { headers: { authorization: `Bearer ${partner}` } });
    const pdf = Buffer.from(await whole.arrayBuffer());
    expect([whole.status, pdf.length, pdf.subarray(0, 5).toString('latin1')]).toEqual([200, ready.fileBytes, '%PDF-']);
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(whole.headers.get('x-checksum-sha256'));
    const part = await fetch(`${url}/print-jobs/${job.id}/pdf`, {
      headers: { authorization: `Bearer ${partner}`, range: 'bytes=100-199' },
    });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 100-199/${ready.fileBytes}`]);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(pdf.subarray(100, 200));
    expect(
      (await call(`${url}/print-jobs/${job.id}/printed`, { method: 'POST', body: {}, token: partner })).body.status,
    ).toBe('printed');
    expect(
      (
        await call(`${url}/print-jobs/${job.id}/shipped`, {
          method: 'POST',
          body: { carrier: 'La Poste' },
          token: partner,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(`${url}/print-jobs/${job.id}/shipped`, {
          method: 'POST',
          body: { carrier: 'La Poste', tracking: '6A123', deliveryPoint: 'Hôtel de ville d’Angoulême' },
          token: partner,
        })
      ).body.status,
    ).toBe('shipped');
    expect(
      (await call(`${url}/print-jobs/${job.id}/delivered`, { method: 'POST', body: {}, token: partner })).body.status,
    ).toBe('delivered');
    expect((await call(`${url}/orders/${orderId}`)).body.releasedCarnets).toBe(20);
    expect(
      (await call(`${url}/print-jobs/${job.id}/assignment`, { method: 'POST', body: { partnerId: partnerB.id } })).body
        .code,
    ).toBe('job_already_printed');
    await eventually(
      () =>
        count(redemptionNode, `SELECT count(*)::int AS n FROM redemption.carnet_release WHERE order_id = '${orderId}'`),
      (n) => n === 20,
    );
  });

  test('a proof unanswered for 7 days expires', async () => {
    const paid = orderPaid(1);
    await publishEvents(infra, [paid]);
    await eventually(
      () => call(`${url}/orders/${paid.data.orderId}`),
      (r) => r.body?.passes === 10,
    );
    const proof = (await call(`${url}/orders/${paid.data.orderId}/proofs`, { method: 'POST' })).body;
    await printingNode.database.db.execute(
      sql`UPDATE printing.proof SET answer_due_on = ${addDays(businessDate(), -1)} WHERE id = ${proof.id}`,
    );
    expect(
      await printingNode.services[0]!.context.transaction((tx, emit) => expireProofs(tx, emit, businessDate())),
    ).toBeGreaterThanOrEqual(1);
    expect((await call(`${url}/orders/${paid.data.orderId}/proofs`)).body[0].status).toBe('expired');
    expect((await call(`${url}/orders/${paid.data.orderId}/proofs`, { method: 'POST' })).body.version).toBe(2);
  });
});
