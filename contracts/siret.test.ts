import { describe, expect, test } from 'vitest';
import { isValidSiret } from './siret.ts';

describe('isValidSiret', () => {
  test('accepts real SIRETs', () => {
    expect(isValidSiret('73282932000074')).toBe(true); // Apple France
    expect(isValidSiret('35600000000048')).toBe(true); // La Poste head office, Luhn
    expect(isValidSiret('35600000049837')).toBe(true); // a La Poste establishment, digit sum rule
  });
  test('refuses a wrong check, a wrong length, non-digits', () => {
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('7328293200007A')).toBe(false);
    expect(isValidSiret('')).toBe(false);
  });
  test('catches every single-digit substitution of a valid SIRET', () => {
    const valid = '73282932000074';
    for (let i = 0; i < 14; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        expect(isValidSiret(valid.slice(0, i) + d + valid.slice(i + 1))).toBe(false);
      }
    }
  });
});
