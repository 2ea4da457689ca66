import { EventEmitter } from 'node:events';
import { expect, test } from 'vitest';
import { nodeHid, parseSelector, type HidBackend, type HidDeviceInfo, type HidHandle } from './device.ts';
import { HidSource } from './hid-source.ts';

class FakeDevice extends EventEmitter implements HidHandle {
  closed = false;
  async close() {
    this.closed = true;
  }
}

function fakeBackend() {
  const state = { plugged: [] as HidDeviceInfo[], opened: [] as FakeDevice[], denied: false };
  const backend: HidBackend = {
    devices: async () => state.plugged,
    open: async () => {
      if (state.denied) throw new Error('cannot open device with path /nonexistent');
      const d = new FakeDevice();
      state.opened.push(d);
      return d;
    },
  };
  return { state, backend };
}

async function until(check: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const SCANNER: HidDeviceInfo = { path: 'fake0', vendorId: 0x0c2e, productId: 0x0b61, usagePage: 1, usage: 6 };
const posReport = (code: string) => {
  const r = Buffer.alloc(64);
  r[0] = 2;
  r[1] = code.length;
  r.write(']C0', 2);
  r.write(code, 5);
  return r;
};

test('selects by vid:pid, decodes keyboard reports, survives unplug and replug without restart', async () => {
  const { state, backend } = fakeBackend();
  const codes: string[] = [];
  const statuses: string[] = [];
  const source = new HidSource({
    backend,
    selector: parseSelector('0c2e:0b61')!,
    layout: 'us',
    minBackoffMs: 5,
    maxBackoffMs: 20,
  });
  state.plugged = [{ path: 'kbd', vendorId: 0x046d, productId: 0xc31c, usagePage: 1, usage: 6 }]; // a real keyboard: not ours
  await source.start({ barcode: (c) => codes.push(c), status: (s, d) => statuses.push(`${s}: ${d}`) });
  expect(statuses[0]).toMatch(/^error: no scanner found/);
  state.plugged.push(SCANNER);
  await until(() => state.opened.length === 1);
  const first = state.opened[0]!;
  for (const hex of ['1e', '00', '1f', '00', '28', '00'])
    first.emit('data', Buffer.from([0, 0, parseInt(hex, 16), 0, 0, 0, 0, 0]));
  expect(codes).toEqual(['12']);

  // Unplugged: hidraw reports a read error; the device disappears from the bus.
  state.plugged = [];
  first.emit('error', new Error('could not read from HID device'));
  await until(() => first.closed && statuses.some((s) => s.startsWith('disconnected')));
  state.plugged = [SCANNER];
  await until(() => state.opened.length === 2);
  state.opened[1]!.emit('data', Buffer.from([0, 0, 0x20, 0, 0, 0, 0, 0]));
  state.opened[1]!.emit('data', Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0]));
  expect(codes).toEqual(['12', '3']);
  expect(statuses.filter((s) => s.startsWith('connected'))).toHaveLength(2);
  await source.stop();
  expect(state.opened[1]!.closed).toBe(true);
});

test('a usage page 0x8C device is read as HID POS', async () => {
  const { state, backend } = fakeBackend();
  state.plugged = [{ path: 'pos', vendorId: 0x05e0, productId: 0x1200, usagePage: 0x8c, usage: 2 }];
  const codes: string[] = [];
  const source = new HidSource({ backend, selector: parseSelector('usage:8c')!, layout: 'us', minBackoffMs: 5 });
  await source.start({ barcode: (c) => codes.push(c), status: () => {} });
  state.opened[0]!.emit('data', posReport('1234567890'));
  expect(codes).toEqual(['1234567890']);
  await source.stop();
});

test('an open failure is reported once, and retried', async () => {
  const { state, backend } = fakeBackend();
  state.plugged = [SCANNER];
  state.denied = true;
  const statuses: string[] = [];
  const source = new HidSource({
    backend,
    selector: parseSelector('0c2e:0b61')!,
    layout: 'us',
    minBackoffMs: 5,
    maxBackoffMs: 10,
  });
  await source.start({ barcode: () => {}, status: (s, d) => statuses.push(`${s}: ${d}`) });
  await new Promise((r) => setTimeout(r, 60));
  expect(statuses).toEqual([expect.stringMatching(/^error: cannot open scanner 0c2e:0b61/)]);
  state.denied = false;
  await until(() => state.opened.length === 1);
  await source.stop();
});

test('device selectors', () => {
  expect(parseSelector('0C2E:0b61')).toEqual({ vendorId: 0x0c2e, productId: 0x0b61 });
  expect(parseSelector('usage:0x8c')).toEqual({ usagePage: 0x8c });
  expect(parseSelector('page=8C')).toEqual({ usagePage: 0x8c });
  expect(parseSelector('scanner')).toBeUndefined();
});

test('the real node-hid module loads and enumerates (no device needed)', async () => {
  const devices = await nodeHid().devices();
  expect(Array.isArray(devices)).toBe(true);
});
