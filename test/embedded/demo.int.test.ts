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

/** The demo's summary with what changes from one start to the next (ports, link signatures) masked. */
const summary = (lines: string[]) =>
  lines
    .slice(
      lines.findIndex((l) => l.startsWith('Demo, ')) + 1,
      lines.findIndex((l) => l.includes('npm run kiosk -- --demo')) + 1,
    )
    .map((l) => l.replace(/http:\/\/\S+/g, '<link>'));

test('npm start -- --demo, the demo kiosk in a terminal (French screens, scans judged), then the demo again on the same data', async () => {
  const platform = await startProcess(['--demo'], env, /^ready \(embedded mode\)$/, 150_000);
  const first = summary(platform.lines);
  const adminToken = platform.lines
    .find((l) => l.startsWith('First start: admin token'))!
    .split(' ')
    .at(-1)!;
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-kiosk.json'), 'utf8')) as Demo;
  try {
    expect(platform.lines).toContain('Demo, seeded:');
    expect(first.some((l) => l.startsWith('  pass codes to try:'))).toBe(true);
    expect(first).toContain(
      `  support token: the demo kiosk's, and a bearer token for the admin APIs as role support: ${demo.token}`,
    );
    expect(first.some((l) => /^ {2}funder: .* \(id [0-9a-f-]{36}\)$/.test(l))).toBe(true);
    expect(first.some((l) => /^ {2}order: .* \(id [0-9a-f-]{36}\)$/.test(l))).toBe(true);
    // Each start says what it is doing.
    expect(platform.lines.filter((l) => l.startsWith('… ')).length).toBeGreaterThan(8);

    // The printed document links open without a bearer header, and only as printed.
    const printFile = platform.lines
      .find((l) => l.startsWith('    print-ready PDF'))!
      .split(': ')
      .at(-1)!;
    const opened = await fetch(printFile);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toContain('application/pdf');
    await opened.body?.cancel();
    // One character of the signature changed (to another one, whatever it was): refused.
    const tampered = printFile.replace(/signature=(.)/, (_, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(401);
    expect((await fetch(printFile.replace('/pdf?', '/progress?'))).status).toBe(401);

    const kiosk = openTerminal(['npm', 'run', 'kiosk', '--', '--demo'], { cwd: process.cwd(), env });
    try {
      await eventually(
        async () => kiosk.screen(),
        (s) => s.some((l) => l.includes('en ligne')),
        30_000,
      );
      const [firstPass, ...others] = demo.passCodes;
      const mistyped = `${firstPass!.slice(0, 10)}${(Number(firstPass![10]) + 1) % 10}${firstPass!.slice(11)}`;
      kiosk.type(demo.serviceBarcode);
      kiosk.type(printedPassCode(firstPass!)); // typed as printed under the barcode, spaces included
      kiosk.type(printedPassCode(mistyped)); // one digit wrong
      for (const code of others) kiosk.type(code);
      const verdict = /^(✔ Pass accepté|✘ Pass refusé)/;
      const screen = await eventually(
        async () => kiosk.screen(),
        (s) => s.filter((l) => verdict.test(l)).length === demo.passCodes.length,
        30_000,
      );
      const verdicts = screen.filter((l) => verdict.test(l));
      expect(verdicts.slice(0, -1)).toEqual(others.map(() => '✔ Pass accepté — 10,00\u00a0€'));
      expect(verdicts.at(-1)).toBe(
        '✘ Pass refusé — Un seul pass d’un même carnet par service : utilisez un pass d’un autre carnet.',
      );
      expect(screen).toContain(`✘ ${REFUSAL_MESSAGES.misread}`);
      expect(screen.some((l) => l.startsWith('▶ Service choisi : Accompagnement individuel'))).toBe(true);
      // French only, no reason code, no log line, no pass "kept offline" while the platform is up.
      for (const line of screen) {
        expect(line).not.toMatch(ENGLISH);
        expect(line).not.toMatch(CODES);
        expect(line).not.toMatch(/hors ligne|HORS LIGNE|^\{/);
      }
      // The mistyped code never reached the platform; the others were recorded as online scans.
      const scans = await fetch(`${demo.platformUrl}/scans?kioskId=${demo.kioskId}`, {
        headers: { authorization: `Bearer ${demo.token}` },
      });
      const recorded = (await scans.json()) as { code: string; offline: boolean }[];
      const masked = (code: string) => `${code.slice(0, 8)}${'*'.repeat(13)}${code.slice(21)}`; // as scan listings show codes
      expect(recorded.map((s) => s.code).sort()).toEqual(demo.passCodes.map(masked).sort());
      expect(recorded.every((s) => !s.offline)).toBe(true);
      // The first pass's stub, printed in the summary: its rating page now asks for a rating.
      const ratingPage = platform.lines
        .find((l) => l.startsWith("  the first pass's stub"))!
        .split(' ')
        .at(-1)!;
      const stateOf = async () => /data-state="([^"]+)"/.exec(await (await fetch(ratingPage)).text())?.[1];
      await eventually(stateOf, (state) => state === 'rate', 30_000);
    } finally {
      kiosk.close();
    }
  } finally {
    platform.child.kill('SIGTERM');
    expect(await platform.exit).toBe(0);
  }

  // Again on the same data: the same story found, the same summary, no new token, no stack trace.
  const again = await startProcess(['--demo'], env, /^ready \(embedded mode\)$/, 150_000);
  try {
    expect(again.lines.some((l) => l.startsWith(`Demo, found again in ${dataDir} (seeded `))).toBe(true);
    expect(summary(again.lines)).toEqual(first);
    const tokens = await fetch(`${urlOf(again, 'ordering')}/admin/tokens`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const live = ((await tokens.json()) as { revokedAt: string | null }[]).filter((t) => t.revokedAt === null);
    expect(live).toHaveLength(2); // the first start's admin token and the demo's support token
  } finally {
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  }
}, 400_000);

const urlOf = (p: { lines: string[] }, service: string) =>
  p.lines
    .find((l) => l.startsWith(`${service} admin `))!
    .split(' ')
    .at(-1)!;
