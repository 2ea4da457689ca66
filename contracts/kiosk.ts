import { Type, type Static } from '@sinclair/typebox';
import { Uuid, Instant, PositiveCents } from './primitives.ts';

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
  },
  { additionalProperties: false },
);
export type ScanMessage = Static<typeof ScanMessage>;

export const DenialReasons = [
  'misread',
  'unknown_pass',
  'not_released',
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
