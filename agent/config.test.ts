import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadConfig } from './config.ts';

const KIOSK = '0b8f0c8e-1a2b-4c3d-9e8f-0123456789ab';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'aptic-config-'));
  dirs.push(d);
  return join(d, 'agent.json');
}

test('defaults, and environment over file', () => {
  const file = tempFile();
  writeFileSync(
    file,
    JSON.stringify({ kioskId: KIOSK, creds: '/etc/aptic/kiosk.creds', layout: 'fr', natsUrl: 'nats://file:4222' }),
  );
  const c = loadConfig({ AGENT_NATS_URL: 'nats://env:4222', AGENT_DEVICE: '0c2e:0b61' }, file);
  expect(c).toMatchObject({
    kioskId: KIOSK,
    natsUrl: 'nats://env:4222',
    layout: 'fr',
    natsPrefix: 'aptic',
    source: 'hid',
    device: { vendorId: 0x0c2e, productId: 0x0b61 },
    journalMaxScans: 10_000,
  });
});

test('a bad value names its variable', () => {
  const base = { AGENT_KIOSK_ID: KIOSK, AGENT_CREDS: 'k.creds' };
  expect(() => loadConfig({})).toThrow(/AGENT_KIOSK_ID.*required/);
  expect(() => loadConfig({ ...base, AGENT_KIOSK_ID: 'kiosk-1' })).toThrow(/AGENT_KIOSK_ID.*not a UUID/);
  expect(() => loadConfig({ ...base, AGENT_SOURCE: 'usb' })).toThrow(/AGENT_SOURCE/);
  expect(() => loadConfig({ ...base, AGENT_DEVICE: 'scanner' })).toThrow(/AGENT_DEVICE/);
  expect(() => loadConfig({ ...base, AGENT_JOURNAL_MAX_SCANS: '-3' })).toThrow(/AGENT_JOURNAL_MAX_SCANS/);
  expect(() => loadConfig({ ...base, AGENT_SESSION_TIMEOUT_MS: '5m' })).toThrow(/AGENT_SESSION_TIMEOUT_MS/);
});

test('unknown keys in the file are refused', () => {
  const file = tempFile();
  writeFileSync(file, JSON.stringify({ kioskID: KIOSK }));
  expect(() => loadConfig({}, file)).toThrow(/unknown keys kioskID/);
});
