import { Type, type Static } from '@sinclair/typebox';
import { carnetDigits, readPassCode } from './pass-code.ts';
import { Uuid, Instant, PositiveCents } from './primitives.ts';

/**
 * What a barcode read at the kiosk is. A pass code is the 22 digits of `pass-code.ts`, scanned or
 * typed as printed under the barcode (in groups, with spaces or dashes); one whose check digit
 * fails was mistyped or misread, and is caught here, before it is sent. A service barcode, printed
 * on the place's service sheet, carries the offer it chooses. Anything else is refused at the
 * kiosk too.
 */
export type Barcode =
  | { kind: 'pass'; code: string }
  | { kind: 'service'; offerId: string }
  | { kind: 'carnet'; carnetNumber: number }
  | { kind: 'invalid'; reason: 'too_long' | 'unrecognised' | 'misread' };

/** Digits, possibly in groups separated by spaces or dashes: someone typed a pass code. */
const TYPED_DIGITS = /^[0-9]+(?:[ -]+[0-9]+)*$/;
/** The first service sheets' form, still read: SRV- and the offer's UUID (40 characters, a 171 mm barcode). */
const LONG_SERVICE_CODE = /^SRV-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** S and the offer's 128 bits in Crockford's base32: 27 characters, a 99 mm barcode a handheld scanner takes in. */
const SERVICE_CODE = /^S([0-7][0-9A-HJKMNP-TV-Z]{25})$/i;
/** Crockford's base32 alphabet: no I, L, O or U, so a code typed back is not misread. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The carnet's own barcode, on its cover (its number, not a secret): read when it is handed out. */
const CARNET_CODE = /^CAR-([0-9]{1,10})$/i;
/** Longer than any code we print: a stuck key or a wrong symbology. */
export const MAX_BARCODE_LENGTH = 64;

/** The code a service sheet prints (as Code 128 and as a QR code) to choose an offer at the kiosk. */
export function serviceBarcode(offerId: string): string {
  let bits = BigInt(`0x${offerId.replace(/-/g, '')}`);
  let code = '';
  for (let i = 0; i < 26; i++, bits >>= 5n) code = BASE32[Number(bits & 31n)] + code;
  return `S${code}`;
}

