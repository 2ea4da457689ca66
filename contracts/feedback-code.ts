/**
 * Feedback codes (code avis): printed on each pass's stub, which stays in the beneficiary's carnet,
 * so that the beneficiary can rate the service act the pass paid for.
 *
 *   CCCCC-CCCCC-CCCCK      15 Crockford base32 characters in three groups of five, e.g. 00019-G8ZQW-4M7XA
 *   └ 70 bits: carnet number (24) | position − 1 (4) | tag (42) ; K: Crockford's mod-37 check symbol
 *
 * The tag is HMAC-SHA256 of `feedback|carnet|position` with printing's code key (42 secret bits):
 * nobody without the key makes a valid code from other codes. The input differs from the pass
 * code's (`carnet|position`), and so does the shape (22 digits there), so a pass code cannot rate
 * and a feedback code cannot redeem. Carnet and position are in the code, as in the pass code, so
 * a code names its pass with nothing stored: printing, which holds the key, checks the tag.
 * Crockford's alphabet has no I, L, O, U; reading accepts them as 1, 1, 0 (and lower case, spaces,
 * dashes), and the check symbol catches every single-character error and adjacent transposition.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_CARNET_NUMBER } from './pass-code.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The check symbols beyond the 32 digits (Crockford): values 32–36. */
const CHECK_ALPHABET = `${ALPHABET}*~$=U`;
const BODY_LENGTH = 14;
export const FEEDBACK_CODE_LENGTH = BODY_LENGTH + 1;
const TAG_BITS = 42n;
const POSITION_BITS = 4n;

function tag(key: string | Buffer, carnet: number, position: number): bigint {
  const mac = createHmac('sha256', key).update(`feedback|${carnet}|${position}`).digest();
  return mac.readBigUInt64BE(0) >> (64n - TAG_BITS);
}

function encode(value: bigint): string {
  let out = '';
  for (let i = 0; i < BODY_LENGTH; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function decode(body: string): bigint {
  let value = 0n;
  for (const c of body) value = (value << 5n) | BigInt(ALPHABET.indexOf(c));
  return value;
}

const checkSymbol = (value: bigint) => CHECK_ALPHABET[Number(value % 37n)]!;

/** The feedback code of pass `position` (1–10) of carnet `carnet`, ungrouped (15 characters). */
export function feedbackCode(key: string | Buffer, carnet: number, position: number): string {
  if (!Number.isSafeInteger(carnet) || carnet < 1 || carnet > MAX_CARNET_NUMBER)
    throw new RangeError(`carnet number out of range: ${carnet}`);
  if (!Number.isInteger(position) || position < 1 || position > 10)
    throw new RangeError(`position out of range: ${position}`);
  const value = (((BigInt(carnet) << POSITION_BITS) | BigInt(position - 1)) << TAG_BITS) | tag(key, carnet, position);
  return encode(value) + checkSymbol(value);
}

/** "00019G8ZQW4M7XA" → "00019-G8ZQW-4M7XA", as printed and read aloud. */
export function groupedFeedbackCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10)}`;
}

export type FeedbackCodeReading =
  | { ok: true; code: string; carnetNumber: number; position: number }
  | { ok: false; reason: 'malformed' | 'misread' };

/**
 * Reads what a typed or scanned code claims. `malformed`: not 15 characters of the alphabet (a
 * pass code, a URL, anything else); `misread`: the shape is right but the check symbol fails (a
 * typing error). A code read `ok` is genuine only if its tag holds (isAuthenticFeedbackCode).
 */
export function readFeedbackCode(input: string): FeedbackCodeReading {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const body = code.slice(0, BODY_LENGTH);
  if (code.length !== FEEDBACK_CODE_LENGTH || ![...body].every((c) => ALPHABET.includes(c)))
    return { ok: false, reason: 'malformed' };
  if (!CHECK_ALPHABET.includes(code[BODY_LENGTH]!)) return { ok: false, reason: 'malformed' };
  const value = decode(body);
  if (checkSymbol(value) !== code[BODY_LENGTH]) return { ok: false, reason: 'misread' };
  const head = value >> TAG_BITS;
  const carnetNumber = Number(head >> POSITION_BITS);
  const position = Number(head & 15n) + 1;
  if (carnetNumber < 1 || carnetNumber > MAX_CARNET_NUMBER || position > 10) return { ok: false, reason: 'misread' };
  return { ok: true, code, carnetNumber, position };
}

/** True when the code was made with this key (printing's check, in constant time). */
export function isAuthenticFeedbackCode(key: string | Buffer, code: string): boolean {
  const reading = readFeedbackCode(code);
  if (!reading.ok) return false;
  const expected = Buffer.from(feedbackCode(key, reading.carnetNumber, reading.position));
  return timingSafeEqual(expected, Buffer.from(reading.code));
}

/**
 * What the rate limit counts guesses by besides the address: the code's first five characters
 * (its carnet, in effect), so that a pass's tag is not guessed from many addresses at once.
 */
export const feedbackCodePrefix = (code: string) => code.slice(0, 5);
