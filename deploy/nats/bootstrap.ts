/**
 * Creates a deployment's NATS identities, once: `node deploy/nats/bootstrap.ts [folder]`
 * (default deploy/nats/operator/, git-ignored). Writes
 * - operator.conf: operator JWT, system account, preloaded account JWTs (public; nats.conf includes it);
 * - platform.creds: the services' NATS user (NATS_CREDS, and qualification's KIOSK_NATS_CREDS_FILE);
 * - system.creds: a system account user (qualification's NATS_SYSTEM_CREDS_FILE);
 * - qualification.env: NATS_ACCOUNT_SIGNING_SEED, NATS_ACCOUNT_PUBLIC_KEY, NATS_OPERATOR_SIGNING_SEED;
 * - operator.seed: the operator's identity key, needed only to re-sign the operator JWT: move it offline.
 * Refuses to overwrite: new identities would invalidate every kiosk credential already issued.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOperatorSetup, operatorConf } from './operator.ts';

const folder = resolve(process.argv[2] ?? fileURLToPath(new URL('./operator/', import.meta.url)));
if (existsSync(join(folder, 'operator.conf'))) {
  console.error(`${folder} already holds an operator setup: remove it first only if no kiosk uses it.`);
  process.exit(1);
}
// The subject mappings in the account JWT name the deployment's subjects, hence its prefix.
const setup = await createOperatorSetup('aptic', process.env.APTIC_NATS_PREFIX ?? 'aptic');
mkdirSync(folder, { recursive: true, mode: 0o700 });
const secret = (name: string, content: string) => writeFileSync(join(folder, name), content, { mode: 0o600 });
writeFileSync(join(folder, 'operator.conf'), operatorConf(setup));
secret('platform.creds', setup.platformCreds);
secret('system.creds', setup.systemCreds);
secret('operator.seed', `${setup.operatorSeed}\n`);
secret(
  'qualification.env',
  [
    `NATS_ACCOUNT_SIGNING_SEED=${setup.accountSigningSeed}`,
    `NATS_ACCOUNT_PUBLIC_KEY=${setup.accountPublicKey}`,
    `NATS_OPERATOR_SIGNING_SEED=${setup.operatorSigningSeed}`,
    '',
  ].join('\n'),
);
console.log(`NATS operator setup written to ${folder} (account ${setup.accountPublicKey}).`);
