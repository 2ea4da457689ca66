import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import pino from 'pino';
import { passCode, printedPassCode, serviceBarcode, type DenialReason } from '@aptic/contracts';
import { Agent } from './agent.ts';
import { describe, type Feedback } from './feedback.ts';
import { Journal } from './journal.ts';
import type { LinkEvents, ScanLink } from './link.ts';
import type { ScannerEvents, ScannerSource } from './source.ts';

function setup(maxScans = 100, online = true) {
  const shown: Feedback[] = [];
  const journal = new Journal(':memory:', maxScans);
  let wakes = 0;
  let linkEvents: LinkEvents | undefined;
  const link: ScanLink & { online: boolean } = {
    online,
    start: async (e) => void (linkEvents = e),
    wake: () => void wakes++,
    heartbeat: async () => undefined,
    stop: async () => {},
  };
  let scanner: ScannerEvents | undefined;
  const source: ScannerSource = { start: async (e) => void (scanner = e), stop: async () => {} };
  let now = 0;
  const agent = new Agent({
    kioskId: randomUUID(),
    sessionTimeoutMs: 60_000,
    journal,
    source,
    link,
    feedback: { show: (f) => shown.push(f) },
    log: pino({ level: 'silent' }),
    now: () => now,
  });
  return {
    agent,
    journal,
    shown,
    scan: (code: string) => scanner!.barcode(code),
    wakes: () => wakes,
    link: () => linkEvents!,
    setOnline: (on: boolean) => void (link.online = on),
    advance: (ms: number) => void (now += ms),
  };
}

const OFFER = randomUUID();
const code = (n: number) => passCode('a test key', n, 1);
const [P1, P2, P3] = [code(1), code(2), code(3)];

test('bad input gets an immediate local message, is not journaled and not sent', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(P1); // no service chosen
  t.scan('HELLO-WORLD'); // neither a pass nor a service code
  t.scan('9'.repeat(500)); // a 500-character scan
  t.scan(serviceBarcode(OFFER));
  t.scan(`${P1.slice(0, 5)}${P1[6]}${P1[5]}${P1.slice(7)}`); // two digits swapped when typing
  const refused = t.shown.filter((f) => f.kind === 'refused');
  expect(refused.map((f) => f.reason)).toEqual(['no_service', 'unrecognised', 'too_long', 'misread']);
  expect(describe(refused.at(-1)!)).toMatch(/^✘ Code mal saisi : .*Rien n’a été envoyé\.$/);
  expect(t.journal.pendingCount()).toBe(0);
  expect(t.wakes()).toBe(0);
  await t.agent.stop();
});

test('a pass in a session is journaled as a valid ScanMessage, then the link is woken', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.scan(printedPassCode(P1)); // typed as printed, in groups
  const [scan] = t.journal.pending();
  expect(scan).toMatchObject({ offerId: OFFER, code: P1, offline: false });
  expect(t.wakes()).toBe(1);
  expect(t.shown.at(-1)).toEqual({ kind: 'queued', code: P1, offline: false });
  // A verdict shows the pass it is about; the same verdict again is shown once.
  t.journal.markSent(scan!);
  const verdict = {
    scanId: scan!.scanId,
    outcome: 'denied' as const,
    reason: 'expired' as const,
    message: 'Pass expiré',
  };
  t.link().verdict(verdict);
  t.link().verdict(verdict);
  expect(t.shown.filter((f) => f.kind === 'denied')).toEqual([
    { kind: 'denied', code: P1, reason: 'expired', message: 'Pass expiré', late: false },
  ]);
  await t.agent.stop();
});

test('journal full: the new scan is refused with an alarm, the old ones are kept, and the pass can be rescanned later', async () => {
  const t = setup(2);
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.scan(P1);
  t.scan(P2);
  t.scan(P3);
  expect(t.shown.at(-1)).toMatchObject({ kind: 'alarm' });
  expect(t.journal.pending().map((s) => s.code)).toEqual([P1, P2]);
  t.journal.markSent(t.journal.pending()[0]!);
  t.link().sent(t.journal.pending()[0]!, false);
  t.scan(P3); // not remembered by the session as scanned, since it was not journaled
  expect(t.journal.pending().map((s) => s.code)).toEqual([P2, P3]);
  await t.agent.stop();
});

