import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { readModels } from './db/read-models.ts';
import { startKioskIntake } from './kiosk-intake.ts';
import { redemptionRoutes } from './http.ts';

/**
 * Redemption: judges scanned passes against every rule of the scheme, exactly once.
 * Its read models (passes, orders' rules, places, offers, kiosks) come from other services' events.
 */
export const redemption: ServiceDefinition = {
  name: 'redemption',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: () => readModels,
  routes: redemptionRoutes,
  start: startKioskIntake,
};
