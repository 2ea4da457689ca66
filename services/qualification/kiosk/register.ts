import { randomUUID } from 'node:crypto';
import { issueKioskCredentials, natsNames } from '@aptic/contracts';
import type { ServiceContext } from '@aptic/runtime';
import { findPlace } from '../db/places.ts';
import { assertKioskAllowed, findKiosk, insertKiosk, revokeKiosk, type Kiosk } from '../db/kiosks.ts';
import { notConfigured, type KioskAuthConfig } from './config.ts';
import type { VerdictConsumers } from './verdicts.ts';

export type ConsumerOutcome = { stream: string; consumer: string; created: true } | { created: false; reason: string };

export interface KioskDeps {
  ctx: ServiceContext;
  config: KioskAuthConfig;
  /** Undefined in embedded mode: there is no NATS to create the consumer on. */
  verdicts: VerdictConsumers | undefined;
}

/**
 * Registers a kiosk: its NATS user (signed with the account key), its durable verdict consumer,
 * then the row and `kiosk.registered`. The consumer is created first so that a kiosk on record
 * always has one; if the transaction then fails, the consumer is removed again.
 */
export async function registerKiosk(deps: KioskDeps, placeId: string, name: string, actor: string) {
  const signing = deps.config.signing;
  // Embedded mode has no NATS: its kiosk talks to redemption over the admin HTTP (the demo), with no credential.
  const local = !signing && deps.ctx.config.mode === 'embedded';
  if (!signing && !local) throw notConfigured();
  assertKioskAllowed(await findPlace(deps.ctx.db, placeId));
  const kioskId = randomUUID();
  const prefix = deps.ctx.config.natsPrefix;
  const { userPublicKey, creds } = signing
    ? await issueKioskCredentials({ ...signing, prefix, kioskId, name: `kiosk ${name} (${kioskId})` })
    : { userPublicKey: `none: embedded-mode kiosk ${kioskId}`, creds: '' };
  const consumer: ConsumerOutcome = deps.verdicts
    ? { ...(await deps.verdicts.create(kioskId)), created: true }
    : { created: false, reason: 'embedded mode: no NATS server, the verdict consumer is not created' };
  let kiosk: Kiosk;
  try {
    kiosk = await deps.ctx.transaction((tx, emit) => insertKiosk(tx, emit, { id: kioskId, placeId, name, userPublicKey }, actor));
  } catch (err) {
    await deps.verdicts?.remove(kioskId);
    throw err;
  }
  const { kiosk: subjects } = natsNames(prefix);
  return { kiosk, creds, inboxPrefix: subjects.inboxPrefix(kioskId), subjects: { scans: subjects.scans(kioskId), verdicts: subjects.verdicts(kioskId) }, verdictConsumer: consumer };
}

/**
 * Revokes a kiosk on our side: recorded (its user public key kept for the account's revocation
 * list), announced (`kiosk.revoked`: redemption refuses its scans), its verdict consumer deleted.
 * Its NATS credential itself stays valid until the account JWT lists the key as revoked (see README).
 */
export async function revokeKioskById(deps: KioskDeps, kioskId: string, reason: string, actor: string): Promise<Kiosk> {
  const kiosk = await deps.ctx.transaction(async (tx, emit) => revokeKiosk(tx, emit, await findKiosk(tx, kioskId), reason, actor));
  await dropConsumers(deps, [kioskId]);
  return kiosk;
}

export async function dropConsumers(deps: KioskDeps, kioskIds: string[]): Promise<void> {
  for (const id of kioskIds) {
    await deps.verdicts?.remove(id).catch((err: unknown) => deps.ctx.log.warn({ err, kioskId: id }, 'could not delete a revoked kiosk’s verdict consumer'));
  }
}
