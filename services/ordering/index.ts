import { fileURLToPath } from 'node:url';
import { businessDate, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { orderingActions } from './service.ts';
import { orderingRoutes } from './http.ts';
import { orderClosing, redemptionCounter } from './db/redemptions.ts';
import { expireQuotes } from './db/orders.ts';
import { issuerFromEnv, isPlaceholderIssuer } from './documents/issuer.ts';

const HOUR = 3_600_000;

/** Ordering: funders, quotes, orders, invoices, payments, credit notes. */
export const ordering: ServiceDefinition = {
  name: 'ordering',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  moleculer: orderingActions,
  routes: orderingRoutes,
  // Orders close on redemption's final count (order.redemption_closed), not on a clock of their own.
  consumers: () => [redemptionCounter, orderClosing],
  async start(ctx) {
    if (isPlaceholderIssuer(issuerFromEnv()))
      ctx.log.warn(
        'ordering: the issuer identity is the fictitious placeholder (set APTIC_ISSUER_NAME, _SIRET, _IBAN…): every quote, invoice and credit note is marked SPÉCIMEN',
      );
    // Quotes past their validity expire.
    ctx.every('quote-expiry', HOUR, async () => void (await ctx.transaction((tx) => expireQuotes(tx, businessDate()))));
  },
};
