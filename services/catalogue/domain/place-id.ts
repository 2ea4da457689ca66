/**
 * Imported places get a placeId derived from their national id (a name-based UUID, RFC 9562
 * version 5 layout over SHA-1), so a re-import finds the same place, and qualification, when it
 * qualifies a place from the directory, uses the same id (catalogue lists it at GET /places).
 */
import { createHash } from 'node:crypto';

const NAMESPACE = 'aptic:lieux-mediation-numerique:';

export function placeIdFromNationalId(nationalId: string): string {
  const h = createHash('sha1')
    .update(NAMESPACE + nationalId)
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
