import { describe, expect, test } from 'vitest';
import { KIOSK_UNDO_WINDOW_MS, earlierScanWins, mayCancel, settlementMonth } from './cancellation.ts';

const accepted = new Date('2026-11-22T10:00:00Z');
const facts = { kioskId: 'k1', acceptedAt: accepted, cancelled: false, settled: false };
const later = (ms: number) => new Date(accepted.getTime() + ms);

describe('cancelling a redemption', () => {
  test('the same kiosk, within 15 minutes', () => {
    expect(mayCancel(facts, { kind: 'kiosk', kioskId: 'k1' }, later(KIOSK_UNDO_WINDOW_MS))).toEqual({ ok: true });
    expect(mayCancel(facts, { kind: 'kiosk', kioskId: 'k1' }, later(KIOSK_UNDO_WINDOW_MS + 1))).toMatchObject({
      ok: false,
      code: 'undo_window_passed',
    });
    expect(mayCancel(facts, { kind: 'kiosk', kioskId: 'k2' }, later(1000))).toMatchObject({
      ok: false,
      code: 'not_this_kiosk',
    });
  });
  test('staff, any time until the month is settled; never twice', () => {
    expect(mayCancel(facts, { kind: 'staff', reason: 'erreur' }, later(40 * 86_400_000))).toEqual({ ok: true });
    expect(mayCancel({ ...facts, settled: true }, { kind: 'staff', reason: 'erreur' }, later(1000))).toMatchObject({
      ok: false,
      code: 'period_settled',
    });
    expect(mayCancel({ ...facts, cancelled: true }, { kind: 'kiosk', kioskId: 'k1' }, later(1000))).toMatchObject({
      ok: false,
      code: 'already_cancelled',
    });
  });
  test('settlement months and offline conflicts', () => {
    expect(settlementMonth('2026-11-30')).toBe('2026-11');
    expect(earlierScanWins(new Date('2026-11-22T09:00:00Z'), { scannedAt: accepted, settled: false })).toBe(true);
    expect(earlierScanWins(new Date('2026-11-22T11:00:00Z'), { scannedAt: accepted, settled: false })).toBe(false);
    expect(earlierScanWins(new Date('2026-11-22T09:00:00Z'), { scannedAt: accepted, settled: true })).toBe(false);
  });
});
