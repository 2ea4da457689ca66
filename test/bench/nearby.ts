/**
 * Nearby search on 20,000 qualified places spread over metropolitan France (denser around a few
 * cities, like real médiation places): 600 queries from random points, a third filtered by
 * service, a third by "open now". Measures catalogue's own query function against PostgreSQL
 * (k-nearest-neighbour on a GiST point index, exact haversine on the candidates).
 * Target: p99 under 20 ms for every kind. Timing starts after a warm-up of a few queries of each
 * kind, as in a running service (connection, first plans of each statement shape, hours parsed).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { SERVICE_CATEGORIES } from '@aptic/contracts';
import { connectPostgres } from '@aptic/runtime';
import { nearbyPlaces } from '@aptic/catalogue/db/nearby.ts';
import { offers, places, placeStatus, services } from '@aptic/catalogue/db/schema.ts';
import { REFERENTIEL } from '@aptic/catalogue/domain/referentiel.ts';
import { report, scratch } from './support.ts';

const PLACES = Number(process.env.BENCH_PLACES ?? 20_000);
const QUERIES = 600;
// "Open now" on a weekday morning, so the figure does not depend on when the bench runs.
const TUESDAY_10H = new Date('2024-01-09T09:00:00Z');
const CITIES = [
  [48.86, 2.35],
  [45.76, 4.84],
  [43.3, 5.37],
  [43.6, 1.44],
  [44.84, -0.58],
  [47.22, -1.55],
  [50.63, 3.06],
  [45.65, 0.16],
] as const;
const HOURS = ['Mo-Fr 09:00-12:00,14:00-18:00', 'Tu-Sa 10:00-18:00', 'Mo,We,Fr 14:00-17:30', null];
const TARGET_P99_MS = 20;
const KINDS = ['plain', 'service', 'openNow'] as const;
const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;

/** Half the places around cities, half anywhere in the hexagon. */
function randomPoint(): { latitude: number; longitude: number } {
  if (Math.random() < 0.5) {
    const [lat, lon] = pick(CITIES);
    return { latitude: lat + (Math.random() - 0.5) * 0.6, longitude: lon + (Math.random() - 0.5) * 0.8 };
  }
  return { latitude: 42.5 + Math.random() * 8.5, longitude: -4.5 + Math.random() * 12.5 };
}

async function load(db: ReturnType<typeof connectPostgres>['db']): Promise<void> {
  await db
    .insert(services)
    .values(REFERENTIEL.map((s) => ({ ...s })))
    .onConflictDoNothing();
  for (let i = 0; i < PLACES; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, PLACES - i) }, (_, k) => ({
      id: randomUUID(),
      source: 'import' as const,
      name: `Lieu ${i + k}`,
      type: pick(['espace_public_numerique', 'bibliotheque', 'france_services', 'association']),
      communeCode: '16015',
      communeName: 'Angoulême',
      departementCode: '16',
      ...randomPoint(),
      positionSource: 'own' as const,
      openingHours: pick(HOURS),
    }));
    await db.insert(places).values(batch);
    await db
      .insert(placeStatus)
      .values(batch.map((p) => ({ placeId: p.id, status: 'qualified' as const, statusAt: new Date() })));
    const categories = () => pick(SERVICE_CATEGORIES).code;
    const rows = batch.flatMap((p) =>
      [...new Set([categories(), categories()])].map((c) => ({
        id: randomUUID(),
        placeId: p.id,
        serviceCode: c,
        categoryCode: c,
        priceCents: 1000,
        durationMinutes: 60,
        group: false,
        publishedBy: 'bench',
      })),
    );
    await db.insert(offers).values(rows);
  }
  await db.execute(sql`ANALYZE`);
}

function filterOf(kind: (typeof KINDS)[number]) {
  if (kind === 'service') return { serviceCode: pick(SERVICE_CATEGORIES).code };
  return kind === 'openNow' ? { openNow: true, at: TUESDAY_10H } : {};
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const scratchDb = await scratch();
  const database = connectPostgres(scratchDb.databaseUrl, { application: 'bench-nearby' });
  try {
    await database.migrate(
      'catalogue',
      fileURLToPath(new URL('../../services/catalogue/db/migrations', import.meta.url)),
    );
    const loadStart = performance.now();
    await load(database.db);
    const loadMs = performance.now() - loadStart;
    // Warm-up, every kind: connection, first plans, the opening-hours parse cache.
    for (let i = 0; i < 30; i++)
      await nearbyPlaces(database.db, { ...randomPoint(), limit: 10, ...filterOf(KINDS[i % 3]!) });
    const times: number[] = [];
    const perKind: Record<string, number[]> = { plain: [], service: [], openNow: [] };
    for (let i = 0; i < QUERIES; i++) {
      const kind = KINDS[i % 3]!;
      const started = performance.now();
      const answer = await nearbyPlaces(database.db, { ...randomPoint(), limit: 10, ...filterOf(kind) });
      const ms = performance.now() - started;
      if (answer.places.length === 0) throw new Error('a query found nothing');
      times.push(ms);
      perKind[kind]!.push(ms);
    }
    const stats = (list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return {
        p50Ms: +percentile(sorted, 50).toFixed(2),
        p99Ms: +percentile(sorted, 99).toFixed(2),
        maxMs: +sorted.at(-1)!.toFixed(2),
      };
    };
    const byKind = Object.fromEntries(Object.entries(perKind).map(([k, v]) => [k, stats(v)]));
    report(
      'nearby',
      {
        places: PLACES,
        queries: QUERIES,
        limit: 10,
        loadSeconds: +(loadMs / 1000).toFixed(1),
        all: stats(times),
        byKind,
        index:
          'GiST on point(longitude × cos 45°, latitude): k-nearest-neighbour candidates (2 × limit + 10), ranked by haversine',
        warmUp: '30 queries, every kind, before timing',
        targets: { p99MsEveryKind: TARGET_P99_MS },
        met: Object.values(byKind).every((k) => k.p99Ms < TARGET_P99_MS),
      },
      [
        {
          figure: `${PLACES} places, p99 ${Object.entries(byKind)
            .map(([kind, k]) => `${kind} ${k.p99Ms} ms`)
            .join(', ')}`,
          target: `p99 < ${TARGET_P99_MS} ms, every kind`,
          met: Object.values(byKind).every((k) => k.p99Ms < TARGET_P99_MS),
        },
      ],
    );
  } finally {
    await database.close();
    await scratchDb.drop();
  }
}

await main();
