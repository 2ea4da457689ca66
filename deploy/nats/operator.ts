/**
 * The NATS operator-mode identities of one deployment (decentralised JWT auth): an operator with
 * a signing key, the system account, the platform's APTIC account with a signing key, and the
 * two users the services connect as. `bootstrap.ts` writes them to files; the tests' own NATS
 * server (test/support/nats-operator.ts) is made from the same function.
 */
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';
import { scanPartitionMappings } from '@aptic/contracts';

export interface OperatorSetup {
  operatorJwt: string;
  /** The operator's identity key: re-signs the operator JWT only (signing keys, system account). Keep it offline. */
  operatorSeed: string;
  /** Signs account JWTs: what qualification needs to put revoked kiosks on the account's revocation list. */
  operatorSigningSeed: string;
  systemAccountPublicKey: string;
  systemJwt: string;
  /** A user of the system account: qualification looks up and pushes the APTIC account JWT with it. */
  systemCreds: string;
  accountPublicKey: string;
  accountJwt: string;
  /** Signs kiosk users (qualification). */
  accountSigningSeed: string;
  /** The services' user: every permission inside the account. */
  platformCreds: string;
}

// Every limit must be given: one left out counts as zero (no connection allowed).
const NO_LIMITS = { subs: -1, conn: -1, leaf: -1, imports: -1, exports: -1, data: -1, payload: -1, wildcards: true };
const JETSTREAM = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const creds = async (name: string, account: KeyPair, signer: KeyPair) => {
  const user = createUser();
  const jwt = await encodeUser(
    name,
    user,
    signer,
    signer === account ? {} : { issuer_account: account.getPublicKey() },
  );
  return text(fmtCreds(jwt, user));
};

/**
 * Subject mappings of the account, in its JWT (operator mode has no `mappings` block in the server
 * configuration): kiosk scans spread over the scan partitions by kiosk.
 */
const accountMappings = (prefix: string) =>
  Object.fromEntries(
    Object.entries(scanPartitionMappings(prefix)).map(([from, to]) => [from, [{ subject: to, weight: 100 }]]),
  );

export async function createOperatorSetup(name = 'aptic', prefix = 'aptic'): Promise<OperatorSetup> {
  const operator = createOperator();
  const operatorSigning = createOperator();
  const system = createAccount();
  const account = createAccount();
  const accountSigning = createAccount();
  const signer = { signer: operatorSigning };
  return {
    operatorJwt: await encodeOperator(name, operator, {
      system_account: system.getPublicKey(),
      signing_keys: [operatorSigning.getPublicKey()],
    }),
    operatorSeed: text(operator.getSeed()),
    operatorSigningSeed: text(operatorSigning.getSeed()),
    systemAccountPublicKey: system.getPublicKey(),
    systemJwt: await encodeAccount('SYS', system, { limits: NO_LIMITS }, signer),
    systemCreds: await creds('system', system, system),
    accountPublicKey: account.getPublicKey(),
    accountJwt: await encodeAccount(
      'APTIC',
      account,
      {
        signing_keys: [accountSigning.getPublicKey()],
        limits: { ...NO_LIMITS, ...JETSTREAM },
        mappings: accountMappings(prefix),
      } as Parameters<typeof encodeAccount>[2],
      signer,
    ),
    accountSigningSeed: text(accountSigning.getSeed()),
    platformCreds: await creds('platform', account, accountSigning),
  };
}

/**
 * The server-side part: trusted operator, system account, and both account JWTs preloaded into
 * the resolver. A preloaded JWT never replaces a newer one the resolver holds, so the account
 * keeps the revocations qualification pushed across restarts.
 */
export function operatorConf(setup: OperatorSetup): string {
  return [
    `operator: "${setup.operatorJwt}"`,
    `system_account: "${setup.systemAccountPublicKey}"`,
    'resolver_preload: {',
    `  ${setup.systemAccountPublicKey}: "${setup.systemJwt}"`,
    `  ${setup.accountPublicKey}: "${setup.accountJwt}"`,
    '}',
    '',
  ].join('\n');
}
