import { randomUUID } from 'node:crypto';
import { issueKioskCredentials, natsNames } from '@aptic/contracts';
import type { ServiceContext } from '@aptic/runtime';
import { findPlace } from '../db/places.ts';
import { assertKioskAllowed, insertKiosk, type Kiosk } from '../db/kiosks.ts';
import { notConfigured, type KioskAuthConfig } from './config.ts';
import type { AccountRevocations } from './revocations.ts';
import type { VerdictConsumers } from './verdicts.ts';
import type { HeartbeatListener } from './heartbeats.ts';
import type { FleetAlertSettings } from '../domain/fleet.ts';

type ConsumerOutcome = { stream: string; consumer: string; created: true } | { created: false; reason: string };

export interface KioskDeps {
  ctx: ServiceContext;
  config: KioskAuthConfig;
  /** Undefined in embedded mode: there is no NATS to create the consumer on. */
  verdicts: VerdictConsumers | undefined;
  /** Undefined in embedded mode, or without the operator's signing key (kiosk/config.ts). */
  revocations: AccountRevocations | undefined;
  /** Undefined in embedded mode: its kiosk has no NATS to beat on. */
  heartbeats: HeartbeatListener | undefined;
  alerts: FleetAlertSettings;
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
    kiosk = await deps.ctx.transaction((tx, emit) =>
      insertKiosk(tx, emit, { id: kioskId, placeId, name, userPublicKey }, actor),
    );
  } catch (err) {
    await deps.verdicts?.remove(kioskId);
    throw err;
  }
  const { kiosk: subjects } = natsNames(prefix);
  return {
    kiosk,
    creds,
    inboxPrefix: subjects.inboxPrefix(kioskId),
    subjects: { scans: subjects.scans(kioskId), verdicts: subjects.verdicts(kioskId) },
    verdictConsumer: consumer,
  };
}
