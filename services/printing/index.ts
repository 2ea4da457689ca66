import { fileURLToPath } from 'node:url';
import type { ConsumerDefinition, ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { issuePasses } from './db/issuance.ts';
import { printingRoutes } from './http.ts';
import { passCodeKey } from './pass-code-key.ts';

/**
 * Printing: issues the passes of paid orders, releases them when delivered, blocks lost ones.
 * (Proofs, print files, print partners and mailings are still to come.)
 */
export const printing: ServiceDefinition = {
  name: 'printing',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: (ctx): ConsumerDefinition<'order.paid'>[] => {
    const key = passCodeKey(ctx.config);
    return [{ name: 'issuance', events: ['order.paid'], apply: async (tx, events, emit) => { for (const e of events) await issuePasses(tx, emit, e, key); } }];
  },
  routes: printingRoutes,
};
