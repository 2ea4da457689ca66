/**
 * Pass codes: printed as a Code 128 barcode on each pass and typed by hand when the barcode is
 * damaged.
 *
 *   CCCCCCC P AAAAAAAAAAAAA D      22 digits, e.g. 0000042 3 8172659304716 5
 *   │       │ │             └ Damm check digit: catches every single-digit error and every
 *   │       │ │               adjacent transposition (a mistyped code is "misread", not "unknown")
 *   │       │ └ authenticator: HMAC-SHA256(key, carnet|position) reduced to 13 digits (≈ 43 bits);
 *   │       │   without the key, nobody can derive a valid code from other codes
 *   │       └ position of the pass in its carnet, 0–9 (pass 1 is 0)
 *   └ carnet number, 7 digits (unique across the platform)
 *
 * All digits, so Code 128 prints it compactly (set C: two digits per symbol). The key is the
 * printing service's secret; redemption never needs it. A code is a bearer secret: it is printed,
 * and nowhere kept in clear. Printing makes it again from the key when it renders a print file;
 * elsewhere a pass is known by its lookup hash (a keyed hash with a second key, which cannot make
 * codes), and staff see it masked.
 */
import { createHmac } from 'node:crypto';

export const PASS_CODE_LENGTH = 22;
const CARNET_DIGITS = 7;
const AUTH_DIGITS = 13;
export const MAX_CARNET_NUMBER = 10 ** CARNET_DIGITS - 1;

// Damm's quasigroup of order 10 (totally anti-symmetric, weakly).
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

function damm(digits: string): number {
  let interim = 0;
  for (const d of digits) interim = DAMM[interim]![Number(d)]!;
  return interim;
}

function authenticator(key: string | Buffer, carnet: number, position: number): string {
  const mac = createHmac('sha256', key).update(`${carnet}|${position}`).digest();
  // 64 bits of the MAC reduced modulo 10^13: the bias is below 10^-6, negligible.
  return (mac.readBigUInt64BE(0) % 10n ** BigInt(AUTH_DIGITS)).toString().padStart(AUTH_DIGITS, '0');
}

/** The digits a carnet's codes start with. */
export const carnetDigits = (carnet: number) => String(carnet).padStart(CARNET_DIGITS, '0');

/** The code of pass `position` (1–10) of carnet `carnet`. */
export function passCode(key: string | Buffer, carnet: number, position: number): string {
  if (!Number.isSafeInteger(carnet) || carnet < 1 || carnet > MAX_CARNET_NUMBER)
    throw new RangeError(`carnet number out of range: ${carnet}`);
  if (!Number.isInteger(position) || position < 1 || position > 10)
    throw new RangeError(`position out of range: ${position}`);
  const body = `${carnetDigits(carnet)}${position - 1}${authenticator(key, carnet, position)}`;
  return body + damm(body);
}

/** "0000042381726593047165" → "0000042 3 8172659304716 5": the code's own fields, as printed under the barcode. */
export function printedPassCode(code: string): string {
  return `${code.slice(0, 7)} ${code.slice(7, 8)} ${code.slice(8, 21)} ${code.slice(21)}`;
}

export type PassCodeReading = { ok: true; carnetNumber: number; position: number } | { ok: false; reason: 'misread' };

/**
 * Reads what a code claims (carnet, position) if its check digit holds. A code that passes is
 * still genuine only if it is one of the passes issued: that is a lookup, not arithmetic.
 */
export function readPassCode(code: string): PassCodeReading {
  if (code.length !== PASS_CODE_LENGTH || !/^[0-9]+$/.test(code) || damm(code) !== 0)
    return { ok: false, reason: 'misread' };
  return { ok: true, carnetNumber: Number(code.slice(0, CARNET_DIGITS)), position: Number(code[CARNET_DIGITS]) + 1 };
}

/** True when the code was made with this key (printing's own check, e.g. on a reprint). */
export function isAuthentic(key: string | Buffer, code: string): boolean {
  const reading = readPassCode(code);
  return reading.ok && passCode(key, reading.carnetNumber, reading.position) === code;
}

/**
 * The keyed hash that identifies a pass without its code (passes.issued, redemption's passes):
 * HMAC-SHA256 with the lookup key, 128 bits in hex. Whoever reads the events or a database learns
 * no code, and without the key cannot test guesses against the hashes.
 */
export function passLookupHash(lookupKey: string | Buffer, code: string): string {
  return createHmac('sha256', lookupKey).update(code).digest('hex').slice(0, 32);
}

/** What staff see of a code: its carnet and position digits and its check digit, the rest hidden. */
export function maskPassCode(code: string): string {
  return code.length > 9
    ? `${code.slice(0, 8)}${'*'.repeat(code.length - 9)}${code.slice(-1)}`
    : '*'.repeat(code.length);
}
