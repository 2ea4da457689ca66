/**
 * Which scanner a HID device is: its maker, from the USB vendor id (the names of the USB ID
 * Repository, usb.ids, for the common barcode scanner makers), and how it talks: HID POS (usage
 * page 0x8C, whole codes) or keyboard emulation. The same vendor ids are in the udev rule
 * (deploy/kiosk/99-aptic-scanner.rules), which lets the agent open them.
 */
import type { ScannerInfo } from '../source.ts';
import { POS_USAGE_PAGE, type HidDeviceInfo } from './device.ts';

/** USB vendor id → maker (as usb.ids names it, with the brand the scanners are sold under). */
const SCANNER_VENDORS: ReadonlyMap<number, string> = new Map([
  [0x0c2e, 'Honeywell (Metrologic Instruments)'],
  [0x0536, 'Honeywell (Hand Held Products)'],
  [0x05e0, 'Zebra (Symbol Technologies)'],
  [0x05f9, 'Datalogic (PSC Scanning)'],
  [0x080c, 'Datalogic S.p.A.'],
  [0x1eab, 'Newland (Fujian Newland Computer)'],
  [0x065a, 'Opticon (Optoelectronics)'],
]);

function scannerMode(device: HidDeviceInfo): ScannerInfo['mode'] {
  return device.usagePage === POS_USAGE_PAGE ? 'hid_pos' : 'keyboard';
}

/** The maker (known vendor id) and the product string the device gives, as far as they are known. */
function scannerModel(device: HidDeviceInfo): string {
  const maker = SCANNER_VENDORS.get(device.vendorId) ?? device.manufacturer?.trim() ?? 'fabricant inconnu';
  const product = device.product?.trim();
  return product ? `${maker} ${product}` : maker;
}

export function scannerInfo(device: HidDeviceInfo): ScannerInfo {
  return { model: scannerModel(device), mode: scannerMode(device) };
}
