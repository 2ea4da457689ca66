import { expect, test } from 'vitest';
import { scanTime, type ScanClock } from './clock.ts';

const arrivedAt = new Date('2027-01-10T09:00:00.000Z');
const clock = (over: Partial<ScanClock>): ScanClock => ({
  scannedAt: '2027-01-09T15:00:00.000Z',
  offline: true,
  arrivedAt,
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
