/**
 * Nearby search. Index approach: a bounding box on the indexed (latitude, longitude) columns
 * picks a few candidates, exact haversine distance orders them. The box starts small and
 * widens until it holds enough places within its inscribed circle, so a dense town answers from
 * one small box and a rural area from two or three. PostgreSQL orders by exact (haversine)
 * distance and returns only the nearest ids.
 */
import { and, between, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { DomainError, type ActionParams, type ActionResponse } from '@aptic/contracts';
import type { Queryable } from '@aptic/runtime';
import { communeByCode } from '../domain/communes.ts';
import { boxAround, haversineKm, type Point } from '../domain/geo.ts';
import { isOpenAt } from '../domain/hours.ts';
import { offers, places, placeStatus } from './schema.ts';

export type NearbyQuery = ActionParams<'catalogue.nearbyPlaces'> & { at?: Date };
export type NearbyAnswer = ActionResponse<'catalogue.nearbyPlaces'>;
type Found = NearbyAnswer['places'][number];
type Row = typeof places.$inferSelect;

const RADII_KM = [5, 15, 45, 100, 200, 400, 20_000];
const DEFAULT_LIMIT = 10;

/** Qualified places matching the filters (service: its code or its category's). */
function filters(q: NearbyQuery): SQL[] {
  const where: SQL[] = [eq(placeStatus.status, 'qualified')];
  if (q.placeType) where.push(eq(places.type, q.placeType));
  if (q.serviceCode) {
    const offered = sql`${offers.placeId} = ${places.id} AND ${offers.withdrawnAt} IS NULL AND (${offers.serviceCode} = ${q.serviceCode} OR ${offers.categoryCode} = ${q.serviceCode})`;
    where.push(sql`EXISTS (SELECT 1 FROM ${offers} WHERE ${offered})`);
  }
  return where;
}

function candidates(db: Queryable, q: NearbyQuery, extra: SQL[]): Promise<Row[]> {
  return db
    .select({ place: places })
    .from(places)
    .innerJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(and(...filters(q), ...extra))
    .then((rows) => rows.map((r) => r.place));
}

function found(p: Row, distanceKm: number | null, at: Date): Found {
  return {
    placeId: p.id,
    name: p.name,
    type: p.type,
    communeCode: p.communeCode,
    communeName: p.communeName,
    postalCode: p.postalCode,
    address: p.address,
    latitude: p.latitude,
    longitude: p.longitude,
    distanceKm: distanceKm === null ? null : Math.round(distanceKm * 100) / 100,
    openingHours: p.openingHours,
    openNow: isOpenAt(p.openingHours, at),
  };
}

/** A commune's centre: the mean position of the places we know there with their own coordinates. */
async function communeCentre(db: Queryable, communeCode: string): Promise<Point | undefined> {
  const [row] = await db
    .select({ latitude: sql<number | null>`avg(${places.latitude})::float8`, longitude: sql<number | null>`avg(${places.longitude})::float8` })
    .from(places)
    .where(and(eq(places.communeCode, communeCode), eq(places.positionSource, 'own')));
  return row?.latitude != null && row.longitude != null ? { latitude: row.latitude, longitude: row.longitude } : undefined;
}

/** Great-circle distance computed in PostgreSQL, so only the nearest rows leave the database. */
const distanceSql = (c: Point) =>
  sql<number>`2 * 6371.0088 * asin(least(1, sqrt(power(sin(radians(${places.latitude} - ${c.latitude}) / 2), 2) + cos(radians(${c.latitude})) * cos(radians(${places.latitude})) * power(sin(radians(${places.longitude} - ${c.longitude}) / 2), 2))))`;

/** Ids (and hours) of the places within `radius` km, nearest first; "open now" is checked here, in Paris time. */
async function within(db: Queryable, q: NearbyQuery, centre: Point, radius: number, limit: number, at: Date): Promise<string[]> {
  const box = boxAround(centre, radius);
  const d = distanceSql(centre);
  const query = db
    .select({ id: places.id, hours: places.openingHours })
    .from(places)
    .innerJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(and(...filters(q), between(places.latitude, box.minLat, box.maxLat), between(places.longitude, box.minLon, box.maxLon), sql`${d} <= ${radius}`))
    .orderBy(d, places.id);
  // Opening hours are OSM syntax, evaluated in JavaScript: with that filter every candidate comes back (ids and hours only).
  const rows = q.openNow ? (await query).filter((r) => isOpenAt(r.hours, at)) : await query.limit(limit);
  return rows.slice(0, limit).map((r) => r.id);
}

async function byDistance(db: Queryable, q: NearbyQuery, centre: Point, limit: number, at: Date): Promise<Found[]> {
  let ids: string[] = [];
  // Only the inscribed circle is complete: widen until it holds enough places (the last radius covers France and its overseas).
  for (const radius of RADII_KM) {
    ids = await within(db, q, centre, radius, limit, at);
    if (ids.length >= limit) break;
  }
  if (ids.length === 0) return [];
  const rows = await db.select().from(places).where(inArray(places.id, ids));
  const byId = new Map(rows.map((p) => [p.id, p]));
  return ids.map((id) => byId.get(id)!).map((p) => found(p, haversineKm(centre, { latitude: p.latitude!, longitude: p.longitude! }), at));
}

/** No centre for the commune: its places first, then the rest of its département, by name. */
async function byTerritory(db: Queryable, q: NearbyQuery, communeCode: string, departementCode: string, limit: number, at: Date): Promise<Found[]> {
  const rows = await candidates(db, q, [eq(places.departementCode, departementCode)]);
  return rows
    .filter((p) => !q.openNow || isOpenAt(p.openingHours, at))
    .sort((a, b) => Number(b.communeCode === communeCode) - Number(a.communeCode === communeCode) || a.name.localeCompare(b.name, 'fr'))
    .slice(0, limit)
    .map((p) => found(p, null, at));
}

export async function nearbyPlaces(db: Queryable, q: NearbyQuery): Promise<NearbyAnswer> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const at = q.at ?? new Date();
  if (q.latitude !== undefined && q.longitude !== undefined) {
    return { method: 'distance', places: await byDistance(db, q, { latitude: q.latitude, longitude: q.longitude }, limit, at) };
  }
  if (!q.communeCode) throw new DomainError('nearby_origin_missing', 'Indiquez une commune (code INSEE) ou des coordonnées (latitude et longitude).', { status: 422, field: 'communeCode' });
  const commune = communeByCode(q.communeCode);
  if (!commune) throw new DomainError('unknown_commune', `Code INSEE de commune inconnu : ${q.communeCode}.`, { status: 422, field: 'communeCode' });
  const centre = await communeCentre(db, commune.code);
  if (centre) return { method: 'distance', places: await byDistance(db, q, centre, limit, at) };
  return { method: 'territory', places: await byTerritory(db, q, commune.code, commune.departementCode, limit, at) };
}

