import { describe, expect, it } from 'vitest';
import { frenchDate, frenchDateTime, isCalendarDate } from './dates.ts';

describe('French dates', () => {
  it('shows a calendar date as DD/MM/YYYY and refuses impossible ones', () => {
    expect(frenchDate('2027-01-31')).toBe('31/01/2027');
    expect(frenchDate('2028-02-29')).toBe('29/02/2028');
    expect(() => frenchDate('2026-02-30')).toThrow(RangeError);
    expect(() => frenchDate('31/01/2027')).toThrow(RangeError);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-12-31')).toBe(true);
  });

  it('shows an instant as the time of day in France, summer and winter', () => {
    expect(frenchDateTime('2027-01-31T13:05:00Z')).toBe('31/01/2027 à 14:05');
    expect(frenchDateTime('2027-07-14T22:30:00Z')).toBe('15/07/2027 à 00:30');
    expect(frenchDateTime(new Date('2027-03-28T00:59:00Z'))).toBe('28/03/2027 à 01:59');
    expect(() => frenchDateTime('yesterday')).toThrow(RangeError);
  });
});
