import { fileURLToPath } from 'node:url';
import { businessDate, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { consumers } from './db/consumers.ts';
import { closePeriod, monthsDue, tallyDue } from './db/periods.ts';
import { settlementRoutes } from './http.ts';
import { readSettings } from './settings.ts';

export interface SettlementOptions {
  env?: Record<string, string | undefined>;
  /** The clock periods are judged by (tests move it). */
  now?: () => Date;
}

/**
 * Settlement: the double-entry ledger of every cent from a funder's payment to a place's payout,
 * the monthly close (endossement), payouts as SEPA credit transfers, and the places' statements.
 */
export function settlementService(options: SettlementOptions = {}): ServiceDefinition {
  const settings = readSettings(options.env ?? process.env);
  const now = options.now ?? (() => new Date());
  return {
    name: 'settlement',
    migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    tables: schema,
    consumers: () => consumers,
    routes: settlementRoutes({ settings, now }),
    async start(ctx) {
      // The statement tally once a business day: a day's bookings then touch each of their lines once.
      let talliedOn: string | undefined;
      // Checked every hour, so a month closes on its first day out of the grace window.
      ctx.every('monthly-close', settings.closeCheckMs, async () => {
        const today = businessDate(now());
        if (talliedOn !== today) {
          await ctx.transaction((tx) => tallyDue(tx));
          talliedOn = today;
        }
        for (const month of await monthsDue(ctx.db, businessDate(now()), settings.graceDays)) {
          const closed = await ctx.transaction((tx, emit) =>
            closePeriod(tx, emit, {
              month,
              today: businessDate(now()),
              graceDays: settings.graceDays,
              actor: 'system: monthly close',
            }),
          );
          ctx.log.info({ month, places: closed.places, netCents: closed.netCents }, 'period closed');
        }
      });
    },
  };
}

export const settlement: ServiceDefinition = settlementService();
