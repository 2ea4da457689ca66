/**
 * Reads the scanner over HID and survives unplugging: on a read error the device is closed, the
 * bus re-enumerated and the device reopened, with a growing delay, for as long as the agent runs.
 */
import { access, constants } from 'node:fs/promises';
import type { ScannerEvents, ScannerInfo, ScannerSource } from '../source.ts';
import {
  describe,
  POS_USAGE_PAGE,
  type DeviceSelector,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
} from './device.ts';
import { KeyboardDecoder } from './keyboard.ts';
import type { LayoutName } from './layouts.ts';
import { PosDecoder } from './pos.ts';
import { findScanner, scannerInfo } from './scanners.ts';

export const UDEV_HINT =
  'install deploy/kiosk/99-aptic-scanner.rules in /etc/udev/rules.d/, run `udevadm control --reload && udevadm trigger`, ' +
  'add the agent user to group aptic-scanner, then unplug and replug the scanner';

export interface HidSourceOptions {
  backend: HidBackend;
  selector: DeviceSelector;
  layout: LayoutName;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** What the mediator reads; the detail (device, permission, udev) goes to the logs for support. */
const SCREEN = {
  connected: 'lecteur de codes-barres branché',
  disconnected: 'lecteur de codes-barres débranché : rebranchez-le, les scans reprendront seuls',
  error:
    'lecteur de codes-barres introuvable ou inaccessible : prévenez le support (détail dans le journal de la borne)',
} as const;

export class HidSource implements ScannerSource {
  #options: Required<HidSourceOptions>;
  #events: ScannerEvents | undefined;
  #handle: HidHandle | undefined;
  #timer: NodeJS.Timeout | undefined;
  #backoff: number;
  #stopped = false;
  #lastStatus = '';

  constructor(options: HidSourceOptions) {
    this.#options = { minBackoffMs: 500, maxBackoffMs: 10_000, ...options };
    this.#backoff = this.#options.minBackoffMs;
  }

  async start(events: ScannerEvents): Promise<void> {
    this.#events = events;
    this.#stopped = false;
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#close();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const device = await this.#find();
    if (!device?.path)
      return this.#retry('error', 'no scanner found matching AGENT_DEVICE; waiting for one to be plugged in');
    let handle: HidHandle;
    try {
      handle = await this.#options.backend.open(device.path);
    } catch (err) {
      return this.#retry('error', await openFailure(device, err));
    }
    if (this.#stopped) return void (await handle.close().catch(() => {}));
    this.#handle = handle;
    this.#backoff = this.#options.minBackoffMs;
    const decode = decoder(device, this.#options.layout);
    handle.on('data', (data) => {
      for (const code of decode(data)) this.#events?.barcode(code);
    });
    handle.on('error', (err) => void this.#lost(err));
    this.#status('connected', `scanner ${describe(device)}`, scannerInfo(device));
  }

  async #find(): Promise<HidDeviceInfo | undefined> {
    try {
      return findScanner(await this.#options.backend.devices(), this.#options.selector);
    } catch {
      return undefined;
    }
  }

  async #lost(err: unknown): Promise<void> {
    if (!this.#handle) return; // one loss reported once
    await this.#close();
    this.#retry('disconnected', `scanner lost (${message(err)}); reconnecting`);
  }

  async #close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }

  #retry(state: 'error' | 'disconnected', detail: string): void {
    this.#status(state, detail);
    if (this.#stopped) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#options.maxBackoffMs);
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  /** The same message is not repeated at every retry. */
  #status(state: 'connected' | 'disconnected' | 'error', detail: string, scanner?: ScannerInfo): void {
    const key = `${state}:${detail}`;
    if (key === this.#lastStatus) return;
    this.#lastStatus = key;
    this.#events?.status(state, detail, SCREEN[state], scanner);
  }
}

function decoder(device: HidDeviceInfo, layout: LayoutName): (data: Buffer) => string[] {
  if (device.usagePage === POS_USAGE_PAGE) {
    const pos = new PosDecoder();
    return (data) => pos.feed(data).map((b) => b.code);
  }
  const keyboard = new KeyboardDecoder(layout);
  return (data) => keyboard.feed(data);
}

/** Says why a device could not be opened; "no permission" names the udev rule to install. */
async function openFailure(device: HidDeviceInfo, err: unknown): Promise<string> {
  const path = device.path ?? '';
  if (path.startsWith('/dev/')) {
    try {
      await access(path, constants.R_OK | constants.W_OK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES')
        return `no permission to open ${path} (${describe(device)}): ${UDEV_HINT}`;
    }
  }
  return `cannot open scanner ${describe(device)}: ${message(err)}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
