/**
 * Nearby search. Index approach: PostgreSQL's GiST index on a point (longitude scaled by cos 45°,
 * latitude) answers "the nearest first" (`<->`, k-nearest-neighbour) in logarithmic time wherever
 * the origin is, filters included; a few more candidates than asked are then ranked by exact
 * (haversine) distance. "Open now" is OSM syntax, evaluated here: candidates come in pages until
 * enough are open.
 * Not a prepared statement, on purpose: planned with the search's own values, a service few places
 * offer starts from its offers (offer_service_idx); a generic plan walks the nearest places until
 * enough offer it, the whole index for a rare one (120 ms at 20,000 places, against 2 ms).
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { DomainError, type ActionParams, type ActionResponse } from '@aptic/contracts';
import type { Queryable } from '@aptic/runtime';
import { communeByCode } from '../domain/communes.ts';
import { haversineKm, type Point } from '../domain/geo.ts';
import { openAt } from '../domain/hours.ts';
import { offers, places, placeStatus } from './schema.ts';

export type NearbyQuery = ActionParams<'catalogue.nearbyPlaces'> & { at?: Date };
export type NearbyAnswer = ActionResponse<'catalogue.nearbyPlaces'>;
type Found = NearbyAnswer['places'][number];
type Row = typeof places.$inferSelect;
/** The search's "open now?" (see `openAt`): one per search. */
type IsOpen = ReturnType<typeof openAt>;

const DEFAULT_LIMIT = 10;

/**
 * Places matching the filters (service: its code or its category's): qualified ones, or with
 * `qualified: false` the directory's places qualification never spoke of.
 */
function filters(q: NearbyQuery): SQL[] {
  const where: SQL[] = [q.qualified === false ? isNull(placeStatus.status) : eq(placeStatus.status, 'qualified')];
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
    .leftJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(and(...filters(q), ...extra))
    .then((rows) => rows.map((r) => r.place));
}

function found(p: Row, distanceKm: number | null, isOpen: IsOpen): Found {
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
    openNow: isOpen(p.openingHours),
  };
}

/** A commune's centre: the mean position of the places we know there with their own coordinates. */
async function communeCentre(db: Queryable, communeCode: string): Promise<Point | undefined> {
  const [row] = await db
    .select({
      latitude: sql<number | null>`avg(${places.latitude})::float8`,
      longitude: sql<number | null>`avg(${places.longitude})::float8`,
    })
    .from(places)
    .where(and(eq(places.communeCode, communeCode), eq(places.positionSource, 'own')));
  return row?.latitude != null && row.longitude != null
    ? { latitude: row.latitude, longitude: row.longitude }
    : undefined;
}

/** Planar candidates beyond the limit: enough for exact re-ranking of the nearest (the scaled plane is near-isotropic). */
const candidatesFor = (limit: number) => 2 * limit + 10;
/** With "open now" some candidates drop out: fetch more at a time. */
const OPEN_NOW_PAGE = 100;

/** The nearest qualified places by the index, page by page, as far as `enough` asks. */
async function nearestRows(
  db: Queryable,
  q: NearbyQuery,
  centre: Point,
  pageSize: number,
  enough: (rows: Row[]) => boolean,
): Promise<Row[]> {
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: the generated column's factor (schema.ts)
  const origin = sql`point(${centre.longitude * 0.7071}, ${centre.latitude})`;
  const rows: Row[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await db
      .select({ place: places })
      .from(places)
      .leftJoin(placeStatus, eq(placeStatus.placeId, places.id))
      .where(and(...filters(q), sql`${places.location} IS NOT NULL`))
      .orderBy(sql`${places.location} <-> ${origin}`)
      .limit(pageSize)
      .offset(offset);
    rows.push(...page.map((r) => r.place));
    if (page.length < pageSize || enough(rows)) return rows;
  }
}

async function byDistance(
  db: Queryable,
  q: NearbyQuery,
  centre: Point,
  limit: number,
  isOpen: IsOpen,
): Promise<Found[]> {
  const wanted = candidatesFor(limit);
  const usable = (p: Row) => !q.openNow || isOpen(p.openingHours);
  const rows = await nearestRows(
    db,
    q,
    centre,
    q.openNow ? OPEN_NOW_PAGE : wanted,
    (so) => so.filter(usable).length >= wanted,
  );
  return rows
    .filter(usable)
    .slice(0, wanted)
    .map((p) => ({ p, d: haversineKm(centre, { latitude: p.latitude!, longitude: p.longitude! }) }))
    .sort((a, b) => a.d - b.d || a.p.id.localeCompare(b.p.id))
    .slice(0, limit)
    .map(({ p, d }) => found(p, d, isOpen));
}

/** No centre for the commune: its places first, then the rest of its département, by name. */
async function byTerritory(
  db: Queryable,
  q: NearbyQuery,
  communeCode: string,
  departementCode: string,
  limit: number,
  isOpen: IsOpen,
): Promise<Found[]> {
  const rows = await candidates(db, q, [eq(places.departementCode, departementCode)]);
  return rows
    .filter((p) => !q.openNow || isOpen(p.openingHours))
    .sort(
      (a, b) =>
        Number(b.communeCode === communeCode) - Number(a.communeCode === communeCode) ||
        a.name.localeCompare(b.name, 'fr'),
    )
    .slice(0, limit)
    .map((p) => found(p, null, isOpen));
}

export async function nearbyPlaces(db: Queryable, q: NearbyQuery): Promise<NearbyAnswer> {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const isOpen = openAt(q.at ?? new Date());
  if (q.latitude !== undefined && q.longitude !== undefined) {
    return {
      method: 'distance',
      places: await byDistance(db, q, { latitude: q.latitude, longitude: q.longitude }, limit, isOpen),
    };
  }
  if (!q.communeCode)
    throw new DomainError(
      'nearby_origin_missing',
      'Indiquez une commune (code INSEE) ou des coordonnées (latitude et longitude).',
      { status: 422, field: 'communeCode' },
    );
  const commune = communeByCode(q.communeCode);
  if (!commune)
    throw new DomainError('unknown_commune', `Code INSEE de commune inconnu : ${q.communeCode}.`, {
      status: 422,
      field: 'communeCode',
    });
  const centre = await communeCentre(db, commune.code);
  if (centre) return { method: 'distance', places: await byDistance(db, q, centre, limit, isOpen) };
  return {
    method: 'territory',
    places: await byTerritory(db, q, commune.code, commune.departementCode, limit, isOpen),
  };
}
