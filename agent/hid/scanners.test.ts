import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { loadConfig } from '../config.ts';
import { check } from '../run.ts';
import { parseSelector, type HidDeviceInfo } from './device.ts';
import { findScanner, scannerInfo } from './scanners.ts';

const staffKeyboard: HidDeviceInfo = { path: 'kbd', vendorId: 0x046d, productId: 0xc31c, usagePage: 1, usage: 6 };
const honeywellKeyboard: HidDeviceInfo = {
  path: 'hw0',
  vendorId: 0x0c2e,
  productId: 0x0b61,
  usagePage: 1,
  usage: 6,
  product: 'Voyager 1250g',
};
const honeywellConfig: HidDeviceInfo = { ...honeywellKeyboard, path: 'hw1', usagePage: 0xff00, usage: 1 };
const zebraPos: HidDeviceInfo = { path: 'pos', vendorId: 0x05e0, productId: 0x1300, usagePage: 0x8c, usage: 2 };
const auto = parseSelector('auto')!;

test('auto: a HID POS scanner first, else a known maker’s keyboard interface, never staff’s keyboard', () => {
  expect(findScanner([staffKeyboard, honeywellKeyboard, zebraPos], auto)).toBe(zebraPos);
  expect(findScanner([staffKeyboard, honeywellConfig, honeywellKeyboard], auto)).toBe(honeywellKeyboard);
  expect(findScanner([staffKeyboard, honeywellConfig], auto)).toBe(honeywellConfig);
  expect(findScanner([staffKeyboard], auto)).toBeUndefined();
  // An explicit vid:pid reads any device, a scanner of an unlisted maker (Netum, Inateck…) included.
  expect(findScanner([staffKeyboard], parseSelector('046d:c31c')!)).toBe(staffKeyboard);
});

test('a scanner is named by its maker (vendor id) and product, with its mode', () => {
  expect(scannerInfo(honeywellKeyboard)).toEqual({
    model: 'Honeywell (Metrologic Instruments) Voyager 1250g',
    mode: 'keyboard',
  });
  expect(scannerInfo(zebraPos)).toEqual({ model: 'Zebra (Symbol Technologies)', mode: 'hid_pos' });
  expect(scannerInfo({ vendorId: 0x0483, productId: 0x5750, manufacturer: 'NETUM', product: 'Barcode' }).model).toBe(
    'NETUM Barcode',
  );
});

test('--check names the scanner found and its mode; none found fails it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aptic-check-'));
  writeFileSync(join(dir, 'kiosk.creds'), 'not a credential');
  const config = loadConfig({
    AGENT_KIOSK_ID: randomUUID(),
    AGENT_CREDS: join(dir, 'kiosk.creds'),
    AGENT_NATS_URL: 'nats://127.0.0.1:1',
    AGENT_JOURNAL: join(dir, 'journal.sqlite'),
  });
  const run = async (devices: HidDeviceInfo[]) => {
    const lines: string[] = [];
    await check(config, (l) => lines.push(l), { devices: async () => devices, open: async () => Promise.reject() });
    return lines;
  };
  const found = await run([staffKeyboard, zebraPos, honeywellKeyboard]);
  expect(found).toContainEqual(
    expect.stringMatching(/^scanner: Zebra \(Symbol Technologies\), mode HID POS \(05e0:1300 /),
  );
  expect(found.filter((l) => l.includes('← scanner maker'))).toHaveLength(2);
  expect(await run([staffKeyboard, honeywellKeyboard])).toContainEqual(
    expect.stringMatching(
      /^scanner: Honeywell \(Metrologic Instruments\) Voyager 1250g, mode keyboard emulation \(0c2e:0b61 /,
    ),
  );
  expect(await run([staffKeyboard])).toEqual(
    expect.arrayContaining([expect.stringMatching(/^scanner: none found/), 'check: FAILED']),
  );
});
