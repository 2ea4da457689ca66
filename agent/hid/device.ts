/**
 * The HID layer behind an interface, so decoders and reconnection run in tests without hardware.
 * `nodeHid()` is the real backend (node-hid 3, async API, hidraw driver on Linux).
 */
import { createRequire } from 'node:module';

export interface HidDeviceInfo {
  path?: string | undefined;
  vendorId: number;
  productId: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
  product?: string | undefined;
  manufacturer?: string | undefined;
}

export interface HidHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

/**
 * Which device to read: a vendor:product pair, a usage page (0x8C, HID POS scanners), or `auto`:
 * a HID POS scanner, else a scanner of a known maker (hid/scanners.ts).
 */
export type DeviceSelector = { vendorId: number; productId: number } | { usagePage: number } | { auto: true };

export function parseSelector(text: string): DeviceSelector | undefined {
  if (text.trim().toLowerCase() === 'auto') return { auto: true };
  const vidPid = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(text.trim());
  if (vidPid) return { vendorId: parseInt(vidPid[1]!, 16), productId: parseInt(vidPid[2]!, 16) };
  const page = /^(?:usage|page|usagepage)[:=](0x)?([0-9a-f]{1,4})$/i.exec(text.trim());
  if (page) return { usagePage: parseInt(page[2]!, 16) };
  return undefined;
}

export function matches(device: HidDeviceInfo, selector: Exclude<DeviceSelector, { auto: true }>): boolean {
  if ('usagePage' in selector) return device.usagePage === selector.usagePage;
  return device.vendorId === selector.vendorId && device.productId === selector.productId;
}

export const POS_USAGE_PAGE = 0x8c;

export function describe(d: HidDeviceInfo): string {
  const hex = (n: number | undefined) => (n ?? 0).toString(16).padStart(4, '0');
  return `${hex(d.vendorId)}:${hex(d.productId)} page 0x${(d.usagePage ?? 0).toString(16)} usage 0x${(d.usage ?? 0).toString(16)} ${d.manufacturer ?? ''} ${d.product ?? ''} ${d.path ?? ''}`.trim();
}

type NodeHid = typeof import('node-hid');

/** node-hid is CommonJS with a native binding: loaded on first use so stdin-only kiosks never need it. */
export function nodeHid(): HidBackend {
  let hid: NodeHid | undefined;
  const load = () => {
    if (!hid) {
      hid = createRequire(import.meta.url)('node-hid') as NodeHid;
      hid.setDriverType('hidraw');
    }
    return hid;
  };
  return {
    devices: async () => load().devicesAsync(),
    open: async (path) => {
      const device = await load().HIDAsync.open(path);
      return device as unknown as HidHandle;
    },
  };
}
