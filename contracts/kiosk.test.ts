import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { MAX_BARCODE_LENGTH, parseBarcode, serviceBarcode } from './kiosk.ts';
import { passCode, printedPassCode } from './pass-code.ts';
import { decode, encodeAccount, type Account } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { kioskPermissions, withRevokedUsers } from './kiosk-auth.ts';

test('barcodes: pass codes as scanned or typed as printed, service codes carry their offer, the rest is refused', () => {
  const offerId = randomUUID();
  const code = passCode('a key of the printing service', 42, 4);
  expect(parseBarcode(` ${code} `)).toEqual({ kind: 'pass', code });
  // As printed under the barcode, in its groups, or typed with dashes.
  const grouped = printedPassCode(code);
  expect(parseBarcode(grouped)).toEqual({ kind: 'pass', code });
  expect(parseBarcode(grouped.replaceAll(' ', '-'))).toEqual({ kind: 'pass', code });
  expect(parseBarcode(grouped.replaceAll(' ', '  '))).toEqual({ kind: 'pass', code });
  // A wrong digit, two digits swapped, one missing: mistyped, caught before anything is sent.
  const wrong = `${code.slice(0, 10)}${(Number(code[10]) + 1) % 10}${code.slice(11)}`;
  const swapped = code[11] === code[12] ? wrong : `${code.slice(0, 11)}${code[12]}${code[11]}${code.slice(13)}`;
  for (const typo of [wrong, swapped, code.slice(1), '1234', '123456789012']) {
    expect(parseBarcode(typo)).toEqual({ kind: 'invalid', reason: 'misread' });
  }
  expect(parseBarcode(serviceBarcode(offerId))).toEqual({ kind: 'service', offerId });
  expect(parseBarcode(serviceBarcode(offerId).toLowerCase())).toEqual({ kind: 'service', offerId });
  // 27 characters (a 99 mm Code 128), where the first sheets printed 40; those are still read.
  expect(serviceBarcode('0b8e5f7e-9a55-4c1e-9d2c-1a2b3c4d5e6f')).toBe('S0BHSFQX6JN9GF9TB0T5CY4TQKF');
  expect(serviceBarcode('ffffffff-ffff-ffff-ffff-ffffffffffff')).toMatch(/^S7Z{25}$/);
  expect(parseBarcode(serviceBarcode('00000000-0000-4000-8000-000000000000'))).toEqual({
    kind: 'service',
    offerId: '00000000-0000-4000-8000-000000000000',
  });
  expect(parseBarcode(`SRV-${offerId.toUpperCase()}`)).toEqual({ kind: 'service', offerId });
  expect(parseBarcode('S8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toEqual({ kind: 'invalid', reason: 'unrecognised' });
  expect(parseBarcode(`${code}-`)).toEqual({ kind: 'invalid', reason: 'unrecognised' });
  expect(parseBarcode("12345678' OR 1=1")).toEqual({ kind: 'invalid', reason: 'unrecognised' });
  expect(parseBarcode('1'.repeat(MAX_BARCODE_LENGTH + 1))).toEqual({ kind: 'invalid', reason: 'too_long' });
});

test('a kiosk may publish only its own scans and read only its own verdicts and inbox', () => {
  const kioskId = '0b9f6c1e-2f43-4d5e-9a1b-3c4d5e6f7a8b';
  const p = kioskPermissions('aptic', kioskId);
  expect(p.publish).toContain(`aptic.kiosk.${kioskId}.scans`);
  // No wildcard but the partition number of its own subjects (the mapping picks it) and its acks.
  const partitioned = new RegExp(`^aptic\\.kiosk\\.p\\.\\*\\.${kioskId}\\.(scans|cancels)$`);
  expect(p.publish.filter((s) => partitioned.test(s))).toHaveLength(2);
  expect(
    p.publish.every((s) => (!s.includes('*') && !s.endsWith('>')) || s.startsWith('$JS.ACK.') || partitioned.test(s)),
  ).toBe(true);
  expect(p.subscribe).toEqual([`aptic.kiosk.${kioskId}.verdicts`, '_INBOX_0b9f6c1e2f434d5e9a1b3c4d5e6f7a8b.>']);
});

test('revoking kiosk users re-signs the account JWT with them listed, every other claim kept', async () => {
  const operatorSigning = createOperator();
  const account = createAccount();
  const [earlier, kiosk] = [createUser().getPublicKey(), createUser().getPublicKey()];
  const claims = {
    signing_keys: [createAccount().getPublicKey()],
    limits: { conn: -1, disk_storage: -1 },
    revocations: { [earlier]: 100 },
  };
  const jwt = await encodeAccount('APTIC', account, claims, { signer: createOperator() });
  const seed = new TextDecoder().decode(operatorSigning.getSeed());

  const updated = decode<Account>((await withRevokedUsers(jwt, { [kiosk]: 200, [earlier]: 100 }, seed))!);
  expect(updated).toMatchObject({ sub: account.getPublicKey(), iss: operatorSigning.getPublicKey(), name: 'APTIC' });
  expect(updated.nats).toMatchObject({ ...claims, revocations: { [earlier]: 100, [kiosk]: 200 } });
  // Nothing new: nothing to push.
  expect(await withRevokedUsers(jwt, { [earlier]: 100 }, seed)).toBeUndefined();
  // A later revocation of a listed user moves its time on.
  expect(decode<Account>((await withRevokedUsers(jwt, { [earlier]: 300 }, seed))!).nats.revocations).toEqual({
    [earlier]: 300,
  });
});
