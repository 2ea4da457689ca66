import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { orderingActions } from './service.ts';
import { orderingRoutes } from './http.ts';

/** Ordering: funders, quotes, orders, invoices, payments, credit notes. */
export const ordering: ServiceDefinition = {
  name: 'ordering',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  moleculer: orderingActions,
  routes: orderingRoutes,
};
