import { describe, expect, test } from 'vitest';
import { serviceBarcode } from '@aptic/contracts';
import { KeyboardDecoder } from './keyboard.ts';
import { LAYOUTS, type LayoutName } from './layouts.ts';

/** Reports written as hex strings, as a USB capture shows them (modifier, reserved, six slots). */
const r = (hex: string) =>
  Uint8Array.from(
    hex
      .trim()
      .split(/\s+/)
      .map((b) => parseInt(b, 16)),
  );
const UP = '00 00 00 00 00 00 00 00';
const feedAll = (d: KeyboardDecoder, reports: string[]) => reports.flatMap((h) => d.feed(r(h)));

/** Test-side encoder: the reports a scanner with this layout sends for `text` (press, release per key). */
function encode(text: string, layout: LayoutName): string[] {
  const l = LAYOUTS[layout];
  const reports: string[] = [];
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  for (const c of text) {
    const find = (m: ReadonlyMap<number, string>) => [...m].find(([u, v]) => v === c && u < 0x54)?.[0];
    const plain = find(l.plain);
    const shift = plain === undefined ? find(l.shift) : undefined;
    const usage = plain ?? shift;
    if (usage === undefined) throw new Error(`cannot type ${c} on ${layout}`);
    reports.push(`${shift === undefined ? '00' : '02'} 00 ${hex(usage)} 00 00 00 00 00`, UP);
  }
  reports.push('00 00 28 00 00 00 00 00', UP);
  return reports;
}

describe('US keyboard scanner', () => {
  test('digits, one key at a time, Enter ends the code', () => {
    // "0123" then Enter, as captured from a scanner in US mode.
    const reports = [
      '00 00 27 00 00 00 00 00',
      UP,
      '00 00 1e 00 00 00 00 00',
      UP,
      '00 00 1f 00 00 00 00 00',
      UP,
      '00 00 20 00 00 00 00 00',
      UP,
      '00 00 28 00 00 00 00 00',
      UP,
    ];
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['0123']);
  });

  test('a repeated character arrives as press, release, press', () => {
    const reports = [
      '00 00 1e 00 00 00 00 00',
      UP,
      '00 00 1e 00 00 00 00 00',
      UP,
      '00 00 1f 00 00 00 00 00',
      '00 00 1f 00 00 00 00 00',
      UP,
      '00 00 2b 00 00 00 00 00',
      UP,
    ];
    // The second "2" report repeats the same state (no release): it is not a new key press.
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['112']);
  });

  test('letters with Shift (left or right), codes longer than six keys, overlapping key states', () => {
    const reports = [
      '02 00 16 00 00 00 00 00', // S (left shift)
      '20 00 15 00 00 00 00 00', // R (right shift)
      '02 00 19 00 00 00 00 00', // V
      '00 00 2d 00 00 00 00 00', // -
      '00 00 2d 04 00 00 00 00', // - still held, a pressed: only a is new
      '00 00 04 05 00 00 00 00', // b pressed, - released
      '00 00 06 00 00 00 00 00',
      '00 00 07 08 09 00 00 00',
      UP,
      '00 00 1e 1f 20 21 22 23',
      UP,
      '00 00 58 00 00 00 00 00',
      UP,
    ];
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['SRV-abcdef123456']);
  });

  test('a service barcode of the place’s service sheet, typed by a US scanner', () => {
    const code = serviceBarcode('0b8f0c8e-1a2b-4c3d-9e8f-0123456789ab');
    expect(feedAll(new KeyboardDecoder('us'), encode(code, 'us'))).toEqual([code]);
  });

  test('several codes in a row, and Ctrl combinations type nothing', () => {
    const reports = [...encode('12345678', 'us'), '01 00 06 00 00 00 00 00', UP, ...encode('87654321', 'us')];
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['12345678', '87654321']);
  });
});

