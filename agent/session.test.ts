import { expect, test } from 'vitest';
import { passCode, printedPassCode, serviceBarcode } from '@aptic/contracts';
import { IDLE, scan, tick, type ScanOutcome, type SessionState } from './session.ts';

const OFFER = '0b8f0c8e-1a2b-4c3d-9e8f-0123456789ab';
const OTHER = '11111111-2222-4333-8444-555555555555';
const T = 60_000;
const PASS = passCode('a test key', 1, 1);
const OTHER_PASS = passCode('a test key', 2, 1);
let n = 0;
const id = () => `session-${++n}`;

test('service first, then passes; each pass carries the session and offer', () => {
  let [s, o] = scan(IDLE, serviceBarcode(OFFER), 0, T, id);
  expect(o).toMatchObject({ kind: 'session_opened', offerId: OFFER });
  const sessionId = (o as { sessionId: string }).sessionId;
  [s, o] = scan(s, PASS, 1_000, T, id);
  expect(o).toEqual({ kind: 'pass', sessionId, offerId: OFFER, code: PASS });
  [s, o] = scan(s, ` ${printedPassCode(OTHER_PASS)} \r`, 2_000, T, id);
  expect(o).toMatchObject({ kind: 'pass', code: OTHER_PASS, sessionId });
});

test('a pass with no service chosen is refused and changes nothing', () => {
  const [s, o] = scan(IDLE, PASS, 0, T, id);
  expect(o).toEqual({ kind: 'refused', reason: 'no_service', closed: undefined });
  expect(s).toBe(IDLE);
});

test('neither a pass nor a service code, or far too long: refused, session untouched', () => {
  const [open] = scan(IDLE, serviceBarcode(OFFER), 0, T, id);
  for (const [text, reason] of [
    ['HELLO', 'unrecognised'],
    ['1234', 'misread'],
    [PASS.slice(0, -1) + ((Number(PASS.at(-1)) + 1) % 10), 'misread'],
    ['SRV-nope', 'unrecognised'],
    ['1'.repeat(500), 'too_long'],
  ] as const) {
    const [s, o] = scan(open, text, 10, T, id);
    expect(o).toMatchObject({ kind: 'refused', reason });
    expect(s).toBe(open);
  }
});

test('the same pass twice in one session is refused locally', () => {
  let [s] = scan(IDLE, serviceBarcode(OFFER), 0, T, id);
  [s] = scan(s, PASS, 1, T, id);
  const [after, o] = scan(s, PASS, 2, T, id);
  expect(o).toMatchObject({ kind: 'refused', reason: 'already_scanned' });
  expect(after).toBe(s);
});

test('a new service barcode closes the session and opens another', () => {
  let s: SessionState;
  let o: ScanOutcome;
  [s, o] = scan(IDLE, serviceBarcode(OFFER), 0, T, id);
  const first = (o as { sessionId: string }).sessionId;
  [s] = scan(s, PASS, 1, T, id);
  [s, o] = scan(s, serviceBarcode(OTHER), 2, T, id);
  expect(o).toMatchObject({
    kind: 'session_opened',
    offerId: OTHER,
    closed: { sessionId: first, reason: 'new_service' },
  });
  // Same pass, new service act: allowed.
  [s, o] = scan(s, PASS, 3, T, id);
  expect(o).toMatchObject({ kind: 'pass', offerId: OTHER });
});

test('inactivity closes the session: by tick, or at the next scan', () => {
  const [open] = scan(IDLE, serviceBarcode(OFFER), 0, T, id);
  expect(tick(open, T - 1, T)).toEqual([open, undefined]);
  const [closed, sessionId] = tick(open, T, T);
  expect(closed).toBe(IDLE);
  expect(sessionId).toBe((open as { sessionId: string }).sessionId);
  const [s, o] = scan(open, PASS, T + 5, T, id);
  expect(o).toMatchObject({ kind: 'refused', reason: 'no_service', closed: { reason: 'timeout' } });
  expect(s).toBe(IDLE);
});
