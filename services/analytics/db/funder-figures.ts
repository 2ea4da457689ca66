import { eq } from 'drizzle-orm';
import type { Queryable } from '@aptic/runtime';
import { orderSummary } from './schema.ts';

const COUNTERS = [
  'carnetsIssued',
  'passesIssued',
  'carnetsReleased',
  'carnetsHandedOut',
  'carnetsRenewed',
  'carnetsStarted',
  'passesRedeemed',
] as const;

/**
 * Per order and in total: carnets issued, released (redeemable: delivered, or handed out when the
 * order is activated at hand-out), handed out to beneficiaries by prescripteurs (the funder's
 * "remis"), of which renewals, started; passes redeemed.
 */
export async function readFunderFigures(db: Queryable, funderId: string) {
  const rows = await db
    .select()
    .from(orderSummary)
    .where(eq(orderSummary.funderId, funderId))
    .orderBy(orderSummary.orderId);
  const orders = rows.map(
    (r) =>
      ({ orderId: r.orderId, ...Object.fromEntries(COUNTERS.map((k) => [k, r[k]])) }) as { orderId: string } & Record<
        (typeof COUNTERS)[number],
        number
      >,
  );
  const totals = Object.fromEntries(COUNTERS.map((k) => [k, orders.reduce((sum, o) => sum + o[k], 0)])) as Record<
    (typeof COUNTERS)[number],
    number
  >;
  return { funderId, orders, totals };
}
