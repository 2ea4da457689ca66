import { expect, test } from 'vitest';
import { lastRedemptionDay } from '@aptic/contracts';
import { allocatePayments, applyCredits, closing } from './billing.ts';

test('payments cover the face value first, then services, and keep any excess', () => {
  expect(allocatePayments(2_000_000, 545_000, 1_500_000)).toEqual({
    faceValuePaidCents: 1_500_000,
    servicesPaidCents: 0,
    overpaidCents: 0,
    faceValueCovered: false,
  });
  expect(allocatePayments(2_000_000, 545_000, 2_100_000)).toEqual({
    faceValuePaidCents: 2_000_000,
    servicesPaidCents: 100_000,
    overpaidCents: 0,
    faceValueCovered: true,
  });
  expect(allocatePayments(2_000_000, 545_000, 2_600_000)).toMatchObject({
    servicesPaidCents: 545_000,
    overpaidCents: 55_000,
  });
  expect(allocatePayments(0, 0, 0).faceValueCovered).toBe(true);
});

test('credit notes are used oldest first and never beyond the amount', () => {
  const credits = [
    { creditNoteId: 'a', remainingCents: 30_000 },
    { creditNoteId: 'b', remainingCents: 50_000 },
    { creditNoteId: 'c', remainingCents: 10_000 },
  ];
  expect(applyCredits(60_000, credits)).toEqual({
    applications: [
      { creditNoteId: 'a', amountCents: 30_000 },
      { creditNoteId: 'b', amountCents: 30_000 },
    ],
    dueCents: 0,
  });
  expect(applyCredits(200_000, credits).dueCents).toBe(110_000);
  expect(applyCredits(50_000, []).dueCents).toBe(50_000);
});

test('year-end validity has a month of grace; an earlier end is strict', () => {
  expect(lastRedemptionDay('2026-12-31')).toBe('2027-01-31');
  expect(lastRedemptionDay('2026-06-30')).toBe('2026-06-30');
});

test('closing credits the final count it is given, and refuses one that does not add up', () => {
  expect(
    closing(2000, { passCount: 2000, redeemedCount: 1234, unredeemedCount: 766, unredeemedValueCents: 766_000 }),
  ).toEqual({ unusedPasses: 766, creditCents: 766_000 });
  expect(closing(1000, { passCount: 1000, redeemedCount: 1000, unredeemedCount: 0, unredeemedValueCents: 0 })).toEqual({
    unusedPasses: 0,
    creditCents: 0,
  });
  for (const wrong of [
    { passCount: 1000, redeemedCount: 10, unredeemedCount: 1990, unredeemedValueCents: 1_990_000 },
    { passCount: 2000, redeemedCount: 10, unredeemedCount: 1980, unredeemedValueCents: 1_980_000 },
    { passCount: 2000, redeemedCount: 10, unredeemedCount: 1990, unredeemedValueCents: 1_990_001 },
  ]) {
    expect(() => closing(2000, wrong)).toThrow(expect.objectContaining({ code: 'final_count_mismatch' }));
  }
});
