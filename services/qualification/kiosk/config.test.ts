import { expect, test } from 'vitest';
import { createAccount } from '@nats-io/nkeys';
import { readKioskConfig } from './config.ts';

const account = createAccount();
const seed = new TextDecoder().decode(createAccount().getSeed());

test('no keys: kiosks cannot be registered (the routes answer 503), the rest runs', () => {
  expect(readKioskConfig({}, 'nats://x:4222')).toEqual({ signing: undefined, natsUrl: 'nats://x:4222', creds: undefined });
});

test('both keys, and KIOSK_NATS_URL overriding NATS_URL', () => {
  const config = readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: seed, NATS_ACCOUNT_PUBLIC_KEY: account.getPublicKey(), KIOSK_NATS_URL: 'nats://kiosks:4222' }, 'nats://x:4222');
  expect(config).toMatchObject({ signing: { accountSigningSeed: seed, accountPublicKey: account.getPublicKey() }, natsUrl: 'nats://kiosks:4222' });
});

test('one key without the other, or keys of the wrong kind, stop the start with the variable named', () => {
  expect(() => readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: seed }, undefined)).toThrow(/NATS_ACCOUNT_PUBLIC_KEY/);
  expect(() => readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: 'SUxxx', NATS_ACCOUNT_PUBLIC_KEY: account.getPublicKey() }, undefined)).toThrow(/NATS_ACCOUNT_SIGNING_SEED/);
  expect(() => readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: seed, NATS_ACCOUNT_PUBLIC_KEY: 'UABC' }, undefined)).toThrow(/NATS_ACCOUNT_PUBLIC_KEY/);
});
