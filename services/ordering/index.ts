import { fileURLToPath } from 'node:url';
import { businessDate, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { orderingActions } from './service.ts';
import { orderingRoutes } from './http.ts';
import { redemptionCounter } from './db/redemptions.ts';
import { expireQuotes } from './db/orders.ts';
import { closableOrders, closeOrder } from './db/billing.ts';

const HOUR = 3_600_000;

/** Ordering: funders, quotes, orders, invoices, payments, credit notes. */
export const ordering: ServiceDefinition = {
  name: 'ordering',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  moleculer: orderingActions,
  routes: orderingRoutes,
  consumers: () => [redemptionCounter],
  async start(ctx) {
    // Quotes past their validity expire; orders past their last redemption day close (credit notes).
    ctx.every('quote-expiry', HOUR, async () => void (await ctx.transaction((tx) => expireQuotes(tx, businessDate()))));
    ctx.every('order-closing', HOUR, async () => {
      for (const id of await closableOrders(ctx.db, businessDate())) {
        await ctx.transaction((tx, emit) => closeOrder(tx, emit, id, businessDate(), 'system: end-of-validity sweep'));
      }
    });
  },
};
