import { randomInt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { PASS_CODE_LENGTH, isAuthentic, passCode, readPassCode } from './pass-code.ts';

const KEY = 'test-key-not-secret';

describe('pass codes', () => {
  test('carry their carnet and position, are digits only, and are unique per pass', () => {
    const code = passCode(KEY, 42, 3);
    expect(code).toMatch(/^[0-9]{22}$/);
    expect(code.length).toBe(PASS_CODE_LENGTH);
    expect(readPassCode(code)).toEqual({ ok: true, carnetNumber: 42, position: 3 });
    const codes = new Set<string>();
    for (let carnet = 1; carnet <= 1000; carnet++) for (let p = 1; p <= 10; p++) codes.add(passCode(KEY, carnet, p));
    expect(codes.size).toBe(10_000);
  });

  test('cannot be derived without the key', () => {
    expect(passCode('another key', 42, 3)).not.toBe(passCode(KEY, 42, 3));
    expect(isAuthentic(KEY, passCode(KEY, 42, 3))).toBe(true);
    expect(isAuthentic('another key', passCode(KEY, 42, 3))).toBe(false);
  });

  test('refuses out-of-range carnets and positions', () => {
    expect(() => passCode(KEY, 0, 1)).toThrow(RangeError);
    expect(() => passCode(KEY, 10_000_000, 1)).toThrow(RangeError);
    expect(() => passCode(KEY, 1, 11)).toThrow(RangeError);
  });

  test('property: every single-digit substitution and adjacent transposition of 100,000 random codes is rejected', () => {
    let checked = 0;
    const accepted: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const code = passCode(KEY, randomInt(1, 10_000_000), randomInt(1, 11));
      for (let at = 0; at < code.length; at++) {
        const head = code.slice(0, at);
        const tail = code.slice(at + 1);
        for (let d = 0; d <= 9; d++) {
          if (String(d) === code[at]) continue;
          const variant = head + d + tail;
          checked++;
          if (readPassCode(variant).ok) accepted.push(variant);
        }
        if (at + 1 < code.length && code[at] !== code[at + 1]) {
          const swapped = head + code[at + 1] + code[at] + code.slice(at + 2);
          checked++;
          if (readPassCode(swapped).ok) accepted.push(swapped);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(checked).toBeGreaterThan(20_000_000);
  }, 120_000);
});
