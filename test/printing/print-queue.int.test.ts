import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { addDays, businessDate, type RunningPlatform } from '@aptic/runtime';
import { printing } from '@aptic/printing';
import { MAX_RENDER_ATTEMPTS } from '@aptic/printing/domain/print-job.ts';
import { isolate, type Isolated } from '../support/infra.ts';
import { ADMIN_TOKEN, call, eventually, startDistributed } from '../support/platform.ts';
import { orderPaid, publishEvents } from '../support/events.ts';

let infra: Isolated;
let node: RunningPlatform;
let url: string;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [printing]);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await node?.stop();
  await infra?.cleanup();
});

async function approvedJob(): Promise<{ orderId: string; jobId: string }> {
  const paid = orderPaid(1, 10, ['logo_pass']);
  await publishEvents(infra, [paid]);
  const orderId = paid.data.orderId;
  await eventually(
    () => call(`${url}/orders/${orderId}`),
    (r) => r.body?.passes === 10,
  );
  // The order bought a logo: no proof before it is uploaded.
  const refused = await call(`${url}/orders/${orderId}/proofs`, { method: 'POST' });
  expect([refused.status, refused.body.code]).toEqual([409, 'logo_missing']);
  expect((await putLogo(orderId)).status).toBe(204);
  const proof = (await call(`${url}/orders/${orderId}/proofs`, { method: 'POST' })).body;
  const approved = await call(`${url}/proofs/${proof.id}/approval`, { method: 'POST', body: {} });
  return { orderId, jobId: approved.body.job.id };
}
const job = async (id: string) =>
  (
    (await call(`${url}/print-jobs?limit=100`)).body as Array<{
      id: string;
      status: string;
      renderAttempts: number;
      renderError: string | null;
    }>
  ).find((j) => j.id === id)!;
const putLogo = (orderId: string) =>
  fetch(`${url}/orders/${orderId}/logos/pass`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/svg+xml' },
    body: '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
  });

test('a job whose file cannot be rendered backs off and fails after its tries, and the queue goes on; logos are locked once the proof is approved', async () => {
  const broken = await approvedJob();
  // A logo that no longer passes the checks (stored before they were tightened): its render fails.
  await node.database.db.execute(
    sql`UPDATE printing.order_logo SET mime = 'image/png', data = ${Buffer.from('not a png')} WHERE order_id = ${broken.orderId} AND slot = 'pass'`,
  );
  await node.database.db.execute(
    sql`UPDATE printing.print_job SET approved_on = ${addDays(businessDate(), -1)} WHERE id = ${broken.jobId}`,
  );
  const good = await approvedJob();

  // The older job fails first; the next one is rendered all the same.
  await eventually(
    () => job(good.jobId),
    (j) => j.status === 'ready',
    90_000,
  );
  expect(await job(broken.jobId)).toMatchObject({
    status: 'queued',
    renderAttempts: 1,
    renderError: expect.stringContaining('logo'),
  });

  // Its last try: failed, with its reason; staff may queue it again.
  await node.database.db.execute(
    sql`UPDATE printing.print_job SET render_attempts = ${MAX_RENDER_ATTEMPTS - 1}, render_retry_at = now() - interval '1 second' WHERE id = ${broken.jobId}`,
  );
  await eventually(
    () => job(broken.jobId),
    (j) => j.status === 'failed',
    30_000,
  );
  expect((await job(broken.jobId)).renderAttempts).toBe(MAX_RENDER_ATTEMPTS);
  expect((await call(`${url}/print-jobs/${broken.jobId}/requeue`, { method: 'POST', body: {} })).body).toMatchObject({
    status: 'queued',
    renderAttempts: 0,
    renderError: null,
  });

  // The approved proof is what is printed: its logo no longer changes.
  const locked = await putLogo(good.orderId);
  expect([locked.status, ((await locked.json()) as { code: string }).code]).toEqual([409, 'logo_locked']);
});
