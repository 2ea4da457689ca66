/**
 * Keyboard layouts: what character a HID keyboard usage (page 0x07) types, by modifier state.
 * A keyboard-emulation scanner sends the usages a person would press on a keyboard with the
 * layout the scanner is programmed for; a scanner set to French AZERTY sends Shift + top-row keys
 * for digits. Only the keys a barcode can plausibly contain are mapped; others type nothing.
 */
export type LayoutName = 'us' | 'fr';

export interface Layout {
  plain: ReadonlyMap<number, string>;
  shift: ReadonlyMap<number, string>;
  /** AltGr (right Alt) level, used by AZERTY for @ # { [ and friends. */
  altGr: ReadonlyMap<number, string>;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Keypad keys type the same on both layouts (NumLock on, as scanners send them). */
const KEYPAD: Array<[number, string]> = [
  [0x54, '/'],
  [0x55, '*'],
  [0x56, '-'],
  [0x57, '+'],
  [0x63, '.'],
  ...[...'1234567890'].map((c, i): [number, string] => [0x59 + i, c]),
];

function letters(map: Record<string, string> = {}): { plain: Array<[number, string]>; shift: Array<[number, string]> } {
  const plain: Array<[number, string]> = [];
  const shift: Array<[number, string]> = [];
  [...LETTERS].forEach((usLetter, i) => {
    const c = map[usLetter] ?? usLetter;
    plain.push([0x04 + i, c]);
    shift.push([0x04 + i, c.toUpperCase()]);
  });
  return { plain, shift };
}

function build(plain: Array<[number, string]>, shift: Array<[number, string]>, altGr: Array<[number, string]>): Layout {
  return { plain: new Map([...plain, ...KEYPAD]), shift: new Map([...shift, ...KEYPAD]), altGr: new Map(altGr) };
}

function us(): Layout {
  const l = letters();
  const digits = [...'1234567890'].map((c, i): [number, string] => [0x1e + i, c]);
  const shiftedDigits = [...'!@#$%^&*()'].map((c, i): [number, string] => [0x1e + i, c]);
  const punct: Array<[number, string, string]> = [
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
  ];
  return build(
    [...l.plain, ...digits, ...punct.map(([u, p]): [number, string] => [u, p])],
    [...l.shift, ...shiftedDigits, ...punct.map(([u, , s]): [number, string] => [u, s])],
    [],
  );
}

function fr(): Layout {
  // AZERTY swaps A/Q and Z/W, puts M where US has ';', and ',' where US has 'm'.
  const l = letters({ a: 'q', q: 'a', z: 'w', w: 'z', m: ',' });
  const m = 0x33;
  // Top row: symbols without Shift, digits with Shift.
  const topPlain = [...'&é"\'(-è_çà'].map((c, i): [number, string] => [0x1e + i, c]);
  const topShift = [...'1234567890'].map((c, i): [number, string] => [0x1e + i, c]);
  const punct: Array<[number, string, string]> = [
    [0x2c, ' ', ' '],
    [0x2d, ')', '°'],
    [0x2e, '=', '+'],
    [0x30, '$', '£'],
    [0x31, '*', 'µ'],
    [0x32, '*', 'µ'],
    [0x34, 'ù', '%'],
    [0x36, ';', '.'],
    [0x37, ':', '/'],
    [0x38, '!', '§'],
    [0x64, '<', '>'],
  ];
  const shiftM: Array<[number, string]> = [
    [0x10, '?'],
    [m, 'M'],
  ];
  const altGr: Array<[number, string]> = [
    [0x1f, '~'],
    [0x20, '#'],
    [0x21, '{'],
    [0x22, '['],
    [0x23, '|'],
    [0x24, '`'],
    [0x25, '\\'],
    [0x26, '^'],
    [0x27, '@'],
    [0x2d, ']'],
    [0x2e, '}'],
    [0x08, '€'],
  ];
  return build(
    [...l.plain, [m, 'm'], ...topPlain, ...punct.map(([u, p]): [number, string] => [u, p])],
    [
      ...l.shift.filter(([u]) => u !== 0x10),
      ...shiftM,
      ...topShift,
      ...punct.map(([u, , s]): [number, string] => [u, s]),
    ],
    altGr,
  );
}

export const LAYOUTS: Record<LayoutName, Layout> = { us: us(), fr: fr() };