test('session timeout is announced', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  t.advance(60_000);
  t.agent.onTick();
  expect(t.shown.at(-1)).toEqual({ kind: 'session_closed', reason: 'timeout' });
  t.scan(P1);
  expect(t.shown.at(-1)).toMatchObject({ kind: 'refused', reason: 'no_service' });
  await t.agent.stop();
});

test('a link offline at start is said at once, and its scans are kept offline', async () => {
  const t = setup(100, false);
  await t.agent.start();
  expect(t.shown[0]).toMatchObject({ kind: 'status', message: expect.stringMatching(/^HORS LIGNE/) });
  t.scan(serviceBarcode(OFFER));
  t.scan(P1);
  expect(t.journal.pending()[0]).toMatchObject({ code: P1, offline: true, lastVerdictScanId: null });
  expect(describe(t.shown.at(-1)!)).toBe(
    `… Pass ${printedPassCode(P1)} enregistré hors ligne : il sera envoyé au retour du réseau.`,
  );
  await t.agent.stop();
});

test('the mediator reads French lines: the service by its name, one verdict line, no reason code', () => {
  expect(describe({ kind: 'session_opened', offerId: OFFER, service: 'Aide aux démarches' })).toBe(
    '▶ Service choisi : Aide aux démarches. Scannez les pass.',
  );
  expect(describe({ kind: 'queued', code: P1, offline: false })).toBeUndefined();
  expect(describe({ kind: 'accepted', code: P1, faceValueCents: 1000, late: false })).toBe(
    '✔ Pass accepté — 10,00\u00a0€',
  );
  const denied = describe({
    kind: 'denied',
    code: P1,
    reason: 'same_carnet_same_service',
    message: 'Un seul pass par carnet.',
    late: true,
  });
  expect(denied).toBe(`✘ Pass refusé — Un seul pass par carnet. (pass ${printedPassCode(P1)}, scanné hors ligne)`);
  expect(describe({ kind: 'refused', reason: 'no_service', message: 'Choisissez d’abord le service.' })).toBe(
    '✘ Choisissez d’abord le service.',
  );
});

test('an outage says HORS LIGNE and its end says so; a clean stop says "Borne arrêtée", never "hors ligne"', async () => {
  const t = setup();
  await t.agent.start();
  t.link().offline('publish not acknowledged');
  t.scan(serviceBarcode(OFFER));
  t.scan(P1);
  t.link().online();
  const lines = () => t.shown.map(describe).filter(Boolean);
  expect(lines()).toContain('· HORS LIGNE : les scans sont gardés sur la borne et seront envoyés au retour du réseau');
  expect(lines()).toContain('· EN LIGNE : réseau rétabli, les scans gardés sur la borne sont envoyés');
  const before = t.shown.length;
  await t.agent.stop();
  const after = t.shown.slice(before).map(describe);
  expect(after).toEqual(['· Borne arrêtée : 1 scan(s) gardé(s) sur la borne, envoyé(s) au prochain démarrage']);
});

test('an offline scan names the last scan whose verdict the kiosk received, not one still unanswered', async () => {
  const t = setup();
  await t.agent.start();
  t.scan(serviceBarcode(OFFER));
  const answer = (code: string, reason: DenialReason) => {
    const scan = t.journal.pending().find((s) => s.code === code)!;
    t.journal.markSent(scan);
    t.link().verdict({ scanId: scan.scanId, outcome: 'denied', reason, message: 'Refusé.' });
    return scan.scanId;
  };
  t.scan(P1);
  const answered = answer(P1, 'expired');
  t.scan(P2); // online, then the link stalls before its verdict comes
  t.setOnline(false);
  t.scan(P3);
  const byCode = () => new Map(t.journal.pending().map((s) => [s.code, s]));
  expect(byCode().get(P2)).not.toHaveProperty('lastVerdictScanId');
  expect(byCode().get(P3)).toMatchObject({ offline: true, lastVerdictScanId: answered });
  // A refused message leaves no scan on the platform: it is not the last verdict.
  answer(P2, 'invalid_message');
  t.scan(code(4));
  expect(byCode().get(code(4))).toMatchObject({ offline: true, lastVerdictScanId: answered });
  await t.agent.stop();
});
