/**
 * Which scanner a HID device is: its maker, from the USB vendor id (the names of the USB ID
 * Repository, usb.ids, for the common barcode scanner makers), and how it talks: HID POS (usage
 * page 0x8C, whole codes) or keyboard emulation. The same vendor ids are in the udev rule
 * (deploy/kiosk/99-aptic-scanner.rules), which lets the agent open them.
 */
import type { ScannerInfo } from '../source.ts';
import { matches, POS_USAGE_PAGE, type DeviceSelector, type HidDeviceInfo } from './device.ts';

/**
 * USB vendor id → maker (the name usb.ids and the USB-IF list give it, with the brand the scanners
 * are sold under). Netum and Inateck sell scanners built on generic chips that report the chip
 * maker's vendor id (or a clone's), shared with devices that are not scanners: they are chosen by
 * `vid:pid`, never by vendor (deploy/kiosk/README.md).
 */
export const SCANNER_VENDORS: ReadonlyMap<number, string> = new Map([
  [0x0c2e, 'Honeywell (Metrologic Instruments)'],
  [0x0536, 'Honeywell (Hand Held Products)'],
  [0x05e0, 'Zebra (Symbol Technologies)'],
  [0x0a5f, 'Zebra'],
  [0x05f9, 'Datalogic (PSC Scanning)'],
  [0x080c, 'Datalogic S.p.A.'],
  [0x1eab, 'Newland (Fujian Newland Computer)'],
  [0x065a, 'Opticon (Optoelectronics)'],
]);

const KEYBOARD = { page: 0x01, usage: 0x06 };

/**
 * The device a selector names. `auto`: a HID POS scanner first (usage page 0x8C: a scanner
 * whatever its maker); else the keyboard interface of a known maker's scanner (keyboard
 * emulation), else any interface of one. Never a keyboard of another maker: the agent must not
 * read what staff type.
 */
export function findScanner(devices: HidDeviceInfo[], selector: DeviceSelector): HidDeviceInfo | undefined {
  if (!('auto' in selector)) return devices.find((d) => matches(d, selector));
  const known = devices.filter((d) => SCANNER_VENDORS.has(d.vendorId));
  return (
    devices.find((d) => d.usagePage === POS_USAGE_PAGE) ??
    known.find((d) => d.usagePage === KEYBOARD.page && d.usage === KEYBOARD.usage) ??
    known[0]
  );
}

export function scannerMode(device: HidDeviceInfo): ScannerInfo['mode'] {
  return device.usagePage === POS_USAGE_PAGE ? 'hid_pos' : 'keyboard';
}

/** The maker (known vendor id) and the product string the device gives, as far as they are known. */
export function scannerModel(device: HidDeviceInfo): string {
  const maker = SCANNER_VENDORS.get(device.vendorId) ?? device.manufacturer?.trim() ?? 'fabricant inconnu';
  const product = device.product?.trim();
  return product ? `${maker} ${product}` : maker;
}

export function scannerInfo(device: HidDeviceInfo): ScannerInfo {
  return { model: scannerModel(device), mode: scannerMode(device) };
}

export const MODE_NAMES: Record<ScannerInfo['mode'], string> = {
  hid_pos: 'HID POS',
  keyboard: 'keyboard emulation',
  stdin: 'standard input',
};
