/**
 * Analytics under load: 10,000,000 redemptions of 20 funders (5 orders each, 30 places with 2
 * offers per funder, over the last 365 days), seeded in SQL (generate_series) into the fact table,
 * the rollup and the orders as the consumers would have left them (seeding that many through the
 * bus would take hours; the consumers' figures are proved by the tests). Then:
 * - each funder-dashboard panel's SQL, and its variables', expanded as Grafana does (last 90 days,
 *   every variable at "All"), run 60 times logged in as one funder's reporting role (RLS on): p50
 *   and p95, printed beside the same question asked of the raw fact table (no rollup) under the
 *   same role (5 runs);
 * - freshness: pass.redeemed events published to JetStream at 1,000/s for 20 s while the panels
 *   "Pass utilisés" (order counters) and "Pass utilisés par jour" (daily rollup) are polled every
 *   20 ms through the role; an event is fresh when the panel's count includes it.
 * Targets: every panel's (and variable's) p95 ≤ 100 ms, freshness p99 ≤ 5 s.
 * The analytics service runs in this process (its consumers, migrations); PostgreSQL and NATS are
 * the machine's. Run it alone (one benchmark at a time); its load average is recorded before, after
 * seeding, after the panels and after the run, so a run on a busy machine can be told apart.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, JSONCodec } from 'nats';
import pg from 'pg';
import { natsNames } from '@aptic/contracts';
import { readConfig, startPlatform } from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { provisionReportingRole } from '@aptic/analytics/db/reporting-roles.ts';
import { expandQuery, funderDashboard } from '@aptic/dashboards';
import { allVariables, loginAs, panelQueries, runPanel } from '../analytics/panels.ts';
import { natsUrl, report, scratch } from './support.ts';

const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 10_000_000);
/** BENCH_KEEP=1 keeps the seeded database. */
const KEEP = process.env.BENCH_KEEP === '1';
const FUNDERS = 20;
const RUNS = 60;
/** The raw fact table answers in seconds at 10M rows: a few runs are enough to show it. */
const RAW_RUNS = 5;
const RATE = 1_000;
const FRESHNESS_SECONDS = 20;
const TARGET_P95_MS = 100;
const TARGET_FRESHNESS_P99_MS = 5_000;

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
};
const uuid = (text: string) => `md5(${text})::uuid`;

/** The same questions as the usage panels, asked of the fact table (RLS still on). */
const FACTS = `analytics.redemption_fact f JOIN analytics.offer o ON o.offer_id = f.offer_id JOIN analytics.place p ON p.place_id = f.place_id
  WHERE f.cancelled_at IS NULL AND $__timeFilter(f.scanned_at)`;
const RAW: Record<string, string> = {
  'Pass utilisés': `SELECT count(*) FROM analytics.redemption_fact WHERE cancelled_at IS NULL AND scanned_at IS NOT NULL`,
  'Montant utilisé et en réserve': `SELECT sum(face_value_cents) / 100.0 FROM analytics.redemption_fact WHERE cancelled_at IS NULL AND scanned_at IS NOT NULL`,
  'Pass utilisés par jour': `SELECT floor(extract(epoch from (f.scanned_at AT TIME ZONE 'Europe/Paris')::date)/86400)*86400 AS "time", count(*) FROM ${FACTS} GROUP BY 1 ORDER BY 1`,
  'Par service': `SELECT o.service_code, count(*) FROM ${FACTS} GROUP BY 1 ORDER BY 2 DESC`,
  'Par commune': `SELECT p.commune_code, count(*) FROM ${FACTS} GROUP BY 1 ORDER BY 2 DESC`,
  'Par lieu': `SELECT p.name, p.commune_code, p.type, count(*), sum(f.face_value_cents) / 100.0 FROM ${FACTS} GROUP BY p.place_id, 1, 2, 3 ORDER BY 4 DESC`,
  'Lieux où vos pass ont été utilisés': `SELECT p.name, p.latitude, p.longitude, count(*) FROM ${FACTS} GROUP BY p.place_id, 1, 2, 3 ORDER BY 4 DESC`,
};

/** The dimensions' ids as arrays, so that ten million rows pick theirs by subscript instead of hashing text. */
const IDS = `(SELECT ARRAY(SELECT ${uuid(`'funder' || i`)} FROM generate_series(0, ${FUNDERS - 1}) i ORDER BY i) AS funders,
  ARRAY(SELECT ${uuid(`'order' || (k / 5) || '-' || (k % 5)`)} FROM generate_series(0, ${FUNDERS * 5 - 1}) k ORDER BY k) AS orders,
  ARRAY(SELECT ${uuid(`'place' || i`)} FROM generate_series(0, ${FUNDERS * 100 - 1}) i ORDER BY i) AS places,
  ARRAY(SELECT ${uuid(`'kiosk' || i`)} FROM generate_series(0, ${FUNDERS * 100 - 1}) i ORDER BY i) AS kiosks,
  ARRAY(SELECT ${uuid(`'offer' || (k / 2) || '-' || (k % 2)`)} FROM generate_series(0, ${FUNDERS * 200 - 1}) k ORDER BY k) AS offers) ids`;

