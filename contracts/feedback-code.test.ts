import { describe, expect, test } from 'vitest';
import {
  FEEDBACK_CODE_LENGTH,
  feedbackCode,
  feedbackCodePrefix,
  groupedFeedbackCode,
  isAuthenticFeedbackCode,
  readFeedbackCode,
} from './feedback-code.ts';
import { MAX_CARNET_NUMBER, passCode, readPassCode } from './pass-code.ts';

const KEY = 'test-key-not-secret';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('feedback codes', () => {
  test('name their carnet and position in Crockford base32 with a check symbol, one per pass', () => {
    const code = feedbackCode(KEY, 42, 3);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{14}[0-9A-HJKMNP-TV-Z*~$=U]$/);
    expect(code.length).toBe(FEEDBACK_CODE_LENGTH);
    expect(readFeedbackCode(code)).toEqual({ ok: true, code, carnetNumber: 42, position: 3 });
    expect(readFeedbackCode(feedbackCode(KEY, MAX_CARNET_NUMBER, 10))).toMatchObject({
      carnetNumber: MAX_CARNET_NUMBER,
      position: 10,
    });
    const codes = new Set<string>();
    for (let carnet = 1; carnet <= 1000; carnet++)
      for (let p = 1; p <= 10; p++) codes.add(feedbackCode(KEY, carnet, p));
    expect(codes.size).toBe(10_000);
  });

  test('are read as typed: groups, lower case, and the letters Crockford reads as digits', () => {
    const code = feedbackCode(KEY, 1234, 7);
    const grouped = groupedFeedbackCode(code);
    expect(grouped).toMatch(/^.{5}-.{5}-.{5}$/);
    expect(readFeedbackCode(grouped.toLowerCase().replace(/-/g, ' '))).toMatchObject({ ok: true, code });
    const withLetters = code.replace(/0/g, 'O').replace(/1/g, 'l');
    expect(readFeedbackCode(withLetters)).toMatchObject({ ok: true, code });
  });

  test('catch every single-character error and adjacent transposition', () => {
    const code = feedbackCode(KEY, 987, 2);
    for (let i = 0; i < 14; i++) {
      for (const c of ALPHABET) {
        if (c === code[i]) continue;
        expect(readFeedbackCode(code.slice(0, i) + c + code.slice(i + 1)).ok).toBe(false);
      }
      if (code[i] !== code[i + 1] && i < 13)
        expect(readFeedbackCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2)).ok).toBe(false);
    }
  });

  test('cannot be made without the key, and hold at least 40 secret bits', () => {
    expect(isAuthenticFeedbackCode(KEY, feedbackCode(KEY, 42, 3))).toBe(true);
    expect(isAuthenticFeedbackCode('another key', feedbackCode(KEY, 42, 3))).toBe(false);
    // Carnet and position take 28 of the 70 bits: the 42 others depend on the key only.
    expect(70 - 24 - 4).toBeGreaterThanOrEqual(40);
    expect(feedbackCodePrefix(feedbackCode(KEY, 42, 3))).toBe(feedbackCodePrefix(feedbackCode(KEY, 42, 4)));
  });

  test('a pass code cannot rate and a feedback code cannot redeem', () => {
    const pass = passCode(KEY, 42, 3);
    expect(readFeedbackCode(pass)).toEqual({ ok: false, reason: 'malformed' });
    expect(readPassCode(feedbackCode(KEY, 42, 3))).toEqual({ ok: false, reason: 'misread' });
    expect(readFeedbackCode('https://example.org')).toEqual({ ok: false, reason: 'malformed' });
    expect(readFeedbackCode('')).toEqual({ ok: false, reason: 'malformed' });
  });
});
