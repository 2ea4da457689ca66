import { fileURLToPath } from 'node:url';
import { businessDate, type ServiceContext, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { qualificationRoutes } from './http.ts';
import { kitActivation, kitSponsorship } from './db/consumers.ts';
import { endKit, expiredSponsorships } from './db/kits.ts';
import { readKioskConfig } from './kiosk/config.ts';
import { VerdictConsumers } from './kiosk/verdicts.ts';
import type { KioskDeps } from './kiosk/register.ts';

const HOUR = 3_600_000;
type Env = Record<string, string | undefined>;

/** Kiosk signing keys and the NATS connection for verdict consumers (none in embedded mode). */
function kioskDeps(ctx: ServiceContext, env: Env): KioskDeps {
  const config = readKioskConfig(env, ctx.config.natsUrl);
  if (ctx.config.mode !== 'distributed' || !config.natsUrl) return { ctx, config, verdicts: undefined };
  const verdicts = new VerdictConsumers({ url: config.natsUrl, creds: config.creds, prefix: ctx.config.natsPrefix });
  ctx.onStop(() => verdicts.close());
  return { ctx, config, verdicts };
}

/**
 * Qualification: médiation places, their eligibility questionnaire and qualification lifecycle,
 * charter, kit subscription and kiosks (with their NATS credentials).
 * `env` is where the kiosk settings are read from (kiosk/config.ts); tests pass their own.
 */
export function qualificationService(env: Env = process.env): ServiceDefinition {
  return {
    name: 'qualification',
    migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    tables: schema,
    routes: (app, ctx) => qualificationRoutes(kioskDeps(ctx, env))(app, ctx),
    consumers: () => [kitActivation, kitSponsorship],
    async start(ctx) {
      // A funder's sponsorship ends with its period: the kit it paid for ends then.
      ctx.every('sponsorship-end', HOUR, async () => {
        for (const kit of await expiredSponsorships(ctx.db, businessDate())) {
          await ctx.transaction((tx, emit) => endKit(tx, emit, kit, 'Fin de la prise en charge par le commanditaire', 'system: sponsorship sweep'));
        }
      });
    },
  };
}

export const qualification: ServiceDefinition = qualificationService();
