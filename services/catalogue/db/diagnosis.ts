/**
 * The facts of a territorial diagnosis, read from catalogue's own tables in four set-based
 * statements over the perimeter's communes: offers per service (qualified places and directory
 * places not qualified), places per commune, each located commune's nearest qualified place, and
 * redemptions per service.
 *
 * A commune's position is the mean of the own coordinates of the directory's places in it (the
 * commune data we keep, @etalab/decoupage-administratif, has no coordinates); its nearest qualified
 * place comes from the partial GiST index of qualified places (`<->`, k-nearest-neighbour) ranked
 * by exact haversine distance, so the cost is per commune, not per commune × place.
 */
import { sql, type SQL } from 'drizzle-orm';
import { arrayParam, queryRows, type Db, type Queryable } from '@aptic/runtime';
import { expandPerimeter, territory } from '@aptic/contracts';
import { communeByCode } from '../domain/communes.ts';
import { assembleDiagnosis, type Diagnosis, type DiagnosisFacts } from '../domain/diagnosis.ts';
import { offers, places, placeStatus, redemptions } from './schema.ts';

/** Candidates taken from the index before exact ranking (the planar metric is near-isotropic). */
const NEAREST_CANDIDATES = 8;

const haversine = (lat: SQL, lon: SQL, lat2: SQL, lon2: SQL) =>
  sql`2 * 6371.0088 * asin(least(1, sqrt(sin(radians(${lat2} - ${lat}) / 2) ^ 2 + cos(radians(${lat})) * cos(radians(${lat2})) * sin(radians(${lon2} - ${lon}) / 2) ^ 2)))`;

function offersPerService(db: Queryable, communes: SQL) {
  return queryRows<{ code: string; qualified: number; directory: number }>(
    db,
    sql`SELECT o.category_code AS code,
          count(DISTINCT p.id) FILTER (WHERE s.status = 'qualified')::int AS qualified,
          count(DISTINCT p.id) FILTER (WHERE s.status IS NULL)::int AS directory
        FROM ${places} p
        JOIN ${offers} o ON o.place_id = p.id AND o.withdrawn_at IS NULL
        LEFT JOIN ${placeStatus} s ON s.place_id = p.id
        WHERE p.commune_code = ANY(${communes})
        GROUP BY o.category_code`,
  );
}

function redemptionsPerService(db: Queryable, communes: SQL, funderId: string | undefined) {
  const funder = funderId ? sql`AND r.funder_id = ${funderId}` : sql``;
  return queryRows<{ code: string; redemptions: number }>(
    db,
    sql`SELECT o.category_code AS code, count(*)::int AS redemptions
        FROM ${redemptions} r
        JOIN ${offers} o ON o.id = r.offer_id
        JOIN ${places} p ON p.id = r.place_id
        WHERE r.cancelled_at IS NULL AND p.commune_code = ANY(${communes}) ${funder}
        GROUP BY o.category_code`,
  );
}

function communeFacts(db: Queryable, communes: SQL) {
  const centre = (col: SQL) => sql`avg(${col}) FILTER (WHERE p.position_source = 'own')`;
  return queryRows<DiagnosisFacts['communes'][number]>(
    db,
    sql`WITH c AS (
          SELECT p.commune_code AS code,
            count(*) FILTER (WHERE s.status = 'qualified')::int AS qualified,
            count(*) FILTER (WHERE s.status IS NULL)::int AS directory,
            ${centre(sql`p.latitude`)} AS latitude, ${centre(sql`p.longitude`)} AS longitude
          FROM ${places} p LEFT JOIN ${placeStatus} s ON s.place_id = p.id
          WHERE p.commune_code = ANY(${communes})
          GROUP BY p.commune_code)
        SELECT c.code, c.qualified, c.directory, c.latitude, c.longitude, n.km AS "nearestKm"
        FROM c LEFT JOIN LATERAL (
          SELECT min(${haversine(sql`c.latitude`, sql`c.longitude`, sql`q.latitude`, sql`q.longitude`)}) AS km
          FROM (SELECT p.latitude, p.longitude FROM ${places} p
                WHERE p.qualified AND p.location IS NOT NULL
                ORDER BY p.location <-> point(c.longitude * 0.7071, c.latitude)
                LIMIT ${NEAREST_CANDIDATES}) q
        ) n ON c.latitude IS NOT NULL`,
  );
}

/** The diagnosis facts of these communes; a funder's redemptions only when `funderId` is given. */
async function diagnosisFacts(
  db: Queryable,
  communeCodes: readonly string[],
  funderId?: string,
): Promise<DiagnosisFacts> {
  const communes = arrayParam(communeCodes, 'text');
  const offered = await offersPerService(db, communes);
  const redeemed = await redemptionsPerService(db, communes, funderId);
  const located = await communeFacts(db, communes);
  const redeemedBy = new Map(redeemed.map((r) => [r.code, r.redemptions]));
  const codes = new Set([...offered.map((o) => o.code), ...redeemedBy.keys()]);
  const offeredBy = new Map(offered.map((o) => [o.code, o]));
  return {
    services: [...codes].map((code) => ({
      code,
      qualified: offeredBy.get(code)?.qualified ?? 0,
      directory: offeredBy.get(code)?.directory ?? 0,
      redemptions: redeemedBy.get(code) ?? 0,
    })),
    communes: located,
  };
}

/**
 * The territorial diagnosis of a perimeter; a funder's redemptions only when `funderId` is given.
 * Its statements read one snapshot (a read-only repeatable-read transaction): a status change
 * committed meanwhile is in all the figures or in none.
 */
export async function diagnosis(db: Db, perimeter: Diagnosis['perimeter'], funderId?: string): Promise<Diagnosis> {
  const codes = expandPerimeter(perimeter, territory());
  const communes = codes.map((code) => {
    const c = communeByCode(code);
    return { code, name: c?.name ?? code, population: c?.population ?? 0 };
  });
  const facts = await db.transaction((tx) => diagnosisFacts(tx, codes, funderId), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
  return assembleDiagnosis(perimeter, communes, facts, new Date());
}
