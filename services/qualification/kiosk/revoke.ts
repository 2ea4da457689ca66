import { sql } from 'drizzle-orm';
import type { ServiceContext } from '@aptic/runtime';
import { findKiosk, revokeKiosk, revokedUsers, type Kiosk } from '../db/kiosks.ts';
import type { KioskDeps } from './register.ts';
import type { AccountRevocations } from './revocations.ts';

/** What became of the revoked kiosks' NATS credentials. */
export type CredentialOutcome = { revoked: true } | { revoked: false; reason: string };

/**
 * Revokes a kiosk: recorded (its user public key kept for the account's revocation list),
 * announced (`kiosk.revoked`: redemption refuses its scans), then its NATS side undone.
 */
export async function revokeKioskById(
  deps: KioskDeps,
  kioskId: string,
  reason: string,
  actor: string,
): Promise<{ kiosk: Kiosk; natsCredential: CredentialOutcome }> {
  const kiosk = await deps.ctx.transaction(async (tx, emit) =>
    revokeKiosk(tx, emit, await findKiosk(tx, kioskId), reason, actor),
  );
  return { kiosk, natsCredential: await afterRevocation(deps, [kioskId]) };
}

/**
 * The NATS side of revoked kiosks: verdict consumers deleted, credentials revoked at the server
 * (the account JWT lists their keys: connected kiosks are cut off, new connections refused).
 * Both best effort: the answer says how it went, and the periodic sync makes a failed push good.
 */
export async function afterRevocation(deps: KioskDeps, kioskIds: string[]): Promise<CredentialOutcome> {
  await dropConsumers(deps, kioskIds);
  if (!deps.revocations) return { revoked: false, reason: notEnforced(deps) };
  try {
    await enforceRevocations(deps.ctx, deps.revocations);
    return { revoked: true };
  } catch (err) {
    deps.ctx.log.warn(
      { err, kioskIds },
      'revoked kiosks still hold a valid NATS credential: retried by the periodic sync',
    );
    return { revoked: false, reason: `${err instanceof Error ? err.message : String(err)} (retried every minute)` };
  }
}

async function dropConsumers(deps: KioskDeps, kioskIds: string[]): Promise<void> {
  for (const id of kioskIds) {
    await deps.verdicts
      ?.remove(id)
      .catch((err: unknown) =>
        deps.ctx.log.warn({ err, kioskId: id }, 'could not delete a revoked kiosk’s verdict consumer'),
      );
  }
}

const notEnforced = (deps: KioskDeps) =>
  deps.ctx.config.mode === 'embedded'
    ? 'embedded mode: kiosks have no NATS credential'
    : 'NATS_OPERATOR_SIGNING_SEED and NATS_SYSTEM_CREDS_FILE not set: the kiosk’s NATS credential stays valid';

/**
 * Puts every kiosk revoked here on the account's revocation list at the NATS server, all in one
 * go, so that any push that failed is made good by the next. One instance at a time (advisory
 * lock): two pushes at once could each drop the other's key. True when the server was updated.
 */
export async function enforceRevocations(ctx: ServiceContext, nats: AccountRevocations): Promise<boolean> {
  return ctx.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('qualification.kiosk-revocations'))`);
    const users = (await revokedUsers(tx)).map(
      (k) => [k.userPublicKey, Math.ceil((k.revokedAt ?? new Date()).getTime() / 1000)] as const,
    );
    return nats.revoke(Object.fromEntries(users));
  });
}
