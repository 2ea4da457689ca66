import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { MAX_BARCODE_LENGTH, parseBarcode, serviceBarcode } from './kiosk.ts';
import { kioskPermissions } from './kiosk-auth.ts';

test('barcodes: pass codes are digits, service codes carry their offer, the rest is refused', () => {
  const offerId = randomUUID();
  expect(parseBarcode(' 123456789012 ')).toEqual({ kind: 'pass', code: '123456789012' });
  expect(parseBarcode(serviceBarcode(offerId))).toEqual({ kind: 'service', offerId });
  expect(parseBarcode(serviceBarcode(offerId).toUpperCase())).toEqual({ kind: 'service', offerId });
  expect(parseBarcode('1234')).toEqual({ kind: 'invalid', reason: 'unrecognised' });
  expect(parseBarcode("12345678' OR 1=1")).toEqual({ kind: 'invalid', reason: 'unrecognised' });
  expect(parseBarcode('1'.repeat(MAX_BARCODE_LENGTH + 1))).toEqual({ kind: 'invalid', reason: 'too_long' });
});

test('a kiosk may publish only its own scans and read only its own verdicts and inbox', () => {
  const kioskId = '0b9f6c1e-2f43-4d5e-9a1b-3c4d5e6f7a8b';
  const p = kioskPermissions('aptic', kioskId);
  expect(p.publish).toContain(`aptic.kiosk.${kioskId}.scans`);
  expect(p.publish.every((s) => !s.includes('*') && !s.endsWith('>') || s.startsWith('$JS.ACK.'))).toBe(true);
  expect(p.subscribe).toEqual([`aptic.kiosk.${kioskId}.verdicts`, '_INBOX_0b9f6c1e2f434d5e9a1b3c4d5e6f7a8b.>']);
});
