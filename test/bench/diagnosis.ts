/**
 * Territorial diagnosis of a département (Charente, 16) with 30,000 directory places, 1,310 of
 * them qualified, and 40,000 redemptions: catalogue's own `diagnosis` (set-based statements, each
 * located commune's nearest qualified place by the partial GiST index of qualified places) timed
 * after a warm-up, beside the same figures computed by one plain SQL query (every commune against
 * every qualified place, no index tricks) — both answers are compared, figure by figure.
 * Target: the diagnosis under 2 s.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { SERVICE_CATEGORIES, territory } from '@aptic/contracts';
import { arrayParam, connectPostgres, queryRows } from '@aptic/runtime';
import { diagnosis } from '@aptic/catalogue/db/diagnosis.ts';
import { offers, places, placeStatus, redemptions, services } from '@aptic/catalogue/db/schema.ts';
import { REFERENTIEL } from '@aptic/catalogue/domain/referentiel.ts';
import { report, scratch } from './support.ts';

const DIRECTORY = Number(process.env.BENCH_DIRECTORY ?? 30_000);
const QUALIFIED = Number(process.env.BENCH_QUALIFIED ?? 1_310);
const REDEMPTIONS = 40_000;
const RUNS = 5;
const TARGET_MS = 2_000;
const DEPARTEMENT = '16';
const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
type Db = ReturnType<typeof connectPostgres>['db'];

/**
 * Places spread over the département's communes, denser in some (as real directories are),
 * each commune at a random point of the département's box; many communes get no place at all.
 */
async function load(db: Db, communes: readonly string[]): Promise<void> {
  await db
    .insert(services)
    .values(REFERENTIEL.map((s) => ({ ...s })))
    .onConflictDoNothing();
  const centre = new Map(
    communes.map((c) => [c, { latitude: 45.2 + Math.random() * 0.95, longitude: -0.45 + Math.random() * 1.3 }]),
  );
  const busy = communes.filter(() => Math.random() < 0.6);
  const qualifiedIds: string[] = [];
  for (let i = 0; i < DIRECTORY; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, DIRECTORY - i) }, (_, k) => {
      const communeCode = Math.random() < 0.5 ? pick(busy.slice(0, 40)) : pick(busy);
      const c = centre.get(communeCode)!;
      return {
        id: randomUUID(),
        source: 'import' as const,
        name: `Lieu ${i + k}`,
        type: 'association',
        communeCode,
        communeName: communeCode,
        departementCode: DEPARTEMENT,
        latitude: c.latitude + (Math.random() - 0.5) * 0.03,
        longitude: c.longitude + (Math.random() - 0.5) * 0.04,
        positionSource: 'own' as const,
      };
    });
    await db.insert(places).values(batch);
    const category = () => pick(SERVICE_CATEGORIES).code;
    await db.insert(offers).values(
      batch.flatMap((p) =>
        [...new Set([category(), category()])].map((c) => ({
          id: randomUUID(),
          placeId: p.id,
          serviceCode: c,
          categoryCode: c,
          priceCents: 1000,
          durationMinutes: 60,
          group: false,
          publishedBy: 'bench',
        })),
      ),
    );
    qualifiedIds.push(...batch.slice(0, Math.round((QUALIFIED * batch.length) / DIRECTORY)).map((p) => p.id));
  }
  const qualified = qualifiedIds.slice(0, QUALIFIED);
  await db
    .insert(placeStatus)
    .values(qualified.map((placeId) => ({ placeId, status: 'qualified' as const, statusAt: new Date() })));
  // What catalogue's status consumer does for each place.qualified.
  await db.execute(sql`UPDATE catalogue.place SET qualified = true WHERE id = ANY(${arrayParam(qualified, 'uuid')})`);
  const offered = await queryRows<{ id: string; place_id: string }>(
    db,
    sql`SELECT id, place_id FROM catalogue.offer WHERE place_id = ANY(${arrayParam(qualified, 'uuid')})`,
  );
  for (let i = 0; i < REDEMPTIONS; i += 5000) {
    await db.insert(redemptions).values(
      Array.from({ length: 5000 }, (_, k) => {
        const o = pick(offered);
        return {
          redemptionId: randomUUID(),
          placeId: o.place_id,
          offerId: o.id,
          funderId: randomUUID(),
          orderId: randomUUID(),
          scannedAt: new Date(),
          ...(k % 50 === 0 ? { cancelledAt: new Date() } : {}),
        };
      }),
    );
  }
  await db.execute(sql`VACUUM ANALYZE`);
}

