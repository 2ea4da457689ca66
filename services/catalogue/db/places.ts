import { and, eq, sql, type SQL } from 'drizzle-orm';
import { DomainError, type EventEnvelope } from '@aptic/contracts';
import type { ConsumerDefinition, Queryable, Tx } from '@aptic/runtime';
import { communeByCode } from '../domain/communes.ts';
import { isValidOpeningHours } from '../domain/hours.ts';
import { placeStatus, places } from './schema.ts';

export type Place = typeof places.$inferSelect;
export type PlaceStatus = 'not_qualified' | 'qualified' | 'suspended' | 'revoked';
type PlaceEvent = EventEnvelope<'place.qualified' | 'place.suspended' | 'place.revoked'>;

const STATUS = { 'place.qualified': 'qualified', 'place.suspended': 'suspended', 'place.revoked': 'revoked' } as const;

/** Whether the event is newer than what a row holds: by place version (0 before versions), then time. */
const newer = (version: SQL, at: SQL, e: PlaceEvent) =>
  sql`(${version}, coalesce(${at}, '-infinity')) <= (${e.data.placeVersion ?? 0}, ${e.occurredAt}::timestamptz)`;

/** Newest word wins: events of different types may be delivered out of order, or replayed. */
async function recordStatus(tx: Tx, e: PlaceEvent): Promise<void> {
  const at = new Date(e.occurredAt);
  const reason = 'reason' in e.data ? e.data.reason : null;
  const values = { status: STATUS[e.type], reason, statusVersion: e.data.placeVersion ?? 0, statusAt: at };
  await tx
    .insert(placeStatus)
    .values({ placeId: e.data.placeId, ...values })
    .onConflictDoUpdate({
      target: placeStatus.placeId,
      set: values,
      setWhere: newer(sql`${placeStatus.statusVersion}`, sql`${placeStatus.statusAt}`, e),
    });
  // The directory row mirrors the status that won (see `places.qualified`).
  await tx
    .update(places)
    .set({
      qualified: sql`EXISTS (SELECT 1 FROM ${placeStatus} WHERE ${placeStatus.placeId} = ${places.id} AND ${placeStatus.status} = 'qualified')`,
    })
    .where(eq(places.id, e.data.placeId));
}

/**
 * A qualified place enters (or updates) the directory under qualification's placeId: the same
 * row as its imported entry when qualification used the directory's id. Qualification's name,
 * type and commune win; hours and coordinates only when the event carries them.
 */
async function recordQualified(tx: Tx, e: EventEnvelope<'place.qualified'>): Promise<void> {
  const d = e.data;
  const commune = communeByCode(d.communeCode);
  const own = d.latitude !== undefined && d.longitude !== undefined;
  const hours = d.openingHours && isValidOpeningHours(d.openingHours) ? d.openingHours : undefined;
  const located = own ? { latitude: d.latitude!, longitude: d.longitude!, positionSource: 'own' as const } : {};
  const at = new Date(e.occurredAt);
  const fields = {
    name: d.name,
    type: d.type,
    communeCode: d.communeCode,
    communeName: commune?.name ?? d.communeCode,
    departementCode: d.departementCode,
    ...located,
    ...(hours ? { openingHours: hours } : {}),
    ...(d.address ? { address: d.address } : {}),
    ...(d.postalCode ? { postalCode: d.postalCode } : {}),
  };
  const version = d.placeVersion ?? 0;
  // An older place.qualified (replayed, or late) never brings back a stale name, type or commune.
  await tx
    .insert(places)
    .values({ id: d.placeId, source: 'qualification', ...fields, platformChangedAt: at, platformVersion: version })
    .onConflictDoUpdate({
      target: places.id,
      set: { ...fields, platformChangedAt: at, platformVersion: version, updatedAt: new Date() },
      setWhere: newer(sql`${places.platformVersion}`, sql`${places.platformChangedAt}`, e),
    });
}

/** Catalogue's read model of qualification: who may publish offers and appear in searches. */
export const placeEvents: ConsumerDefinition<'place.qualified' | 'place.suspended' | 'place.revoked'> = {
  name: 'places',
  events: ['place.qualified', 'place.suspended', 'place.revoked'],
  async apply(tx, events) {
    for (const e of events) {
      if (e.type === 'place.qualified') await recordQualified(tx, e as EventEnvelope<'place.qualified'>);
      await recordStatus(tx, e);
    }
  },
};

export async function findPlace(db: Queryable, id: string): Promise<Place & { status: PlaceStatus }> {
  const [row] = await db
    .select({ place: places, status: placeStatus.status })
    .from(places)
    .leftJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(eq(places.id, id));
  if (!row) throw new DomainError('unknown_place', 'Lieu inconnu du catalogue.', { status: 404, field: 'placeId' });
  return { ...row.place, status: row.status ?? 'not_qualified' };
}

/** Offers are for qualified places only (an imported directory entry waits for qualification). */
export async function qualifiedPlace(db: Queryable, id: string): Promise<Place> {
  const place = await findPlace(db, id);
  if (place.status !== 'qualified') {
    throw new DomainError(
      'place_not_qualified',
      `Ce lieu n’est pas qualifié (statut : ${place.status}) : il ne peut pas publier d’offre.`,
      { status: 409, field: 'placeId' },
    );
  }
  return place;
}

export async function listPlaces(
  db: Queryable,
  filter: { departementCode?: string; status?: PlaceStatus; warning?: boolean },
  limit: number,
  offset: number,
) {
  const status = sql`coalesce(${placeStatus.status}, 'not_qualified')`;
  const where: SQL[] = [];
  if (filter.departementCode) where.push(eq(places.departementCode, filter.departementCode));
  if (filter.status) where.push(sql`${status} = ${filter.status}`);
  // Places the last import found doubtful (coordinates, postal code…): staff's list to fix.
  if (filter.warning) where.push(sql`${places.warnings} <> '[]'::jsonb`);
  const rows = await db
    .select({ place: places, status: sql<PlaceStatus>`${status}` })
    .from(places)
    .leftJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(and(...where))
    .orderBy(places.name, places.id)
    .limit(limit)
    .offset(offset);
  return rows.map((r) => ({ ...r.place, status: r.status }));
}
