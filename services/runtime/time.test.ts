import { expect, test } from 'vitest';
import { addDays, businessDate } from './time.ts';

test('the business date is the date in Paris, not in UTC', () => {
  expect(businessDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01'); // winter: UTC+1
  expect(businessDate(new Date('2026-07-14T21:59:00Z'))).toBe('2026-07-14'); // summer: UTC+2
  expect(businessDate(new Date('2026-07-14T22:00:00Z'))).toBe('2026-07-15');
});

test('adding days crosses months, years and leap days', () => {
  expect(addDays('2026-11-22', 30)).toBe('2026-12-22');
  expect(addDays('2026-12-15', 30)).toBe('2027-01-14');
  expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
});
