import { describe, expect, test } from 'vitest';
import { scanTime, type ScanClock } from './clock.ts';

const arrivedAt = new Date('2027-01-10T09:00:00.000Z');
const clock = (over: Partial<ScanClock>): ScanClock => ({
  scannedAt: '2027-01-09T15:00:00.000Z',
  offline: true,
  arrivedAt,
  lastVerdictScanId: undefined,
  lastVerdictArrivedAt: undefined,
  lastOnlineAt: new Date('2027-01-09T14:00:00.000Z'),
  offlineLimitDays: 5,
  ...over,
});

test('an online scan is judged at its arrival, whatever the kiosk’s clock says', () => {
  expect(scanTime(clock({ offline: false, scannedAt: '2026-12-01T10:00:00.000Z' }))).toEqual({
    at: arrivedAt.toISOString(),
  });
  expect(scanTime(clock({ offline: false, scannedAt: '2027-03-01T10:00:00.000Z' }))).toEqual({
    at: arrivedAt.toISOString(),
  });
});

test('an offline scan keeps its time within the bounds', () => {
  expect(scanTime(clock({}))).toEqual({ at: '2027-01-09T15:00:00.000Z' });
  expect(scanTime(clock({ lastOnlineAt: undefined, scannedAt: '2027-01-05T09:00:01.000Z' }))).toEqual({
    at: '2027-01-05T09:00:01.000Z',
  });
  // A minute of drift either way is tolerated.
  expect(scanTime(clock({ scannedAt: '2027-01-10T09:01:00.000Z' }))).toEqual({ at: '2027-01-10T09:01:00.000Z' });
  expect(scanTime(clock({ scannedAt: '2027-01-09T13:59:00.000Z' }))).toEqual({ at: '2027-01-09T13:59:00.000Z' });
});

test.each([
  ['after its arrival', { scannedAt: '2027-01-10T09:05:00.000Z' }, 'en avance'],
  ['before the kiosk’s last online verdict', { scannedAt: '2027-01-09T13:00:00.000Z' }, 'dernière réponse'],
  [
    'older than the offline limit',
    { lastOnlineAt: undefined, scannedAt: '2027-01-05T08:59:59.000Z' },
    'plus de 5 jours',
  ],
  ['a kiosk set to last month', { lastOnlineAt: undefined, scannedAt: '2026-12-10T10:00:00.000Z' }, 'trop ancien'],
])('an offline scan dated %s is refused for its clock', (_label, over, words) => {
  const time = scanTime(clock(over));
  expect(time).toEqual({ skew: expect.stringContaining(words) });
});

describe('bounded by the verdict the kiosk names', () => {
  const named = { lastVerdictScanId: 'a6f1c2de-0b4e-4f3c-9d55-1f0c2b7e9a10' };
  // After a stall: an online scan stored at reconnection is the latest online arrival (08:55),
  // while the kiosk's last verdict received came for a scan that arrived at 08:40.
  const stall = {
    ...named,
    lastVerdictArrivedAt: new Date('2027-01-10T08:40:00.000Z'),
    lastOnlineAt: new Date('2027-01-10T08:55:00.000Z'),
  };

  test('a scan made during the stall, after the last verdict received, keeps its time', () => {
    expect(scanTime(clock({ ...stall, scannedAt: '2027-01-10T08:45:00.000Z' }))).toEqual({
      at: '2027-01-10T08:45:00.000Z',
    });
    // The same scan from an older agent, which names no verdict, is bounded by the latest online arrival.
    expect(
      scanTime(
        clock({
          ...stall,
          lastVerdictScanId: undefined,
          lastVerdictArrivedAt: undefined,
          scannedAt: '2027-01-10T08:45:00.000Z',
        }),
      ),
    ).toEqual({
      skew: expect.stringContaining('dernière réponse'),
    });
  });

  test('a scan dated before the arrival of the scan whose verdict the kiosk had is refused', () => {
    expect(scanTime(clock({ ...stall, scannedAt: '2027-01-10T08:37:59.000Z' }))).toEqual({
      skew: expect.stringContaining('dernière réponse'),
    });
    expect(scanTime(clock({ ...stall, scannedAt: '2027-01-10T08:38:00.000Z' }))).toEqual({
      at: '2027-01-10T08:38:00.000Z',
    });
  });

  test('a kiosk that never received a verdict is bounded by the offline limit only', () => {
    expect(scanTime(clock({ lastVerdictScanId: null, scannedAt: '2027-01-06T09:00:00.000Z' }))).toEqual({
      at: '2027-01-06T09:00:00.000Z',
    });
    expect(scanTime(clock({ lastVerdictScanId: null, scannedAt: '2027-01-05T08:59:59.000Z' }))).toEqual({
      skew: expect.stringContaining('plus de 5 jours'),
    });
  });

  test('a named scan the platform does not know as the kiosk’s falls back to the latest online arrival', () => {
    expect(scanTime(clock({ ...named, scannedAt: '2027-01-09T13:00:00.000Z' }))).toEqual({
      skew: expect.stringContaining('dernière réponse'),
    });
  });
});
