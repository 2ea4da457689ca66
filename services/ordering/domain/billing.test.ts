import { expect, test } from 'vitest';
import { lastRedemptionDay } from '@aptic/contracts';
import { allocatePayments, applyCredits, closing } from './billing.ts';

test('payments cover the face value first, then services, and keep any excess', () => {
  expect(allocatePayments(2_000_000, 545_000, 1_500_000)).toEqual({ faceValuePaidCents: 1_500_000, servicesPaidCents: 0, overpaidCents: 0, faceValueCovered: false });
  expect(allocatePayments(2_000_000, 545_000, 2_100_000)).toEqual({ faceValuePaidCents: 2_000_000, servicesPaidCents: 100_000, overpaidCents: 0, faceValueCovered: true });
  expect(allocatePayments(2_000_000, 545_000, 2_600_000)).toMatchObject({ servicesPaidCents: 545_000, overpaidCents: 55_000 });
  expect(allocatePayments(0, 0, 0).faceValueCovered).toBe(true);
});

test('credit notes are used oldest first and never beyond the amount', () => {
  const credits = [
    { creditNoteId: 'a', remainingCents: 30_000 },
    { creditNoteId: 'b', remainingCents: 50_000 },
    { creditNoteId: 'c', remainingCents: 10_000 },
  ];
  expect(applyCredits(60_000, credits)).toEqual({ applications: [{ creditNoteId: 'a', amountCents: 30_000 }, { creditNoteId: 'b', amountCents: 30_000 }], dueCents: 0 });
  expect(applyCredits(200_000, credits).dueCents).toBe(110_000);
  expect(applyCredits(50_000, []).dueCents).toBe(50_000);
});

test('year-end validity has a month of grace; an earlier end is strict', () => {
  expect(lastRedemptionDay('2026-12-31')).toBe('2027-01-31');
  expect(lastRedemptionDay('2026-06-30')).toBe('2026-06-30');
});

test('closing returns the unused face value, and only after the last redemption day', () => {
  expect(() => closing({ validUntil: '2026-12-31', today: '2027-01-31', passCount: 2000, redeemed: 0 })).toThrow(expect.objectContaining({ code: 'validity_not_ended' }));
  expect(closing({ validUntil: '2026-12-31', today: '2027-02-01', passCount: 2000, redeemed: 1234 })).toEqual({ unusedPasses: 766, creditCents: 766_000 });
  expect(closing({ validUntil: '2026-06-30', today: '2026-07-01', passCount: 1000, redeemed: 1000 })).toEqual({ unusedPasses: 0, creditCents: 0 });
});
