import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import pino from 'pino';
import { serviceBarcode } from '@aptic/contracts';
import { Agent } from './agent.ts';
import type { Feedback } from './feedback.ts';
import { Journal } from './journal.ts';
import type { LinkEvents, ScanLink } from './link.ts';
import type { ScannerEvents, ScannerSource } from './source.ts';

function setup(maxScans = 100) {
  const shown: Feedback[] = [];
  const journal = new Journal(':memory:', maxScans);
  let wakes = 0;
  let linkEvents: LinkEvents | undefined;
  const link: ScanLink = { online: true, start: (e) => void (linkEvents = e), wake: () => void wakes++, stop: async () => {} };
  let scanner: ScannerEvents | undefined;
  const source: ScannerSource = { start: async (e) => void (scanner = e), stop: async () => {} };
  let now = 0;
  const agent = new Agent({ kioskId: randomUUID(), sessionTimeoutMs: 60_000, journal, source, link, feedback: { show: (f) => shown.push(f) }, log: pino({ level: 'silent' }), now: () => now });
  return {
    agent, journal, shown,
    scan: (code: string) => scanner!.barcode(code),
    wakes: () => wakes,
    link: () => linkEvents!,
    advance: (ms: number) => void (now += ms),
  };
}

const OFFER = randomUUID();

test('bad input gets an immediate local message, is not journaled and not sent', async () => {
  const t = setup();
  await t.agent.start();
  t.scan('12345678'); // no service chosen
  t.scan('HELLO-WORLD'); // neither a pass nor a service code
  t.scan('9'.repeat(500)); // a 500-character scan
  expect(t.shown.filter((f) => f.kind === 'refused').map((f) => (f as { reason: string }).reason)).toEqual(['no_service', 'unrecognised', 'too_long']);
  expect(t.journal.pendingCount()).toBe(0);
  expect(t.wakes()).toBe(0);
  await t.agent.stop();
});

test('a pass in a session is journaled as a valid ScanMessage, then the link is woken', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.scan('12345678');
  const [scan] = t.journal.pending();
  expect(scan).toMatchObject({ offerId: OFFER, code: '12345678', offline: false });
  expect(t.wakes()).toBe(1);
  expect(t.shown.at(-1)).toEqual({ kind: 'queued', code: '12345678', offline: false });
  // A verdict shows the pass it is about; the same verdict again is shown once.
  t.journal.markSent(scan!);
  const verdict = { scanId: scan!.scanId, outcome: 'denied' as const, reason: 'expired' as const, message: 'Pass expiré' };
  t.link().verdict(verdict);
  t.link().verdict(verdict);
  expect(t.shown.filter((f) => f.kind === 'denied')).toEqual([{ kind: 'denied', code: '12345678', reason: 'expired', message: 'Pass expiré', late: false }]);
  await t.agent.stop();
});

test('journal full: the new scan is refused with an alarm, the old ones are kept, and the pass can be rescanned later', async () => {
  const t = setup(2);
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.scan('11111111');
  t.scan('22222222');
  t.scan('33333333');
  expect(t.shown.at(-1)).toMatchObject({ kind: 'alarm' });
  expect(t.journal.pending().map((s) => s.code)).toEqual(['11111111', '22222222']);
  t.journal.markSent(t.journal.pending()[0]!);
  t.link().sent(t.journal.pending()[0]!, false);
  t.scan('33333333'); // not remembered by the session as scanned, since it was not journaled
  expect(t.journal.pending().map((s) => s.code)).toEqual(['22222222', '33333333']);
  await t.agent.stop();
});

test('session timeout is announced', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.advance(60_000);
  t.agent.onTick();
  expect(t.shown.at(-1)).toEqual({ kind: 'session_closed', reason: 'timeout' });
  t.scan('12345678');
  expect(t.shown.at(-1)).toMatchObject({ kind: 'refused', reason: 'no_service' });
  await t.agent.stop();
});
