import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { DenialReason, ScanMessage, Verdict } from '@aptic/contracts';
import { Journal, JournalFullError } from './journal.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function path() {
  const d = mkdtempSync(join(tmpdir(), 'aptic-journal-'));
  dirs.push(d);
  return join(d, 'sub', 'journal.sqlite');
}
const scanOf = (code: string, offline = false): ScanMessage => ({
  scanId: randomUUID(),
  kioskId: randomUUID(),
  sessionId: randomUUID(),
  offerId: randomUUID(),
  code,
  scannedAt: new Date().toISOString(),
  offline,
});

const verdictOf = (scanId: string, reason: DenialReason = 'expired'): Verdict => ({
  scanId,
  outcome: 'denied',
  reason,
  message: 'Refusé.',
});

test('scans survive reopening, in order, until marked sent', () => {
  const p = path();
  const a = scanOf('11111111');
  const b = scanOf('22222222', true);
  let j = new Journal(p, 10);
  j.add(a);
  j.add(b);
  j.close();
  j = new Journal(p, 10);
  expect(j.pending()).toEqual([a, b]);
  j.markSent(a);
  expect(j.pending()).toEqual([b]);
  j.close();
  j = new Journal(p, 10);
  expect(j.pendingCount()).toBe(1);
  j.close();
});

test('a verdict settles its scan once; unknown or repeated verdicts find nothing', () => {
  const j = new Journal(path(), 10);
  const a = scanOf('11111111', true);
  j.add(a);
  j.markSent(a);
  j.markSent(a); // a second ack (re-send after a crash) changes nothing
  expect(j.settle(verdictOf(a.scanId))).toEqual({
    scanId: a.scanId,
    code: '11111111',
    scannedAt: a.scannedAt,
    offline: true,
  });
  expect(j.settle(verdictOf(a.scanId))).toBeUndefined();
  expect(j.settle(verdictOf(randomUUID()))).toBeUndefined();
  j.close();
});

test('the scan whose verdict came last is kept across reopening; a verdict on a refused message is not one', () => {
  const p = path();
  let j = new Journal(p, 10);
  expect(j.lastVerdictScanId()).toBeNull();
  const [a, b] = [scanOf('11111111'), scanOf('22222222')];
  for (const s of [a, b]) {
    j.add(s);
    j.markSent(s);
  }
  j.settle(verdictOf(a.scanId));
  j.settle(verdictOf(randomUUID())); // not ours
  j.settle(verdictOf(b.scanId, 'invalid_message'));
  j.close();
  j = new Journal(p, 10);
  expect(j.lastVerdictScanId()).toBe(a.scanId);
  j.close();
});

test('full: new scans are refused, old ones are kept', () => {
  const j = new Journal(path(), 2);
  const kept = [scanOf('11111111'), scanOf('22222222')];
  kept.forEach((s) => j.add(s));
  expect(j.isFull()).toBe(true);
  expect(() => j.add(scanOf('33333333'))).toThrow(JournalFullError);
  expect(j.pending()).toEqual(kept);
  j.markSent(kept[0]!);
  expect(j.isFull()).toBe(false);
  j.add(scanOf('33333333'));
  j.close();
});

test('the same scan id cannot be journaled twice', () => {
  const j = new Journal(path(), 10);
  const a = scanOf('11111111');
  j.add(a);
  expect(() => j.add(a)).toThrow();
  expect(j.pendingCount()).toBe(1);
  j.close();
});
