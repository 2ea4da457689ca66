import { Gauge } from 'prom-client';
import type { ServiceContext } from '@aptic/runtime';
import {
  alertsOf,
  KioskAlertKinds,
  KioskLinkStates,
  linkState,
  type FleetAlertSettings,
  type KioskAlert,
} from '../domain/fleet.ts';
import { fleetKiosks, type FleetKiosk } from '../db/fleet.ts';
import { kioskView } from '../views.ts';

/** What staff (and the place, for its own) see of a kiosk's health, from its last heartbeat. */
function kioskHealth({ kiosk, heartbeat: h }: FleetKiosk, now: Date, settings: FleetAlertSettings) {
  const last = h ?? undefined;
  const alerts: KioskAlert[] = kiosk.status === 'active' ? alertsOf(last, now, settings) : [];
  return {
    state: linkState(last, now),
    lastSeenAt: h?.receivedAt.toISOString() ?? null,
    version: h?.version ?? null,
    layout: h?.layout ?? null,
    scanner: h && { connected: h.scannerConnected, model: h.scannerModel, mode: h.scannerMode },
    journal: h && {
      pending: h.pending,
      awaitingVerdict: h.awaitingVerdict,
      max: h.journalMax,
      oldestPendingAgeSeconds: h.oldestPendingAgeSeconds,
    },
    clockOffsetMs: h?.clockOffsetMs ?? null,
    alerts,
  };
}

export const fleetKioskView = (row: FleetKiosk, now: Date, settings: FleetAlertSettings) => ({
  ...kioskView(row.kiosk),
  health: kioskHealth(row, now, settings),
});

/** Every alert of the active kiosks, one row per kiosk and alert. */
export async function fleetAlerts(ctx: ServiceContext, settings: FleetAlertSettings) {
  const now = new Date();
  return (await fleetKiosks(ctx.db, { status: 'active' })).flatMap((row) => {
    const health = kioskHealth(row, now, settings);
    return health.alerts.map((alert) => ({
      kioskId: row.kiosk.id,
      placeId: row.kiosk.placeId,
      name: row.kiosk.name,
      state: health.state,
      lastSeenAt: health.lastSeenAt,
      ...alert,
    }));
  });
}

/**
 * Prometheus: active kiosks by link state, and kiosks raising each alert (alerting rules fire on
 * `aptic_kiosk_alerts > 0`). Read from the heartbeats at each scrape; during a database outage
 * the last figures stay, so the other metrics are still served.
 */
export function fleetMetrics(ctx: ServiceContext, settings: FleetAlertSettings): void {
  const snapshot = async () => {
    const now = new Date();
    return (await fleetKiosks(ctx.db, { status: 'active' })).map((row) => kioskHealth(row, now, settings));
  };
  type Health = Awaited<ReturnType<typeof snapshot>>[number];
  const counted = <V extends string>(
    name: string,
    help: string,
    label: string,
    values: readonly V[],
    has: (k: Health, v: V) => boolean,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [ctx.metrics],
      async collect() {
        await snapshot().then(
          (kiosks) => {
            for (const value of values) this.set({ [label]: value }, kiosks.filter((k) => has(k, value)).length);
          },
          () => {},
        );
      },
    });
  counted(
    'aptic_kiosks',
    'Active kiosks by link state: online (heartbeat within 2 min), silent (none since), offline (stopped cleanly or never seen)',
    'state',
    KioskLinkStates,
    (k, state) => k.state === state,
  );
  counted(
    'aptic_kiosk_alerts',
    'Active kiosks raising an alert: silent longer than KIOSK_SILENT_ALERT_MINUTES, journal near its bound',
    'alert',
    KioskAlertKinds,
    (k, alert) => k.alerts.some((a) => a.kind === alert),
  );
}