function offerIdOf(code: string): string {
  let bits = 0n;
  for (const char of code.toUpperCase()) bits = (bits << 5n) | BigInt(BASE32.indexOf(char));
  const hex = bits.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function carnetBarcode(carnetNumber: number): string {
  return `CAR-${carnetDigits(carnetNumber)}`;
}

export function parseBarcode(text: string): Barcode {
  const value = text.trim();
  if (value.length > MAX_BARCODE_LENGTH) return { kind: 'invalid', reason: 'too_long' };
  if (TYPED_DIGITS.test(value)) {
    const code = value.replace(/[ -]/g, '');
    return readPassCode(code).ok ? { kind: 'pass', code } : { kind: 'invalid', reason: 'misread' };
  }
  const service = SERVICE_CODE.exec(value);
  if (service) return { kind: 'service', offerId: offerIdOf(service[1]!) };
  const long = LONG_SERVICE_CODE.exec(value);
  if (long) return { kind: 'service', offerId: long[1]!.toLowerCase() };
  const carnet = CARNET_CODE.exec(value);
  if (carnet && Number(carnet[1]) >= 1) return { kind: 'carnet', carnetNumber: Number(carnet[1]) };
  return { kind: 'invalid', reason: 'unrecognised' };
}

/**
 * A pass scanned at a kiosk, inside a scan session (the service chosen first, then each pass).
 * `scanId` is minted by the agent before the scan is journaled: it is the idempotency key.
 */
export const ScanMessage = Type.Object(
  {
    scanId: Uuid,
    kioskId: Uuid,
    sessionId: Uuid,
    offerId: Uuid,
    code: Type.String({ pattern: '^[0-9]{8,24}$' }),
    scannedAt: Instant,
    /** true when the agent journaled it while offline and sends it late. */
    offline: Type.Boolean(),
    /**
     * With an offline scan: the scan whose verdict the kiosk received last before this one was
     * journaled (null: it never received one). It bounds the offline scan's time by when that scan
     * reached the platform. Absent from agents that predate it.
     */
    lastVerdictScanId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ScanMessage = Static<typeof ScanMessage>;

/** The kiosk takes back one of its own accepted scans (a mis-scan), within minutes. */
export const CancelRequest = Type.Object(
  {
    cancelId: Uuid,
    kioskId: Uuid,
    /** The accepted scan to take back. */
    scanId: Uuid,
    requestedAt: Instant,
  },
  { additionalProperties: false },
);
export type CancelRequest = Static<typeof CancelRequest>;

/** The answer to a cancellation request, on the kiosk's verdict subject. */
export const CancelOutcome = Type.Object({
  cancelId: Uuid,
  scanId: Uuid,
  outcome: Type.Union([Type.Literal('cancelled'), Type.Literal('refused')]),
  message: Type.String(),
});
export type CancelOutcome = Static<typeof CancelOutcome>;

export const DenialReasons = [
  'misread',
  'unknown_pass',
  'not_released',
  'not_handed_out',
  'blocked',
  'already_redeemed',
  'expired',
  'not_yet_valid',
  'place_not_qualified',
  'kit_inactive',
  'service_not_offered',
  'outside_perimeter',
  'place_type_not_allowed',
  'service_category_not_allowed',
  'same_carnet_same_service',
  'kiosk_revoked',
  'too_many_unknown',
  'redemption_window_closed',
  'clock_skew',
  'invalid_message',
] as const;
export type DenialReason = (typeof DenialReasons)[number];
export const DenialReason = Type.Union(DenialReasons.map((r) => Type.Literal(r)));

/** The platform's answer to one scan, sent back on the kiosk's own verdict subject. */
export const Verdict = Type.Union([
  Type.Object({
    scanId: Uuid,
    outcome: Type.Literal('accepted'),
    redemptionId: Uuid,
    faceValueCents: PositiveCents,
    message: Type.String(),
  }),
  Type.Object({
    scanId: Uuid,
    outcome: Type.Literal('denied'),
    reason: DenialReason,
    /** Short French message for the mediator. */
    message: Type.String(),
  }),
]);
export type Verdict = Static<typeof Verdict>;

/** How the kiosk reads barcodes: a keyboard-emulation scanner, a HID POS scanner, or lines on standard input. */
export const ScannerModes = ['keyboard', 'hid_pos', 'stdin'] as const;
export type ScannerMode = (typeof ScannerModes)[number];

const Count = Type.Integer({ minimum: 0, maximum: 10_000_000 });
/** Ages are bounded (a kiosk whose clock jumped says so through its clock offset, not a 50-year-old scan). */
export const MAX_AGE_SECONDS = 2_147_483_647;

/**
 * What a kiosk says of itself every 30 s on its own heartbeat subject (and once more when it is
 * stopped cleanly, `stopping`). A last-value signal: each one supersedes the one before.
 */
export const KioskHeartbeat = Type.Object(
  {
    kioskId: Uuid,
    sentAt: Instant,
    /** The agent's version (agent/package.json). */
    version: Type.String({ maxLength: 40 }),
    /** The keyboard layout a keyboard-emulation scanner is read with. */
    layout: Type.String({ maxLength: 16 }),
    scanner: Type.Object(
      {
        connected: Type.Boolean(),
        /** The scanner's make and product, as far as the agent knows it. */
        model: Type.Union([Type.String({ maxLength: 160 }), Type.Null()]),
        mode: Type.Union([...ScannerModes.map((m) => Type.Literal(m)), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    journal: Type.Object(
      {
        /** Scans journaled, not yet acknowledged by the platform. */
        pending: Count,
        /** Scans the platform holds, whose verdict the kiosk has not received yet. */
        awaitingVerdict: Count,
        /** The journal's bound (journalMaxScans): past it, new scans are refused. */
        max: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
        oldestPendingAgeSeconds: Type.Union([Type.Integer({ minimum: 0, maximum: MAX_AGE_SECONDS }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    /** The server's clock minus the kiosk's, measured on the previous heartbeat's answer; null before one. */
    clockOffsetMs: Type.Union([Type.Integer({ minimum: -1e13, maximum: 1e13 }), Type.Null()]),
    stopping: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type KioskHeartbeat = Static<typeof KioskHeartbeat>;

/** The answer to a heartbeat: the time the platform received it (the kiosk measures its clock offset with it). */
export const HeartbeatAnswer = Type.Object({ receivedAt: Instant }, { additionalProperties: false });
export type HeartbeatAnswer = Static<typeof HeartbeatAnswer>;
