/**
 * Decodes the 8-byte boot keyboard reports of a keyboard-emulation scanner into barcodes.
 * A report is the whole keyboard state (modifier byte, reserved byte, six pressed usages), so a
 * key press is a usage present now and absent from the previous report; a repeated character
 * therefore arrives as press, release, press. Enter or Tab ends a code.
 */
import { LAYOUTS, type LayoutName } from './layouts.ts';

const SHIFT = 0x02 | 0x20;
const CTRL = 0x01 | 0x10;
const ALT_GR = 0x40;
const ENTER = new Set([0x28, 0x58]);
const TAB = 0x2b;
/** Usage 0x01 in the key slots: the keyboard's "too many keys" phantom state, not real keys. */
const ROLLOVER = 0x01;
/** Beyond this a code is nonsense anyway (a stuck key): keep a prefix so it is still refused as too long. */
const MAX_BUFFER = 1024;

export class KeyboardDecoder {
  #layout;
  #previous: number[] = [];
  #buffer = '';

  constructor(layout: LayoutName) {
    this.#layout = LAYOUTS[layout];
  }

  /** Feeds one input report; returns the barcodes it completed (usually none or one). */
  feed(report: Uint8Array): string[] {
    const bytes = keyboardReport(report);
    if (!bytes) return [];
    const keys = [...bytes.subarray(2)].filter((u) => u !== 0);
    if (keys.includes(ROLLOVER)) return [];
    const modifiers = bytes[0]!;
    const pressed = keys.filter((u) => !this.#previous.includes(u));
    this.#previous = keys;
    const done: string[] = [];
    for (const usage of pressed) {
      if (ENTER.has(usage) || usage === TAB) {
        if (this.#buffer) done.push(this.#buffer);
        this.#buffer = '';
      } else {
        const char = this.#char(usage, modifiers);
        if (char && this.#buffer.length < MAX_BUFFER) this.#buffer += char;
      }
    }
    return done;
  }

  /** Drops a half-read code (device lost, or the scanner stopped mid-code). */
  reset(): void {
    this.#buffer = '';
    this.#previous = [];
  }

  #char(usage: number, modifiers: number): string | undefined {
    if (modifiers & CTRL) return undefined;
    if (modifiers & ALT_GR) return this.#layout.altGr.get(usage);
    return (modifiers & SHIFT ? this.#layout.shift : this.#layout.plain).get(usage);
  }
}

/**
 * The 8 bytes of a boot keyboard report, or undefined for anything else. hidraw prefixes the
 * report with its id when the device numbers its reports (9 bytes, id 1 for keyboards).
 */
function keyboardReport(report: Uint8Array): Uint8Array | undefined {
  if (report.length === 8) return report;
  if (report.length === 9 && report[0] === 1) return report.subarray(1);
  return undefined;
}
