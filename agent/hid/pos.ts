/**
 * Decodes HID POS barcode scanner reports (usage page 0x8C, the "HID POS" mode of most
 * scanners). Input report layout, as hidraw delivers it:
 *   [report id] [data length] [AIM symbology id: 3 bytes] [data: up to length bytes, zero-padded] … [flags]
 * The last byte's bit 0 says the barcode continues in the next report: long codes arrive in
 * several reports that are concatenated.
 */
export interface PosBarcode {
  code: string;
  /** AIM symbology identifier, e.g. "]C0" for Code 128, "]E0" for EAN-13. */
  symbology: string;
}

const HEADER = 5;
/** Longer than any code we print: keep a prefix so it is still refused as too long. */
const MAX_CODE = 1024;

export class PosDecoder {
  #reportId: number | null;
  #parts: string[] = [];
  #length = 0;

  /** `reportId`: the id of the scanned-data report (2 on most scanners), or null when the device has no report ids. */
  constructor(reportId: number | null = 2) {
    this.#reportId = reportId;
  }

  feed(report: Uint8Array): PosBarcode[] {
    const body = this.#body(report);
    if (!body) return [];
    const length = body[0]!;
    const capacity = body.length - HEADER; // minus length byte, symbology (3) and flags byte
    if (length === 0 || length > capacity) return this.#garbage();
    const symbology = String.fromCharCode(...body.subarray(1, 4)).replace(/\0/g, '');
    const data = new TextDecoder('latin1').decode(body.subarray(4, 4 + length));
    if (this.#length < MAX_CODE) this.#parts.push(data.slice(0, MAX_CODE - this.#length));
    this.#length += data.length;
    const continues = (body[body.length - 1]! & 0x01) === 1;
    if (continues) return [];
    const code = this.#parts.join('');
    this.reset();
    return [{ code, symbology }];
  }

  reset(): void {
    this.#parts = [];
    this.#length = 0;
  }

  #body(report: Uint8Array): Uint8Array | undefined {
    if (this.#reportId === null) return report.length > HEADER ? report : undefined;
    if (report[0] !== this.#reportId) return undefined; // other reports of the device (status, etc.)
    return report.length > HEADER + 1 ? report.subarray(1) : undefined;
  }

  /** A malformed report breaks any code under way: drop it rather than glue two halves together. */
  #garbage(): [] {
    this.reset();
    return [];
  }
}