/**
 * Redemptions n in [from, to): funder n % 20, one of its 5 orders, 30 of its places, 2 offers each,
 * over the last 365 days in the order they happened, as the consumers write them.
 */
const factRows = (from: number, to: number) => `
  INSERT INTO analytics.redemption_fact (redemption_id, funder_id, order_id, pass_id, place_id, kiosk_id, offer_id, service_act_id, face_value_cents, scanned_at, late_upload, cancelled_at)
  SELECT gen_random_uuid(), ids.funders[x.f + 1], ids.orders[x.f * 5 + x.o + 1], gen_random_uuid(), ids.places[x.p + 1], ids.kiosks[x.p + 1],
         ids.offers[x.p * 2 + x.j + 1], gen_random_uuid(), 1000, now() - interval '365 days' + x.n * ${(365 * 86_400) / REDEMPTIONS} * interval '1 second', false,
         CASE WHEN x.n % 200 = 0 THEN now() END
    FROM ${IDS},
         LATERAL (SELECT n, n % ${FUNDERS} AS f, (n / ${FUNDERS}) % 5 AS o, (n % ${FUNDERS}) * 100 + (n / 100) % 30 AS p, (n / 7) % 2 AS j
                    FROM generate_series(${from}::bigint, ${to - 1}::bigint) n) x`;

const CHUNK = 1_000_000;
/** Two connections, one per core: INSERT … SELECT runs on one core only. */
const LOADERS = 2;

async function seed(client: pg.Client, databaseUrl: string): Promise<Record<string, number>> {
  const t0 = Date.now();
  const seconds = () => Math.round((Date.now() - t0) / 1000);
  const phases: Record<string, number> = {};
  await client.query(`SET work_mem = '512MB'; SET maintenance_work_mem = '1GB'`);
  await client.query(`INSERT INTO analytics.place (place_id, name, type, commune_code, epci_code, departement_code, latitude, longitude, status)
    SELECT ${uuid(`'place' || i`)}, 'Lieu ' || i, (ARRAY['espace_public_numerique','bibliotheque','centre_social','france_services','tiers_lieu'])[i % 5 + 1],
           lpad((1 + (i / 100) % 95)::text, 2, '0') || lpad((i % 100)::text, 3, '0'), lpad(((i / 10) % 1000)::text, 9, '2'), lpad((1 + (i / 100) % 95)::text, 2, '0'),
           42.5 + (i % 85) / 10.0, -4 + (i % 120) / 10.0, 'qualified'
      FROM generate_series(0, ${FUNDERS * 100 - 1}) i`);
  await client.query(`INSERT INTO analytics.offer (offer_id, place_id, service_code, category_code, price_cents)
    SELECT ${uuid(`'offer' || i || '-' || j`)}, ${uuid(`'place' || i`)}, 'service_' || ((i + j) % 9), 'categorie_' || ((i + j) % 9), 1000
      FROM generate_series(0, ${FUNDERS * 100 - 1}) i, generate_series(0, 1) j`);
  // Indexes after the load: ten million random UUIDs into a B-tree one by one is the slow way.
  await client.query(
    `ALTER TABLE analytics.redemption_fact DROP CONSTRAINT redemption_fact_pkey; DROP INDEX analytics.redemption_fact_funder_scanned`,
  );
  const chunks = Array.from({ length: Math.ceil(REDEMPTIONS / CHUNK) }, (_, i) => [
    i * CHUNK,
    Math.min(REDEMPTIONS, (i + 1) * CHUNK),
  ]);
  await Promise.all(
    Array.from({ length: LOADERS }, async () => {
      const loader = new pg.Client({ connectionString: databaseUrl });
      await loader.connect();
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift())
        await loader.query(factRows(chunk[0]!, chunk[1]!));
      await loader.end();
    }),
  );
  phases.factsS = seconds();
  await client.query(`ALTER TABLE analytics.redemption_fact ADD PRIMARY KEY (redemption_id)`);
  await client.query(
    `CREATE INDEX redemption_fact_funder_scanned ON analytics.redemption_fact (funder_id, scanned_at)`,
  );
  phases.indexesS = seconds();
  // Day by day, as the consumers create the rollup's rows.
  await client.query(`INSERT INTO analytics.usage_daily (day, funder_id, order_id, place_id, offer_id, redemptions, cents)
    SELECT (scanned_at AT TIME ZONE 'Europe/Paris')::date, funder_id, order_id, place_id, offer_id, count(*), sum(face_value_cents)
      FROM analytics.redemption_fact WHERE cancelled_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1`);
  await client.query(`INSERT INTO analytics.order_summary (order_id, funder_id, funder_name, offer, carnet_size, face_value_cents, valid_from, last_redemption_day, paid_at,
                        carnets_issued, passes_issued, carnets_released, carnets_started, passes_redeemed, redeemed_cents)
    SELECT order_id, min(funder_id::text)::uuid, 'Commanditaire', 'plus', 10, 2 * sum(redemptions) * 1000, current_date - 365, current_date + 40, now() - interval '400 days',
           sum(redemptions) / 5, 2 * sum(redemptions), sum(redemptions) / 5, sum(redemptions) / 20, sum(redemptions), sum(cents)
      FROM analytics.usage_daily GROUP BY order_id`);
  phases.rollupsS = seconds();
  // Vacuumed now, not by autovacuum in the middle of the measures.
  await client.query('VACUUM ANALYZE');
  phases.seededS = seconds();
  console.error(`seeded: ${JSON.stringify(phases)}`);
  return phases;
}

