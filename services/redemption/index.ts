import { fileURLToPath } from 'node:url';
import { businessDate, contractAction, passLookupKey, type ServiceDefinition } from '@aptic/runtime';
import { carnetUsage } from './db/search.ts';
import * as schema from './db/schema.ts';
import { readModels } from './db/read-models.ts';
import { useOfflineLimit } from './db/facts.ts';
import { closeWindow, dueWindows } from './db/windows.ts';
import { startKioskIntake } from './kiosk-intake.ts';
import { redemptionRoutes } from './http.ts';
import { hashLegacyCodes, useLookupKey } from './db/pass-lookup.ts';

const QUARTER_HOUR = 15 * 60_000;

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
  moleculer: (ctx) => ({
    actions: {
      carnetUsage: contractAction('redemption.carnetUsage', ({ orderId, carnetNumber }) =>
        carnetUsage(ctx.db, orderId, carnetNumber),
      ),
    },
  }),
  async start(ctx) {
    useLookupKey(passLookupKey(ctx.config));
    useOfflineLimit(ctx.config.kioskOfflineDays);
    await hashLegacyCodes(ctx.db);
    // Orders past their last valid day plus the offline limit: their count becomes final.
    ctx.every('redemption-windows', QUARTER_HOUR, async () => {
      for (const id of await dueWindows(ctx.db, businessDate(), ctx.config.kioskOfflineDays)) {
        await ctx.transaction((tx, emit) => closeWindow(tx, emit, id));
      }
    });
    await startKioskIntake(ctx);
  },
};
