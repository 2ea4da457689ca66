/**
 * The fleet of kiosks as staff watch it (parc de bornes), from each kiosk's last heartbeat: its
 * link state and the alerts it raises. Pure rules: the caller gives the time.
 *
 * - online: a heartbeat within the last 2 minutes (four heartbeats of 30 s may be missed);
 * - silent: none for longer: the kiosk or its link died without saying so;
 * - offline: the kiosk said it stopped (its last heartbeat was its clean stop), or never spoke.
 */
export const KioskLinkStates = ['online', 'silent', 'offline'] as const;
export type KioskLinkState = (typeof KioskLinkStates)[number];

export const KioskAlertKinds = ['silent', 'journal_near_full'] as const;
type KioskAlertKind = (typeof KioskAlertKinds)[number];

const SILENT_AFTER_MS = 2 * 60_000;

export interface LastHeartbeat {
  receivedAt: Date;
  stopping: boolean;
  pending: number;
  journalMax: number;
}

export interface FleetAlertSettings {
  /** A kiosk silent longer than this raises an alert (KIOSK_SILENT_ALERT_MINUTES, default 10). */
  silentAlertMs: number;
  /** A journal holding at least this share of its bound raises an alert (KIOSK_JOURNAL_ALERT_PERCENT, default 80). */
  journalAlertPercent: number;
}

export const DEFAULT_ALERT_SETTINGS: FleetAlertSettings = { silentAlertMs: 10 * 60_000, journalAlertPercent: 80 };

export function linkState(last: LastHeartbeat | undefined, now: Date): KioskLinkState {
  if (!last || last.stopping) return 'offline';
  return now.getTime() - last.receivedAt.getTime() > SILENT_AFTER_MS ? 'silent' : 'online';
}

export interface KioskAlert {
  kind: KioskAlertKind;
  /** For staff, in French. */
  message: string;
}

/** What an active kiosk's last heartbeat calls for. A kiosk that stopped cleanly, or never spoke, raises none. */
export function alertsOf(last: LastHeartbeat | undefined, now: Date, settings: FleetAlertSettings): KioskAlert[] {
  if (!last) return [];
  const alerts: KioskAlert[] = [];
  const silentMs = now.getTime() - last.receivedAt.getTime();
  if (!last.stopping && silentMs > settings.silentAlertMs)
    alerts.push({
      kind: 'silent',
      message: `Borne muette depuis ${Math.floor(silentMs / 60_000)} min : ni arrêt annoncé, ni signe de vie.`,
    });
  if (last.pending * 100 >= last.journalMax * settings.journalAlertPercent)
    alerts.push({
      kind: 'journal_near_full',
      message: `Journal de la borne presque plein : ${last.pending} scans en attente d’envoi sur ${last.journalMax}.`,
    });
  return alerts;
}

/** The alert settings from the environment; a bad value stops the start, naming the variable. */
export function readAlertSettings(env: Record<string, string | undefined>): FleetAlertSettings {
  const number = (name: string, fallback: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}.`);
    return n;
  };
  return {
    silentAlertMs: number('KIOSK_SILENT_ALERT_MINUTES', 10, 7 * 24 * 60) * 60_000,
    journalAlertPercent: number('KIOSK_JOURNAL_ALERT_PERCENT', 80, 100),
  };
}