const run = await scratch();
const env = {
  DATABASE_URL: run.databaseUrl,
  NATS_URL: natsUrl,
  APTIC_NATS_PREFIX: run.prefix,
  ANALYTICS_PORT: '0',
  APTIC_ADMIN_TOKEN: randomUUID(),
  LOG_LEVEL: 'warn',
};
const platform = await startPlatform([analytics], readConfig(env));
const admin = new pg.Client({ connectionString: run.databaseUrl });
await admin.connect();
let role: { role: string; password: string } | undefined;
/** The machine's load average (1, 5, 15 min) between the steps (report() records it before and after). */
const loadDuring: Record<string, string> = {};
try {
  const seedingS = await seed(admin, run.databaseUrl);
  loadDuring.seeded = loadavg();
  const [ids] = (
    await admin.query(`SELECT md5('funder0')::uuid AS funder, md5('order0-0')::uuid AS "order", md5('place0')::uuid AS place,
    md5('kiosk0')::uuid AS kiosk, md5('offer0-0')::uuid AS offer`)
  ).rows as [Record<'funder' | 'order' | 'place' | 'kiosk' | 'offer', string>];
  const ctx = platform.services[0]!.context;
  role = await ctx.transaction((tx) => provisionReportingRole(tx, run.prefix, ids.funder));
  const asFunder = await loginAs(run.databaseUrl, role.role, role.password);
  const range = {
    from: new Date(Date.now() - 90 * 86_400_000),
    to: new Date(),
    intervalMs: 3_600_000,
    variables: allVariables,
  };

  const timed = async (text: string, runs = RUNS) => {
    const times: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const t = performance.now();
      await asFunder.query(text);
      if (i >= 3) times.push(performance.now() - t);
    }
    return { p50Ms: quantile(times, 0.5), p95Ms: quantile(times, 0.95) };
  };
  const dashboard = funderDashboard().build();
  const panels: Record<string, unknown> = {};
  for (const [title, query] of panelQueries(dashboard)) {
    const rollup = await timed(expandQuery(query.rawSql, range));
    const raw = RAW[title]
      ? await timed(expandQuery(RAW[title]!, range), RAW_RUNS)
      : 'no raw equivalent (order counters)';
    panels[title] = { rollup, rawFactTable: raw };
    console.error(`${title}: ${JSON.stringify(panels[title])}`);
  }
  // The variables' queries run when the dashboard opens, before any panel.
  const variables: Record<string, unknown> = {};
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    variables[variable.name] = await timed(expandQuery(String(variable.query), range));
    console.error(`variable ${variable.name}: ${JSON.stringify(variables[variable.name])}`);
  }
  loadDuring.panelsMeasured = loadavg();

  // Freshness: redemptions of funder 0's first order at 1,000/s while two panels are polled through
  // the role, one reading the orders' counters, one the daily rollup.
  const polled = ['Pass utilisés', 'Pass utilisés par jour'];
  const pollers = await Promise.all(
    polled.map(async (title) => {
      const client = await loginAs(run.databaseUrl, role!.role, role!.password);
      const query = panelQueries(dashboard).get(title)!;
      const count = async () =>
        (await runPanel(client, query, { ...range, to: new Date() })).reduce((sum, row) => sum + Number(row.at(-1)), 0);
      return { title, client, count, base: await count(), seen: [] as number[] };
    }),
  );
  const nc = await connect({ servers: natsUrl });
  const js = nc.jetstream();
  const subject = natsNames(run.prefix).events.subject('pass.redeemed');
  const codec = JSONCodec();
  const sentAt: number[] = [];
  let polling = true;
  const polls = pollers.map(async (p) => {
    while (polling) {
      const n = (await p.count()) - p.base;
      const now = performance.now();
      while (p.seen.length < n) p.seen.push(now);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  const total = RATE * FRESHNESS_SECONDS;
  const start = performance.now();
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1_000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const data = {
      redemptionId: randomUUID(),
      passId: randomUUID(),
      orderId: ids.order,
      funderId: ids.funder,
      placeId: ids.place,
      kioskId: ids.kiosk,
      offerId: ids.offer,
      serviceActId: randomUUID(),
      faceValueCents: 1_000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
    };
    sentAt.push(performance.now());
    acks.push(
      js.publish(
        subject,
        codec.encode({
          id: randomUUID(),
          type: 'pass.redeemed',
          occurredAt: new Date().toISOString(),
          producer: 'bench',
          data,
        }),
        { msgID: data.redemptionId },
      ),
    );
  }
  await Promise.all(acks);
  const deadline = performance.now() + 60_000;
  while (pollers.some((p) => p.seen.length < total) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  polling = false;
  await Promise.all(polls);
  const offered = total / ((sentAt.at(-1)! - start) / 1_000);
  const freshness = Object.fromEntries(
    pollers.map((p) => {
      const latencies = sentAt.slice(0, p.seen.length).map((t, i) => p.seen[i]! - t);
      const figures = {
        events: total,
        applied: p.seen.length,
        offeredPerSecond: Math.round(offered),
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        maxMs: quantile(latencies, 1),
      };
      console.error(`freshness of ${p.title}: ${JSON.stringify(figures)}`);
      return [p.title, figures];
    }),
  );
  await nc.close();
  await asFunder.end();
  for (const p of pollers) await p.client.end();
  const worstP95 = Math.max(
    ...Object.values(panels).map((p) => (p as { rollup: { p95Ms: number } }).rollup.p95Ms),
    ...Object.values(variables).map((v) => (v as { p95Ms: number }).p95Ms),
  );
  const rawP95 = Object.values(panels).flatMap((p) => {
    const raw = (p as { rawFactTable: { p95Ms: number } | string }).rawFactTable;
    return typeof raw === 'string' ? [] : [raw.p95Ms];
  });
  report(
    'analytics',
    {
      redemptions: REDEMPTIONS,
      funders: FUNDERS,
      rollupRows: Number((await admin.query('SELECT count(*) FROM analytics.usage_daily')).rows[0].count),
      range: 'last 90 days, all orders and territories',
      seedingS,
      loadDuring,
      panels,
      variables,
      freshness,
      targets: {
        panelP95Ms: TARGET_P95_MS,
        met: worstP95 <= TARGET_P95_MS,
        freshnessP99Ms: TARGET_FRESHNESS_P99_MS,
        freshnessMet: Object.values(freshness).every((f) => f.applied === total && f.p99Ms <= TARGET_FRESHNESS_P99_MS),
      },
    },
    [
      {
        figure: `${REDEMPTIONS} redemptions: worst panel or variable p95 ${worstP95} ms`,
        target: `p95 ≤ ${TARGET_P95_MS} ms`,
        floor: `the same questions of the raw fact table (no rollup): p95 ${Math.min(...rawP95)}–${Math.max(...rawP95)} ms`,
        met: worstP95 <= TARGET_P95_MS,
      },
      ...Object.entries(freshness).map(([title, f]) => ({
        figure: `freshness of ${title}: p99 ${f.p99Ms} ms at ${f.offeredPerSecond} events/s, ${f.applied} of ${total} applied`,
        target: `p99 ≤ ${TARGET_FRESHNESS_P99_MS} ms, all applied`,
        met: f.applied === total && f.p99Ms <= TARGET_FRESHNESS_P99_MS,
      })),
    ],
  );
} finally {
  await platform.stop();
  if (KEEP) {
    // To study the plans without seeding again; drop the database and the role by hand afterwards.
    console.error(`kept ${run.databaseUrl}, role ${role?.role} (password ${role?.password})`);
    await admin.end();
  } else {
    // The role belongs to the server, not to the scratch database.
    if (role) await admin.query(`DROP OWNED BY "${role.role}"; DROP ROLE "${role.role}"`);
    await admin.end();
    await run.drop();
  }
}
