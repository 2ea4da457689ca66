import { readFileSync } from 'node:fs';
import { DomainError } from '@aptic/contracts';

/**
 * What kiosk registration needs from the environment (read once, at start):
 * - NATS_ACCOUNT_SIGNING_SEED (`SA…`) and NATS_ACCOUNT_PUBLIC_KEY (`A…`): sign each kiosk's NATS user;
 * - KIOSK_NATS_URL (default: NATS_URL) and KIOSK_NATS_CREDS_FILE (a `.creds` file of a platform
 *   user of that account): where the kiosk's durable verdict consumer is created. The runtime's
 *   own connection carries no credentials, so this is how it works against an operator-mode server.
 */
export interface KioskAuthConfig {
  signing: { accountSigningSeed: string; accountPublicKey: string } | undefined;
  natsUrl: string | undefined;
  creds: string | undefined;
}

type Env = Record<string, string | undefined>;

export function readKioskConfig(env: Env, defaultNatsUrl: string | undefined): KioskAuthConfig {
  const seed = env.NATS_ACCOUNT_SIGNING_SEED || undefined;
  const account = env.NATS_ACCOUNT_PUBLIC_KEY || undefined;
  if (Boolean(seed) !== Boolean(account)) throw new Error('Set both NATS_ACCOUNT_SIGNING_SEED and NATS_ACCOUNT_PUBLIC_KEY, or neither.');
  if (seed && !seed.startsWith('SA')) throw new Error('NATS_ACCOUNT_SIGNING_SEED must be an account seed (SA…).');
  if (account && !account.startsWith('A')) throw new Error('NATS_ACCOUNT_PUBLIC_KEY must be an account public key (A…).');
  const credsFile = env.KIOSK_NATS_CREDS_FILE || undefined;
  return {
    signing: seed && account ? { accountSigningSeed: seed, accountPublicKey: account } : undefined,
    natsUrl: env.KIOSK_NATS_URL || defaultNatsUrl,
    creds: credsFile ? readFileSync(credsFile, 'utf8') : undefined,
  };
}

export function notConfigured(): DomainError {
  return new DomainError(
    'kiosk_credentials_not_configured',
    'La plateforme n’est pas configurée pour émettre des accès de borne (NATS_ACCOUNT_SIGNING_SEED et NATS_ACCOUNT_PUBLIC_KEY absents).',
    { status: 503 },
  );
}
