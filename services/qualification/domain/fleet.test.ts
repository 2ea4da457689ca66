import { expect, test } from 'vitest';
import { alertsOf, DEFAULT_ALERT_SETTINGS, linkState, readAlertSettings, type LastHeartbeat } from './fleet.ts';

const now = new Date('2026-03-02T10:00:00Z');
const ago = (ms: number, extra: Partial<LastHeartbeat> = {}): LastHeartbeat => ({
  receivedAt: new Date(now.getTime() - ms),
  stopping: false,
  pending: 0,
  journalMax: 10_000,
  ...extra,
});

test('online within 2 minutes of the last heartbeat, silent after; offline when it said it stopped, or never spoke', () => {
  expect(linkState(ago(30_000), now)).toBe('online');
  expect(linkState(ago(120_000), now)).toBe('online');
  expect(linkState(ago(120_001), now)).toBe('silent');
  expect(linkState(ago(10_000, { stopping: true }), now)).toBe('offline');
  expect(linkState(undefined, now)).toBe('offline');
});

test('alerts: silent longer than the setting, journal at or past its share of the bound; a clean stop raises none', () => {
  expect(alertsOf(ago(9 * 60_000), now, DEFAULT_ALERT_SETTINGS)).toEqual([]);
  expect(alertsOf(ago(11 * 60_000), now, DEFAULT_ALERT_SETTINGS)).toEqual([
    { kind: 'silent', message: 'Borne muette depuis 11 min : ni arrêt annoncé, ni signe de vie.' },
  ]);
  expect(alertsOf(ago(11 * 60_000, { stopping: true }), now, DEFAULT_ALERT_SETTINGS)).toEqual([]);
  expect(alertsOf(ago(1_000, { pending: 7_999 }), now, DEFAULT_ALERT_SETTINGS)).toEqual([]);
  expect(alertsOf(ago(1_000, { pending: 8_000 }), now, DEFAULT_ALERT_SETTINGS).map((a) => a.kind)).toEqual([
    'journal_near_full',
  ]);
  expect(alertsOf(undefined, now, DEFAULT_ALERT_SETTINGS)).toEqual([]);
});

test('alert settings from the environment, a bad value named', () => {
  expect(readAlertSettings({})).toEqual(DEFAULT_ALERT_SETTINGS);
  expect(readAlertSettings({ KIOSK_SILENT_ALERT_MINUTES: '3', KIOSK_JOURNAL_ALERT_PERCENT: '50' })).toEqual({
    silentAlertMs: 180_000,
    journalAlertPercent: 50,
  });
  expect(() => readAlertSettings({ KIOSK_SILENT_ALERT_MINUTES: 'soon' })).toThrow(/KIOSK_SILENT_ALERT_MINUTES/);
  expect(() => readAlertSettings({ KIOSK_JOURNAL_ALERT_PERCENT: '120' })).toThrow(/KIOSK_JOURNAL_ALERT_PERCENT/);
});
