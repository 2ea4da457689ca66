import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createAccount, createOperator } from '@nats-io/nkeys';
import { readKioskConfig } from './config.ts';

const account = createAccount();
const seed = new TextDecoder().decode(createAccount().getSeed());
const operatorSeed = new TextDecoder().decode(createOperator().getSeed());
const signing = { NATS_ACCOUNT_SIGNING_SEED: seed, NATS_ACCOUNT_PUBLIC_KEY: account.getPublicKey() };
const systemCredsFile = join(mkdtempSync(join(tmpdir(), 'aptic-kiosk-config-')), 'system.creds');
writeFileSync(systemCredsFile, 'system user creds');

test('no keys: kiosks cannot be registered (the routes answer 503), the rest runs', () => {
  expect(readKioskConfig({}, 'nats://x:4222')).toEqual({
    signing: undefined,
    natsUrl: 'nats://x:4222',
    creds: undefined,
    revocation: undefined,
  });
});

test('both keys, and KIOSK_NATS_URL overriding NATS_URL', () => {
  const config = readKioskConfig({ ...signing, KIOSK_NATS_URL: 'nats://kiosks:4222' }, 'nats://x:4222');
  expect(config).toMatchObject({
    signing: { accountSigningSeed: seed, accountPublicKey: account.getPublicKey() },
    natsUrl: 'nats://kiosks:4222',
    revocation: undefined,
  });
});

test('one key without the other, or keys of the wrong kind, stop the start with the variable named', () => {
  expect(() => readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: seed }, undefined)).toThrow(/NATS_ACCOUNT_PUBLIC_KEY/);
  expect(() =>
    readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: 'SUxxx', NATS_ACCOUNT_PUBLIC_KEY: account.getPublicKey() }, undefined),
  ).toThrow(/NATS_ACCOUNT_SIGNING_SEED/);
  expect(() =>
    readKioskConfig({ NATS_ACCOUNT_SIGNING_SEED: seed, NATS_ACCOUNT_PUBLIC_KEY: 'UABC' }, undefined),
  ).toThrow(/NATS_ACCOUNT_PUBLIC_KEY/);
});

test('revocation: the operator’s signing seed and a system user’s creds, beside the account keys', () => {
  const config = readKioskConfig(
    { ...signing, NATS_OPERATOR_SIGNING_SEED: operatorSeed, NATS_SYSTEM_CREDS_FILE: systemCredsFile },
    'nats://x:4222',
  );
  expect(config.revocation).toEqual({ operatorSigningSeed: operatorSeed, systemCreds: 'system user creds' });
  expect(() => readKioskConfig({ ...signing, NATS_OPERATOR_SIGNING_SEED: operatorSeed }, undefined)).toThrow(
    /NATS_SYSTEM_CREDS_FILE/,
  );
  expect(() =>
    readKioskConfig(
      { ...signing, NATS_OPERATOR_SIGNING_SEED: seed, NATS_SYSTEM_CREDS_FILE: systemCredsFile },
      undefined,
    ),
  ).toThrow(/NATS_OPERATOR_SIGNING_SEED/);
  expect(() =>
    readKioskConfig({ NATS_OPERATOR_SIGNING_SEED: operatorSeed, NATS_SYSTEM_CREDS_FILE: systemCredsFile }, undefined),
  ).toThrow(/NATS_ACCOUNT_SIGNING_SEED/);
});
