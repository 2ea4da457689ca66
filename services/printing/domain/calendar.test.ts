import { describe, expect, test } from 'vitest';
import { addWorkingDays, easter, isWorkingDay, publicHolidays } from './calendar.ts';
import { assertAwaitingAnswer, assertMaySend } from './proof.ts';

describe('French working days', () => {
  test('Easter and the movable holidays', () => {
    expect(easter(2026)).toBe('2026-04-05');
    expect(easter(2027)).toBe('2027-03-28');
    const h = publicHolidays(2026);
    for (const d of [
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ])
      expect(h.has(d)).toBe(true);
    expect(h.size).toBe(11);
  });
  test('weekends and holidays are skipped', () => {
    expect(isWorkingDay('2026-11-11')).toBe(false); // Armistice, a Wednesday
    expect(isWorkingDay('2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-23')).toBe(true);
    // 15 working days from Friday 20 Nov 2026: 23–27, 30 Nov–4 Dec, 7–11 Dec.
    expect(addWorkingDays('2026-11-20', 15)).toBe('2026-12-11');
    // Across Christmas and New Year: 21–24 Dec, 28–31 Dec, 4–8 Jan, 11–12 Jan.
    expect(addWorkingDays('2026-12-18', 15)).toBe('2027-01-12');
    // Across the May holidays: 1 May (Friday) and 8 May (Friday) skipped: 4–7 May, then 11 May.
    expect(addWorkingDays('2026-04-30', 5)).toBe('2026-05-11');
  });
});

describe('proof answers', () => {
  test('only a proof awaiting an answer is answered; one pending or approved proof at a time', () => {
    expect(() => assertAwaitingAnswer('sent')).not.toThrow();
    expect(() => assertAwaitingAnswer('approved')).toThrow(expect.objectContaining({ code: 'proof_already_answered' }));
    expect(() => assertMaySend(['rejected', 'expired'])).not.toThrow();
    expect(() => assertMaySend(['sent'])).toThrow(expect.objectContaining({ code: 'proof_pending' }));
    expect(() => assertMaySend(['rejected', 'approved'])).toThrow(
      expect.objectContaining({ code: 'proof_already_approved' }),
    );
  });
});
