import { readFileSync } from 'node:fs';
import { DomainError } from '@aptic/contracts';

/**
 * What kiosk registration and revocation need from the environment (read once, at start):
 * - NATS_ACCOUNT_SIGNING_SEED (`SA…`) and NATS_ACCOUNT_PUBLIC_KEY (`A…`): sign each kiosk's NATS user;
 * - KIOSK_NATS_URL (default: NATS_URL) and KIOSK_NATS_CREDS_FILE (a `.creds` file of a platform
 *   user of that account): where the kiosk's durable verdict consumer is created. The runtime's
 *   own connection carries no credentials, so this is how it works against an operator-mode server;
 * - NATS_OPERATOR_SIGNING_SEED (`SO…`) and NATS_SYSTEM_CREDS_FILE (a `.creds` file of a system
 *   account user): re-sign the account JWT with revoked kiosks listed, and push it to the server
 *   at KIOSK_NATS_URL. Without them a revoked kiosk's credential stays valid for NATS.
 */
export interface KioskAuthConfig {
  signing: { accountSigningSeed: string; accountPublicKey: string } | undefined;
  natsUrl: string | undefined;
  creds: string | undefined;
  revocation: { operatorSigningSeed: string; systemCreds: string } | undefined;
}

type Env = Record<string, string | undefined>;

/** Two variables that only make sense together; the seed must be of the named kind. */
function pair(env: Env, seedName: string, seedPrefix: string, otherName: string): [string, string] | undefined {
  const seed = env[seedName] || undefined;
  const other = env[otherName] || undefined;
  if (Boolean(seed) !== Boolean(other)) throw new Error(`Set both ${seedName} and ${otherName}, or neither.`);
  if (seed && !seed.startsWith(seedPrefix))
    throw new Error(`${seedName} must be a seed of the right kind (${seedPrefix}…).`);
  return seed && other ? [seed, other] : undefined;
}

export function readKioskConfig(env: Env, defaultNatsUrl: string | undefined): KioskAuthConfig {
  const signing = pair(env, 'NATS_ACCOUNT_SIGNING_SEED', 'SA', 'NATS_ACCOUNT_PUBLIC_KEY');
  if (signing && !signing[1].startsWith('A'))
    throw new Error('NATS_ACCOUNT_PUBLIC_KEY must be an account public key (A…).');
  const revocation = pair(env, 'NATS_OPERATOR_SIGNING_SEED', 'SO', 'NATS_SYSTEM_CREDS_FILE');
  // Revocation edits the account kiosks are signed in: it means nothing without that account.
  if (revocation && !signing)
    throw new Error('NATS_OPERATOR_SIGNING_SEED needs NATS_ACCOUNT_SIGNING_SEED and NATS_ACCOUNT_PUBLIC_KEY.');
  const credsFile = env.KIOSK_NATS_CREDS_FILE || undefined;
  return {
    signing: signing && { accountSigningSeed: signing[0], accountPublicKey: signing[1] },
    natsUrl: env.KIOSK_NATS_URL || defaultNatsUrl,
    creds: credsFile ? readFileSync(credsFile, 'utf8') : undefined,
    revocation: revocation && { operatorSigningSeed: revocation[0], systemCreds: readFileSync(revocation[1], 'utf8') },
  };
}

export function notConfigured(): DomainError {
  return new DomainError(
    'kiosk_credentials_not_configured',
    'La plateforme n’est pas configurée pour émettre des accès de borne (NATS_ACCOUNT_SIGNING_SEED et NATS_ACCOUNT_PUBLIC_KEY absents).',
    { status: 503 },
  );
}
