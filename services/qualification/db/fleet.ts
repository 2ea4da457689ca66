import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { KioskHeartbeat } from '@aptic/contracts';
import { sqlState, type Db, type Page, type Queryable } from '@aptic/runtime';
import { kioskHeartbeats, kiosks } from './schema.ts';
import type { Kiosk } from './kiosks.ts';

type HeartbeatRow = typeof kioskHeartbeats.$inferSelect;
export interface FleetKiosk {
  kiosk: Kiosk;
  heartbeat: HeartbeatRow | null;
}

/**
 * Keeps a kiosk's heartbeat if it is newer than the one kept (by the kiosk's own send time: one
 * delayed in transit never replaces a later one). False for a kiosk unknown here.
 */
export async function recordHeartbeat(db: Db, beat: KioskHeartbeat, receivedAt: Date): Promise<boolean> {
  const row = {
    kioskId: beat.kioskId,
    receivedAt,
    sentAt: new Date(beat.sentAt),
    version: beat.version,
    layout: beat.layout,
    scannerConnected: beat.scanner.connected,
    scannerModel: beat.scanner.model,
    scannerMode: beat.scanner.mode,
    pending: beat.journal.pending,
    awaitingVerdict: beat.journal.awaitingVerdict,
    journalMax: beat.journal.max,
    oldestPendingAgeSeconds: beat.journal.oldestPendingAgeSeconds,
    clockOffsetMs: beat.clockOffsetMs,
    stopping: beat.stopping,
  };
  const { kioskId: _, ...update } = row;
  try {
    await db
      .insert(kioskHeartbeats)
      .values(row)
      .onConflictDoUpdate({
        target: kioskHeartbeats.kioskId,
        set: update,
        setWhere: sql`${kioskHeartbeats.sentAt} < excluded.sent_at`,
      });
    return true;
  } catch (err) {
    // A foreign key violation: no such kiosk here (another deployment's, or a forged id).
    if (sqlState(err) === '23503') return false;
    throw err;
  }
}

/** Kiosks with their last heartbeat (none if they never sent one), by place and status, oldest registration first. */
export async function fleetKiosks(
  db: Queryable,
  filter: { placeId?: string; status?: Kiosk['status'] },
  page?: Page,
): Promise<FleetKiosk[]> {
  const where: SQL[] = [];
  if (filter.placeId) where.push(eq(kiosks.placeId, filter.placeId));
  if (filter.status) where.push(eq(kiosks.status, filter.status));
  const query = db
    .select({ kiosk: kiosks, heartbeat: kioskHeartbeats })
    .from(kiosks)
    .leftJoin(kioskHeartbeats, eq(kioskHeartbeats.kioskId, kiosks.id))
    .where(and(...where))
    .orderBy(asc(kiosks.registeredAt), asc(kiosks.id));
  return page ? query.limit(page.limit).offset(page.offset) : query;
}
