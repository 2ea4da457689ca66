/**
 * The README's quick start, as a newcomer follows it: `npm start -- --demo`, then in another
 * terminal `npm run kiosk -- --demo`, type the service code and pass codes → accepted scans.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ServiceNames } from '@aptic/contracts';
import { eventually } from '../support/platform.ts';
import { startProcess } from '../support/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aptic-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, APTIC_DATA_DIR: dataDir, ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])) };

test('npm start -- --demo, then the demo kiosk: the mediator’s scans are judged', async () => {
  const platform = await startProcess(['--demo'], env, /^ready \(embedded mode\)$/, 150_000);
  try {
    expect(platform.lines.some((l) => l.startsWith('  pass codes to try:'))).toBe(true);
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-kiosk.json'), 'utf8')) as { serviceBarcode: string; passCodes: string[] };
    const kiosk = spawn(process.execPath, ['agent/bin/agent.ts', '--demo'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    const screen: string[] = [];
    kiosk.stdout!.setEncoding('utf8');
    kiosk.stdout!.on('data', (chunk: string) => screen.push(...chunk.replaceAll('\x07', '').split('\n').filter(Boolean)));
    try {
      kiosk.stdin!.write([demo.serviceBarcode, ...demo.passCodes].map((c) => `${c}\n`).join(''));
      const verdicts = await eventually(async () => screen.filter((l) => /accepté|REFUSÉ/.test(l)), (l) => l.length === demo.passCodes.length, 30_000);
      expect(verdicts.filter((l) => l.includes('accepté'))).toHaveLength(demo.passCodes.length - 1);
      expect(verdicts.at(-1)).toContain('same_carnet_same_service');
    } finally {
      kiosk.kill('SIGTERM');
    }
  } finally {
    platform.child.kill('SIGTERM');
    expect(await platform.exit).toBe(0);
  }
}, 200_000);
