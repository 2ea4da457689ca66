/**
 * The README's quick start, as a newcomer follows it: `npm start -- --demo`, then in another
 * terminal `npm run kiosk -- --demo`, type the service code and pass codes → accepted scans. The
 * kiosk runs in a real terminal (tmux): its screen is read back as the mediator sees it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DenialReasons, printedPassCode, ServiceNames } from '@aptic/contracts';
import { REFUSAL_MESSAGES } from '@aptic/agent';
import { eventually } from '../support/platform.ts';
import { startProcess } from '../support/process.ts';
import { openTerminal } from '../support/terminal.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aptic-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const ports = Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0']));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, APTIC_DATA_DIR: dataDir, ...ports };

/** What the kiosk's screen must never show the mediator: English, reason codes, log lines. */
const ENGLISH = /Kiosk of|first the service|reading barcodes|standard input|then passes|Type \(or scan\)/;
const CODES = new RegExp(`\\b(${[...DenialReasons, ...Object.keys(REFUSAL_MESSAGES)].join('|')})\\b`);

interface Demo {
  platformUrl: string;
  token: string;
  kioskId: string;
  serviceBarcode: string;
  passCodes: string[];
}

test('npm start -- --demo, then the demo kiosk in a terminal: French screens, the mediator’s scans are judged', async () => {
  const platform = await startProcess(['--demo'], env, /^ready \(embedded mode\)$/, 150_000);
  try {
    expect(platform.lines.some((l) => l.startsWith('  pass codes to try:'))).toBe(true);
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-kiosk.json'), 'utf8')) as Demo;
    const kiosk = openTerminal(['npm', 'run', 'kiosk', '--', '--demo'], { cwd: process.cwd(), env });
    try {
      await eventually(async () => kiosk.screen(), (s) => s.some((l) => l.includes('en ligne')), 30_000);
      const [first, ...others] = demo.passCodes;
      const mistyped = `${first!.slice(0, 10)}${(Number(first![10]) + 1) % 10}${first!.slice(11)}`;
      kiosk.type(demo.serviceBarcode);
      kiosk.type(printedPassCode(first!)); // typed as printed under the barcode, spaces included
      kiosk.type(printedPassCode(mistyped)); // one digit wrong
      for (const code of others) kiosk.type(code);
      const verdict = /^(✔ Pass accepté|✘ Pass refusé)/;
      const screen = await eventually(async () => kiosk.screen(), (s) => s.filter((l) => verdict.test(l)).length === demo.passCodes.length, 30_000);
      const verdicts = screen.filter((l) => verdict.test(l));
      expect(verdicts.slice(0, -1)).toEqual(others.map(() => '✔ Pass accepté — 10,00\u00a0€'));
      expect(verdicts.at(-1)).toBe('✘ Pass refusé — Un seul pass d’un même carnet par service : utilisez un pass d’un autre carnet.');
      expect(screen).toContain(`✘ ${REFUSAL_MESSAGES.misread}`);
      expect(screen.some((l) => l.startsWith('▶ Service choisi : Accompagnement individuel'))).toBe(true);
      // French only, no reason code, no log line, no pass "kept offline" while the platform is up.
      for (const line of screen) {
        expect(line).not.toMatch(ENGLISH);
        expect(line).not.toMatch(CODES);
        expect(line).not.toMatch(/hors ligne|HORS LIGNE|^\{/);
      }
      // The mistyped code never reached the platform; the others were recorded as online scans.
      const scans = await fetch(`${demo.platformUrl}/scans?kioskId=${demo.kioskId}`, { headers: { authorization: `Bearer ${demo.token}` } });
      const recorded = (await scans.json()) as { code: string; offline: boolean }[];
      expect(recorded.map((s) => s.code).sort()).toEqual([...demo.passCodes].sort());
      expect(recorded.every((s) => !s.offline)).toBe(true);
    } finally {
      kiosk.close();
    }
  } finally {
    platform.child.kill('SIGTERM');
    expect(await platform.exit).toBe(0);
  }
}, 200_000);
