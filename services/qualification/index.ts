import { fileURLToPath } from 'node:url';
import { Gauge } from 'prom-client';
import { businessDate, StartRefused, type ServiceContext, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { qualificationRoutes } from './http.ts';
import { qualificationActions } from './service.ts';
import { kitActivation, kitSponsorship } from './db/consumers.ts';
import { endKit, expiredSponsorships } from './db/kits.ts';
import { readKioskConfig } from './kiosk/config.ts';
import { VerdictConsumers } from './kiosk/verdicts.ts';
import { AccountRevocations } from './kiosk/revocations.ts';
import { enforceRevocations } from './kiosk/revoke.ts';
import type { KioskDeps } from './kiosk/register.ts';
import { HeartbeatListener } from './kiosk/heartbeats.ts';
import { fleetMetrics } from './kiosk/fleet.ts';
import { recordHeartbeat } from './db/fleet.ts';
import { readAlertSettings } from './domain/fleet.ts';
import { alertThreshold } from './domain/rating.ts';
import { flaggedCount, ratingConsumers } from './db/ratings.ts';
import { ATTEMPT_WINDOW_MS, sweepAttempts } from './db/attempts.ts';
import { feedbackRoutes } from './feedback/routes.ts';
import { ratingStaffRoutes } from './feedback/staff-routes.ts';

const HOUR = 3_600_000;
/** A revocation the NATS server missed (it was down) reaches it within this delay. */
const REVOCATION_SYNC_MS = 60_000;
type Env = Record<string, string | undefined>;

/** Kiosk signing keys and the NATS connections for verdict consumers and revocations (none in embedded mode). */
function kioskDeps(ctx: ServiceContext, env: Env): KioskDeps {
  const config = readKioskConfig(env, ctx.config.natsUrl);
  const alerts = readAlertSettings(env);
  if (ctx.config.mode !== 'distributed' || !config.natsUrl)
    return { ctx, config, alerts, verdicts: undefined, revocations: undefined, heartbeats: undefined };
  const nats = { url: config.natsUrl, creds: config.creds, prefix: ctx.config.natsPrefix };
  const verdicts = new VerdictConsumers(nats);
  ctx.onStop(() => verdicts.close());
  const heartbeats = new HeartbeatListener({ ...nats, log: ctx.log });
  ctx.onStop(() => heartbeats.close());
  if (!config.signing || !config.revocation) {
    if (config.signing)
      ctx.log.warn(
        'NATS_OPERATOR_SIGNING_SEED / NATS_SYSTEM_CREDS_FILE not set: a revoked kiosk keeps a valid NATS credential',
      );
    return { ctx, config, alerts, verdicts, revocations: undefined, heartbeats };
  }
  const revocations = new AccountRevocations({
    url: config.natsUrl,
    systemCreds: config.revocation.systemCreds,
    accountPublicKey: config.signing.accountPublicKey,
    operatorSigningSeed: config.revocation.operatorSigningSeed,
  });
  ctx.onStop(() => revocations.close());
  return { ctx, config, alerts, verdicts, revocations, heartbeats };
}

/** QUALIFICATION_RATING_ALERT_THRESHOLD, read once at start. */
function readThreshold(env: Env): number {
  const raw = env.QUALIFICATION_RATING_ALERT_THRESHOLD;
  const threshold = alertThreshold(raw);
  if (threshold === undefined)
    throw new StartRefused(`QUALIFICATION_RATING_ALERT_THRESHOLD must be a mean from 1 to 5, got "${raw}"`);
  return threshold;
}

/** The places under the rating alert threshold, as a metric (an alert rule watches it). */
function flaggedGauge(ctx: ServiceContext): void {
  new Gauge({
    name: 'aptic_places_rating_alert',
    help: 'Places whose mean over their latest 20 ratings is under QUALIFICATION_RATING_ALERT_THRESHOLD',
    registers: [ctx.metrics],
    async collect() {
      // The database down: the last figure stays, the other metrics are still served.
      await flaggedCount(ctx.db).then(
        (n) => this.set(n),
        () => {},
      );
    },
  });
}

/**
 * Qualification: médiation places, their eligibility questionnaire and qualification lifecycle,
 * charter, kit subscription and kiosks (with their NATS credentials), and the beneficiaries'
 * ratings of the services their passes paid (the public rating page, feedback/).
 * `env` is where the kiosk settings are read from (kiosk/config.ts); tests pass their own.
 */
export function qualificationService(env: Env = process.env): ServiceDefinition {
  // One per running service: routes and start share it (a definition may run in several platforms).
  const deps = new WeakMap<ServiceContext, KioskDeps>();
  const kiosks = (ctx: ServiceContext) => deps.get(ctx) ?? deps.set(ctx, kioskDeps(ctx, env)).get(ctx)!;
  const threshold = readThreshold(env);
  return {
    name: 'qualification',
    migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    tables: schema,
    moleculer: qualificationActions,
    routes: (app, ctx) => {
      qualificationRoutes(kiosks(ctx))(app, ctx);
      ratingStaffRoutes(threshold)(app, ctx);
      feedbackRoutes(threshold)(app, ctx);
    },
    consumers: () => [kitActivation, kitSponsorship, ...ratingConsumers(threshold)],
    async start(ctx) {
      flaggedGauge(ctx);
      ctx.every('feedback-attempts-sweep', ATTEMPT_WINDOW_MS, () => sweepAttempts(ctx.db));
      // A funder's sponsorship ends with its period: the kit it paid for ends then.
      ctx.every('sponsorship-end', HOUR, async () => {
        for (const kit of await expiredSponsorships(ctx.db, businessDate())) {
          await ctx.transaction((tx, emit) =>
            endKit(tx, emit, kit, 'Fin de la prise en charge par le commanditaire', 'system: sponsorship sweep'),
          );
        }
      });
      const kioskSide = kiosks(ctx);
      fleetMetrics(ctx, kioskSide.alerts);
      await kioskSide.heartbeats?.start((beat, receivedAt) => recordHeartbeat(ctx.db, beat, receivedAt));
      const nats = kioskSide.revocations;
      if (!nats) return;
      ctx.every('kiosk-revocations', REVOCATION_SYNC_MS, async () => {
        if (await enforceRevocations(ctx, nats))
          ctx.log.info('kiosk revocations the NATS server had missed are now in force');
      });
    },
  };
}

export const qualification: ServiceDefinition = qualificationService();
