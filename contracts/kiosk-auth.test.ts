import { decode, type User } from '@nats-io/jwt';
import { createAccount } from '@nats-io/nkeys';
import { expect, test } from 'vitest';
import { KIOSK_LIMITS, issueKioskCredentials } from './kiosk-auth.ts';

test('a kiosk credential carries limits the NATS server enforces: payload, subscriptions, data', async () => {
  const account = createAccount();
  const { creds } = await issueKioskCredentials({
    accountSigningSeed: new TextDecoder().decode(account.getSeed()),
    accountPublicKey: account.getPublicKey(),
    prefix: 'aptic',
    kioskId: '3f1c2b7e-9a4d-4c1e-8b2a-0d9e8f7a6b5c',
    name: 'borne',
  });
  const jwt = /-----BEGIN NATS USER JWT-----\n(.+)\n/.exec(creds)![1]!;
  const claims = decode<User>(jwt).nats;
  expect({ payload: claims.payload, subs: claims.subs, data: claims.data }).toEqual(KIOSK_LIMITS);
  expect(KIOSK_LIMITS.payload).toBeLessThanOrEqual(4_096);
});