/** The same figures by one plain query: every perimeter commune against every qualified place. */
function plainQuery(db: Db, communes: readonly string[]) {
  return queryRows<{ kind: string; code: string; a: number | null; b: number | null; c: number | null }>(
    db,
    sql`WITH perimeter AS (SELECT unnest(${arrayParam(communes, 'text')}) AS code),
      status AS (SELECT p.*, s.status FROM catalogue.place p LEFT JOIN catalogue.place_status s ON s.place_id = p.id),
      located AS (SELECT commune_code AS code, avg(latitude) AS lat, avg(longitude) AS lon FROM status
                  WHERE position_source = 'own' AND commune_code IN (SELECT code FROM perimeter) GROUP BY commune_code),
      qualified AS (SELECT latitude, longitude FROM status WHERE status = 'qualified' AND latitude IS NOT NULL)
    SELECT 'service' AS kind, o.category_code AS code,
      count(DISTINCT st.id) FILTER (WHERE st.status = 'qualified')::float8 AS a,
      count(DISTINCT st.id) FILTER (WHERE st.status IS NULL)::float8 AS b,
      (SELECT count(*) FROM catalogue.redemption r JOIN catalogue.offer ro ON ro.id = r.offer_id JOIN catalogue.place rp ON rp.id = r.place_id
        WHERE r.cancelled_at IS NULL AND ro.category_code = o.category_code AND rp.commune_code IN (SELECT code FROM perimeter))::float8 AS c
    FROM status st JOIN catalogue.offer o ON o.place_id = st.id AND o.withdrawn_at IS NULL
    WHERE st.commune_code IN (SELECT code FROM perimeter) GROUP BY o.category_code
    UNION ALL
    SELECT 'commune', l.code, round(min(2 * 6371.0088 * asin(least(1, sqrt(sin(radians(q.latitude - l.lat) / 2) ^ 2
      + cos(radians(l.lat)) * cos(radians(q.latitude)) * sin(radians(q.longitude - l.lon) / 2) ^ 2))))::numeric, 1)::float8, NULL, NULL
    FROM located l CROSS JOIN qualified q GROUP BY l.code`,
  );
}

const timed = async <T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
};
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function main() {
  const scratchDb = await scratch();
  const database = connectPostgres(scratchDb.databaseUrl, { application: 'bench-diagnosis' });
  try {
    await database.migrate(
      'catalogue',
      fileURLToPath(new URL('../../services/catalogue/db/migrations', import.meta.url)),
    );
    const communes = territory().departement(DEPARTEMENT)!;
    const loadStart = performance.now();
    await load(database.db, communes);
    const loadMs = performance.now() - loadStart;
    const perimeter = { communes: [], epcis: [], departements: [DEPARTEMENT] };
    await diagnosis(database.db, perimeter);
    await plainQuery(database.db, communes);
    const runs: { ms: number; value: Awaited<ReturnType<typeof diagnosis>> }[] = [];
    const plainRuns: { ms: number; value: Awaited<ReturnType<typeof plainQuery>> }[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await timed(() => diagnosis(database.db, perimeter)));
      plainRuns.push(await timed(() => plainQuery(database.db, communes)));
    }
    const d = runs.at(-1)!.value;
    const plain = plainRuns.at(-1)!.value;
    // Figure by figure: services (qualified, directory, redemptions) and each located commune's distance.
    const mismatches: string[] = [];
    for (const s of d.services) {
      const p = plain.find((r) => r.kind === 'service' && r.code === s.code);
      const expected = [p?.a ?? 0, p?.b ?? 0, p?.c ?? 0];
      if (expected.join() !== [s.qualifiedPlaces, s.directoryPlaces, s.redemptions].join())
        mismatches.push(`service ${s.code}: ${expected} ≠ ${[s.qualifiedPlaces, s.directoryPlaces, s.redemptions]}`);
    }
    const distances = new Map(plain.filter((r) => r.kind === 'commune').map((r) => [r.code, r.a]));
    for (const c of d.communes) {
      if ((distances.get(c.code) ?? null) !== c.nearestQualifiedKm)
        mismatches.push(`commune ${c.code}: ${distances.get(c.code)} ≠ ${c.nearestQualifiedKm}`);
    }
    const ms = runs.map((r) => r.ms);
    report(
      'diagnosis',
      {
        departement: DEPARTEMENT,
        communes: d.communeCount,
        directoryPlaces: DIRECTORY,
        qualifiedPlaces: QUALIFIED,
        redemptions: REDEMPTIONS,
        loadSeconds: +(loadMs / 1000).toFixed(1),
        diagnosisMs: { median: +median(ms).toFixed(1), max: +Math.max(...ms).toFixed(1), runs: RUNS },
        plainSqlMs: { median: +median(plainRuns.map((r) => r.ms)).toFixed(1), runs: RUNS },
        answer: {
          uncovered10km: d.uncovered[0]!.communes.length,
          uncovered20km: d.uncovered[1]!.communes.length,
          unlocated: d.unlocated.communes.length,
          redemptions: d.redemptions,
        },
        sameAnswerAsPlainSql: mismatches.length === 0,
        ...(mismatches.length ? { mismatches: mismatches.slice(0, 10) } : {}),
        targets: { diagnosisMs: TARGET_MS },
        met: median(ms) <= TARGET_MS && mismatches.length === 0,
      },
      [
        {
          figure: `median ${median(ms).toFixed(0)} ms (max ${Math.max(...ms).toFixed(0)}), ${mismatches.length === 0 ? 'same answer as plain SQL' : 'ANSWERS DIFFER'}`,
          target: `≤ ${TARGET_MS} ms`,
          floor: `plain SQL ${median(plainRuns.map((r) => r.ms)).toFixed(0)} ms`,
          ratio: `${(median(plainRuns.map((r) => r.ms)) / median(ms)).toFixed(1)} × plain SQL's speed`,
          met: median(ms) <= TARGET_MS && mismatches.length === 0,
        },
      ],
    );
    if (mismatches.length) process.exitCode = 1;
  } finally {
    await database.close();
    await scratchDb.drop();
  }
}

await main();