describe('French AZERTY keyboard scanner', () => {
  test('digits come as Shift + the top row', () => {
    // "20250107" then Enter, captured from a scanner set to French.
    const reports = [
      '02 00 1f 00 00 00 00 00',
      UP,
      '02 00 27 00 00 00 00 00',
      UP,
      '02 00 1f 00 00 00 00 00',
      UP,
      '02 00 22 00 00 00 00 00',
      UP,
      '02 00 27 00 00 00 00 00',
      UP,
      '02 00 1e 00 00 00 00 00',
      UP,
      '02 00 27 00 00 00 00 00',
      UP,
      '02 00 24 00 00 00 00 00',
      UP,
      '00 00 28 00 00 00 00 00',
      UP,
    ];
    expect(feedAll(new KeyboardDecoder('fr'), reports)).toEqual(['20250107']);
  });

  test('the same digits decoded as US are wrong: the layout matters', () => {
    const reports = ['02 00 1f 00 00 00 00 00', UP, '02 00 27 00 00 00 00 00', UP, '00 00 28 00 00 00 00 00', UP];
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['@)']);
  });

  test('letters are where AZERTY has them; unshifted top row types symbols', () => {
    const reports = [
      '00 00 14 00 00 00 00 00',
      UP,
      '00 00 1a 00 00 00 00 00',
      UP,
      '00 00 33 00 00 00 00 00',
      UP,
      '00 00 1f 00 00 00 00 00',
      UP,
      '40 00 27 00 00 00 00 00',
      UP,
      '00 00 28 00 00 00 00 00',
      UP,
    ];
    expect(feedAll(new KeyboardDecoder('fr'), reports)).toEqual(['azmé@']);
  });

  test('a repeated digit and a long pass code', () => {
    const reports = encode('111122223333444455', 'fr');
    expect(reports[0]).toBe('02 00 1e 00 00 00 00 00');
    expect(feedAll(new KeyboardDecoder('fr'), reports)).toEqual(['111122223333444455']);
  });

  test('a service barcode', () => {
    const code = serviceBarcode('0b8f0c8e-1a2b-4c3d-9e8f-0123456789ab');
    expect(feedAll(new KeyboardDecoder('fr'), encode(code, 'fr'))).toEqual([code]);
  });
});

describe('garbage', () => {
  test('reports of the wrong size and rollover errors are ignored, unmapped keys type nothing', () => {
    const reports = [
      '00 00 1e', // truncated
      '01 02 03 04 05 06 07 08 09 0a', // too long
      '00 00 01 01 01 01 01 01', // phantom state (too many keys)
      '00 00 1e 00 00 00 00 00',
      UP,
      '00 00 3a 00 00 00 00 00',
      UP, // F1
      '00 00 1f 00 00 00 00 00',
      UP,
      '00 00 28 00 00 00 00 00',
      UP,
    ];
    expect(feedAll(new KeyboardDecoder('us'), reports)).toEqual(['12']);
  });

  test('a 9-byte report with report id 1 is a keyboard report; Enter alone yields nothing', () => {
    const d = new KeyboardDecoder('us');
    expect(
      feedAll(d, [
        '01 00 00 1e 00 00 00 00 00',
        '01 00 00 00 00 00 00 00 00',
        '00 00 28 00 00 00 00 00',
        UP,
        '00 00 28 00 00 00 00 00',
        UP,
      ]),
    ).toEqual(['1']);
  });

  test('a stuck key yields a long code (refused later as too long), never unbounded memory', () => {
    const d = new KeyboardDecoder('us');
    const reports = Array.from({ length: 3000 }, () => ['00 00 1e 00 00 00 00 00', UP]).flat();
    const [code] = feedAll(d, [...reports, '00 00 28 00 00 00 00 00']);
    expect(code!.length).toBe(1024);
  });

  test('reset drops a half-read code', () => {
    const d = new KeyboardDecoder('us');
    feedAll(d, ['00 00 1e 00 00 00 00 00', UP]);
    d.reset();
    expect(feedAll(d, encode('99999999', 'us'))).toEqual(['99999999']);
  });
});
