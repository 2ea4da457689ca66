/**
 * Kiosk credentials: each kiosk connects to NATS with its own user, signed by the platform's
 * account (NATS decentralised auth: operator → account → user JWTs), so a kiosk is added or
 * revoked without touching the server's configuration.
 *
 * What a kiosk may do, and nothing else:
 * - publish its scans on `<prefix>.kiosk.<id>.scans`, and its requests to take back a mis-scan on
 *   `<prefix>.kiosk.<id>.cancels` (JetStream stores them; the ack comes back on its own inbox prefix);
 * - receive its verdicts live on `<prefix>.kiosk.<id>.verdicts`;
 * - publish its heartbeat on `<prefix>.kiosk.<id>.heartbeat` (the answer comes back on its inbox);
 * - after a reconnection, pull the verdicts it missed from its own durable consumer on the
 *   verdicts stream (created by the platform when the kiosk is registered: a kiosk cannot create
 *   consumers, so it cannot read another kiosk's verdicts).
 *
 * Revoking a kiosk puts its user key on the account JWT's revocation list (`withRevokedUsers`):
 * the server then closes its connection and refuses it from then on.
 */
import { decode, encodeAccount, encodeUser, fmtCreds, type Account } from '@nats-io/jwt';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { natsNames } from './subjects.ts';

export interface KioskPermissions {
  publish: string[];
  subscribe: string[];
}

export function kioskPermissions(prefix: string, kioskId: string): KioskPermissions {
  const { kiosk } = natsNames(prefix);
  const consumer = kiosk.verdictConsumer(kioskId);
  return {
    publish: [
      kiosk.scans(kioskId),
      kiosk.cancels(kioskId),
      kiosk.heartbeat(kioskId),
      // Where the account's subject mapping puts them (its partition): NATS checks the mapped subject too.
      kiosk.partitionOf(kioskId, 'scans'),
      kiosk.partitionOf(kioskId, 'cancels'),
      `$JS.API.CONSUMER.MSG.NEXT.${kiosk.verdictStream}.${consumer}`,
      `$JS.API.CONSUMER.INFO.${kiosk.verdictStream}.${consumer}`,
      `$JS.ACK.${kiosk.verdictStream}.${consumer}.>`,
    ],
    subscribe: [kiosk.verdicts(kioskId), `${kiosk.inboxPrefix(kioskId)}.>`],
  };
}

/**
 * What one kiosk's connection may use, enforced by the NATS server: a scan or an undo request is a
 * few hundred bytes, a kiosk needs a handful of subscriptions (its verdicts, its inbox), and its
 * traffic is bounded; a stolen credential cannot flood the platform with large messages.
 */
export const KIOSK_LIMITS = { payload: 4_096, subs: 16, data: 64 * 1_048_576 } as const;

export interface KioskCredentials {
  /** The NATS user's public key (revocation is by this key). */
  userPublicKey: string;
  /** The `.creds` file the agent reads (JWT + seed): a secret, shown once. */
  creds: string;
}

/**
 * Issues a kiosk's credentials, signed with the account's signing key (its seed, `SA…`).
 * `accountPublicKey` is the account the signing key belongs to (`A…`).
 */
export async function issueKioskCredentials(input: {
  accountSigningSeed: string;
  accountPublicKey: string;
  prefix: string;
  kioskId: string;
  name: string;
}): Promise<KioskCredentials> {
  const signer = fromSeed(new TextEncoder().encode(input.accountSigningSeed));
  const user = createUser();
  const permissions = kioskPermissions(input.prefix, input.kioskId);
  const jwt = await encodeUser(input.name, user, signer, {
    issuer_account: input.accountPublicKey,
    pub: { allow: permissions.publish },
    sub: { allow: permissions.subscribe },
    ...KIOSK_LIMITS,
  });
  return { userPublicKey: user.getPublicKey(), creds: new TextDecoder().decode(fmtCreds(jwt, user)) };
}

/**
 * The account JWT with these users revoked (user public key → unix seconds: every JWT of that
 * user issued up to then is refused), every other claim and earlier revocation kept. An account
 * JWT is the operator's to sign: `operatorSigningSeed` is the operator's key or one of its signing
 * keys (`SO…`). Undefined when the JWT already revokes them all.
 */
export async function withRevokedUsers(
  accountJwt: string,
  revoked: Record<string, number>,
  operatorSigningSeed: string,
): Promise<string | undefined> {
  const claims = decode<Account>(accountJwt);
  const listed = claims.nats.revocations ?? {};
  const missing = Object.entries(revoked).filter(([user, at]) => !((listed[user] ?? -1) >= at));
  if (missing.length === 0) return undefined;
  const signer = fromSeed(new TextEncoder().encode(operatorSigningSeed));
  const account = { ...claims.nats, revocations: { ...listed, ...Object.fromEntries(missing) } };
  return encodeAccount(claims.name, claims.sub, account, {
    signer,
    ...(claims.exp ? { exp: claims.exp } : {}),
    ...(claims.nbf ? { nbf: claims.nbf } : {}),
  });
}
