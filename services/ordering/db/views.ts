import { eq } from 'drizzle-orm';
import type { Queryable } from '@aptic/runtime';
import { orderView } from '../views.ts';
import { allocation, orderInvoices, orderPayments } from './billing.ts';
import { findOrder } from './orders.ts';
import { redemptionCounts } from './schema.ts';

/** Everything staff (or the funder) see of one order. */
export async function loadOrderView(db: Queryable, id: string) {
  const order = await findOrder(db, id);
  const [invoiceList, paymentList, [count]] = await Promise.all([
    orderInvoices(db, id),
    orderPayments(db, id),
    db.select().from(redemptionCounts).where(eq(redemptionCounts.orderId, id)),
  ]);
  return orderView(order, invoiceList, paymentList, allocation(invoiceList, paymentList), count?.redeemed ?? 0);
}
