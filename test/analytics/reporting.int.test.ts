import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import type { EventEnvelope } from '@aptic/contracts';
import { analytics } from '@aptic/analytics';
import { scramVerifier } from '@aptic/analytics/db/reporting-roles.ts';
import { expandQuery, funderDashboard, staffDashboard } from '@aptic/dashboards';
import { isolate, type Isolated } from '../support/infra.ts';
import { RawPublisher } from '../support/events.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { analyticsWorld, ratingEvents } from './world.ts';
import { readPdf } from '../support/pdf.ts';
import { allVariables, loginAs, panelQueries, runPanel } from './panels.ts';

let infra: Isolated;
let node: RunningPlatform;
const w = analyticsWorld();
const ratings = ratingEvents(w);
/** Funder B's order is over: its redemption window closed on 2 redeemed passes of 20. */
const closedB: EventEnvelope<'order.redemption_closed'> = {
  id: randomUUID(),
  type: 'order.redemption_closed',
  occurredAt: '2026-11-30T23:00:00.000Z',
  producer: 'test',
  data: {
    orderId: w.orderB,
    funderId: w.funderB,
    passCount: 20,
    redeemedCount: 2,
    unredeemedCount: 18,
    unredeemedValueCents: 18_000,
    closedAt: '2026-11-30T23:00:00.000Z',
  },
};
const roles: Record<'a' | 'b' | 'staff', { role: string; password: string }> = {} as never;
const clients: pg.Client[] = [];
let asA: pg.Client;
let asB: pg.Client;
let asStaff: pg.Client;

const url = () => node.services[0]!.url;
const ctx = { from: new Date(w.range.from), to: new Date(w.range.to), intervalMs: 3_600_000, variables: allVariables };
const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1_000;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [analytics]);
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  await publisher.publishMany([...w.events, closedB, ...ratings]);
  await publisher.close();
  const count = async () =>
    (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM analytics.inbox`))[0]!.n;
  await eventually(count, (n) => n === w.events.length + 1 + ratings.length);
  roles.a = (await call(`${url()}/reporting-roles`, { method: 'POST', body: { funderId: w.funderA } })).body;
  roles.b = (await call(`${url()}/reporting-roles`, { method: 'POST', body: { funderId: w.funderB } })).body;
  roles.staff = (await call(`${url()}/reporting-roles/staff`, { method: 'POST' })).body;
  for (const r of [roles.a, roles.b, roles.staff]) clients.push(await loginAs(infra.databaseUrl, r.role, r.password));
  [asA, asB, asStaff] = clients as [pg.Client, pg.Client, pg.Client];
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await node?.stop();
  // Roles belong to the server, not to the test's database: drop them with it.
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  for (const r of Object.values(roles))
    await admin.query(`DROP OWNED BY "${r.role}"; DROP ROLE IF EXISTS "${r.role}"`).catch(() => {});
  await admin.end();
  await infra?.cleanup();
});

describe('the funder dashboard, every panel run as the funder’s role', () => {
  const panels = panelQueries(funderDashboard().build());
  const a = w.expected.a;
  const expected: Record<string, unknown[][]> = {
    'Pass émis': [[a.passesIssued]],
    'Pass remis': [[a.passesHandedOut]],
    'Pass utilisés': [[a.passesRedeemed]],
    'Pass en circulation': [[a.passesOutstanding]],
    'Carnets entamés': [[a.carnetsStarted, a.carnetsIssued]],
    'Pass expirant sous 60 jours': [[a.expiringPasses]],
    'Montant utilisé et en réserve': [[50, 250]],
    'Rendu en avoir': [[0]],
    'Pass utilisés par jour': [
      [day('2026-11-02'), 3],
      [day('2026-11-03'), 2],
    ],
    'Par service': [
      ['demarches_en_ligne', 3],
      ['prise_en_main', 2],
    ],
    'Par commune': [
      ['16015', 3],
      ['16102', 2],
    ],
    'Par lieu': [
      [w.places[0]!.name, '16015', 'epn', 3, 30],
      [w.places[1]!.name, '16102', 'mediatheque', 2, 20],
    ],
    'Lieux où vos pass ont été utilisés': [
      [w.places[0]!.name, w.places[0]!.latitude, w.places[0]!.longitude, 3],
      [w.places[1]!.name, w.places[1]!.latitude, w.places[1]!.longitude, 2],
    ],
    // Place 1's 2 ratings are counted, their mean and share hidden (under 11); B's 11 are not A's;
    // the withdrawn rating and October's are not counted.
    'Satisfaction par lieu': [
      [w.places[0]!.name, '16015', 12, 4.33, 75],
      [w.places[1]!.name, '16102', 2, null, null],
    ],
    'Satisfaction par service': [
      ['demarches_en_ligne', 12, 4.33, 75],
      ['prise_en_main', 2, null, null],
    ],
  };

  test('every panel has its expected figures', async () => {
    expect([...panels.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [title, query] of panels) expect(await runPanel(asA, query, ctx), title).toEqual(expected[title]);
  });

  test('the variables narrow them: one order, one commune, an EPCI, a département', async () => {
    const narrowed = (order: string[], territory: string[]) => ({
      ...ctx,
      variables: {
        order: { value: order, multi: true, includeAll: true, allValue: `'*'` },
        territory: { value: territory, multi: true, includeAll: true, allValue: `'*'` },
      },
    });
    const byService = panels.get('Par service')!;
    expect(await runPanel(asA, byService, narrowed([w.orderA], ['commune:16102']))).toEqual([['prise_en_main', 2]]);
    expect(await runPanel(asA, byService, narrowed([w.orderA], ['epci:200071827']))).toEqual([
      ['demarches_en_ligne', 3],
    ]);
    expect(await runPanel(asA, byService, narrowed([w.orderA], ['departement:16']))).toEqual([
      ['demarches_en_ligne', 3],
      ['prise_en_main', 2],
    ]);
    const byPlace = panels.get('Satisfaction par lieu')!;
    expect(await runPanel(asA, byPlace, narrowed([w.orderA], ['commune:16102']))).toEqual([
      [w.places[1]!.name, '16102', 2, null, null],
    ]);
    expect(await runPanel(asA, byPlace, narrowed([w.orderB], ['departement:16']))).toEqual([]);
    // Another funder's order named in the variable shows nothing more.
    expect(await runPanel(asA, panels.get('Pass émis')!, narrowed([w.orderB], ['departement:16']))).toEqual([[0]]);
    // The time range: only 3 November.
    expect(
      await runPanel(asA, byService, {
        ...ctx,
        from: new Date('2026-11-03T00:00:00Z'),
        to: new Date('2026-11-03T23:59:59.999Z'),
      }),
    ).toEqual([['prise_en_main', 2]]);
  });

  test('funder B sees its own figures on the same dashboard: its order over, nothing outstanding nor held, the rest credited', async () => {
    expect(await runPanel(asB, panels.get('Pass utilisés')!, ctx)).toEqual([[w.expected.b.passesRedeemed]]);
    expect(await runPanel(asB, panels.get('Carnets entamés')!, ctx)).toEqual([[w.expected.b.carnetsStarted, 2]]);
    expect(await runPanel(asB, panels.get('Pass en circulation')!, ctx)).toEqual([[0]]);
    expect(await runPanel(asB, panels.get('Pass expirant sous 60 jours')!, ctx)).toEqual([[0]]);
    expect(await runPanel(asB, panels.get('Montant utilisé et en réserve')!, ctx)).toEqual([[20, 0]]);
    expect(await runPanel(asB, panels.get('Rendu en avoir')!, ctx)).toEqual([[180]]);
    expect(await runPanel(asB, panels.get('Satisfaction par lieu')!, ctx)).toEqual([
      [w.places[0]!.name, '16015', 11, 1, 0],
    ]);
    expect(await runPanel(asB, panels.get('Satisfaction par service')!, ctx)).toEqual([
      ['demarches_en_ligne', 11, 1, 0],
    ]);
  });

  test('the variables list the funder’s own orders and the territories of the places its passes were used in, in the range', async () => {
    const variables = Object.fromEntries(
      (funderDashboard().build().templating?.list ?? []).map((v) => [v.name, String(v.query ?? '')]),
    );
    const values = async (client: pg.Client, name: string) =>
      (await client.query({ text: expandQuery(variables[name]!, ctx), rowMode: 'array' })).rows
        .map((r: unknown[]) => r[0])
        .sort();
    expect(await values(asA, 'order')).toEqual([w.orderA]);
    expect(await values(asA, 'territory')).toEqual(
      ['commune:16015', 'commune:16102', 'departement:16', 'epci:200070514', 'epci:200071827'].sort(),
    );
    expect(await values(asB, 'order')).toEqual([w.orderB]);
    expect(await values(asB, 'territory')).toEqual(['commune:16015', 'departement:16', 'epci:200071827']);
    // October: no pass of A used, no territory to choose.
    const october = { ...ctx, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-31T23:59:59Z') };
    const territories = await asA.query(expandQuery(variables.territory!, october));
    expect(territories.rows).toEqual([]);
  });
});

describe('tenant isolation in the database', () => {
  const FUNDER_TABLES = [
    'order_summary',
    'usage_daily',
    'redemption_fact',
    'usage',
    'orders',
    'rating_fact',
    'satisfaction',
  ];

  test('funder B reading funder A’s rows gets zero rows, in every table and view', async () => {
    for (const table of FUNDER_TABLES) {
      const rows = await asB.query(`SELECT count(*)::int AS n FROM analytics.${table} WHERE funder_id = $1`, [
        w.funderA,
      ]);
      expect(rows.rows[0].n, table).toBe(0);
      const all = await asB.query(`SELECT count(DISTINCT funder_id)::int AS n FROM analytics.${table}`);
      expect(all.rows[0].n, table).toBe(1);
    }
    expect((await asB.query('SELECT count(*)::int AS n FROM analytics.reporting_role')).rows[0].n).toBe(1);
  });

  test('any write is refused, even after lifting the read-only default', async () => {
    await asA.query('SET default_transaction_read_only = off');
    const writes = [
      `INSERT INTO analytics.usage_daily VALUES ('2026-11-05', '${w.funderA}', '${w.orderA}', '${w.places[0]!.placeId}', '${w.offers[0]!.offerId}', 100, 100000)`,
      `UPDATE analytics.order_summary SET passes_redeemed = 0`,
      `DELETE FROM analytics.redemption_fact`,
      `UPDATE analytics.reporting_role SET funder_id = '${w.funderB}'`,
      `TRUNCATE analytics.place`,
      `CREATE TABLE analytics.mine (x int)`,
      `CREATE TABLE public.mine (x int)`,
    ];
    for (const statement of writes)
      await expect(asA.query(statement), statement).rejects.toThrow(/permission denied|read-only/);
  });

  test('reads outside the reporting relations are refused: internal tables, staff tables, other services, other roles', async () => {
    const reads = [
      'SELECT * FROM analytics.inbox',
      'SELECT * FROM analytics.pass',
      'SELECT * FROM analytics.carnet',
      'SELECT * FROM analytics.denied_scan',
      'SELECT * FROM analytics.kiosk',
      'SELECT * FROM analytics.denied_daily',
      'SELECT * FROM analytics.period',
      'SELECT * FROM analytics.payout',
      'SELECT * FROM analytics.outbox',
      'SELECT * FROM drizzle.analytics_migrations',
      'SELECT * FROM auth.api_token',
    ];
    for (const statement of reads) await expect(asA.query(statement), statement).rejects.toThrow(/permission denied/);
    await expect(asA.query(`SET ROLE "${roles.staff.role}"`)).rejects.toThrow(/permission denied/);
    await expect(asA.query(`SET SESSION AUTHORIZATION "${roles.b.role}"`)).rejects.toThrow(/permission denied/);
  });

  test('the roles log in, bypass no RLS, own nothing; reporting tables force RLS; views are security invokers', async () => {
    const admin = node.database.db;
    const attrs = await queryRows<Record<string, unknown>>(
      admin,
      sql`
      SELECT r.rolname, r.rolcanlogin, r.rolbypassrls, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
             (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owns
        FROM pg_roles r WHERE r.rolname IN (${roles.a.role}, ${roles.b.role}, ${roles.staff.role})`,
    );
    expect(attrs).toHaveLength(3);
    for (const r of attrs)
      expect(r).toMatchObject({
        rolcanlogin: true,
        rolbypassrls: false,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        owns: 0,
      });
    const tables = await queryRows<{ relname: string; rls: boolean; forced: boolean }>(
      admin,
      sql`
      SELECT relname, relrowsecurity AS rls, relforcerowsecurity AS forced FROM pg_class
       WHERE relnamespace = 'analytics'::regnamespace AND relkind = 'r'
         AND relname IN ('reporting_role', 'order_summary', 'usage_daily', 'redemption_fact', 'place', 'offer', 'kiosk', 'denied_daily', 'period', 'payout', 'rating_fact')`,
    );
    expect(tables).toHaveLength(11);
    for (const t of tables) expect(t, t.relname).toMatchObject({ rls: true, forced: true });
    const views = await queryRows<{ options: string[] }>(
      admin,
      sql`SELECT reloptions AS options FROM pg_class WHERE relnamespace = 'analytics'::regnamespace AND relkind = 'v'`,
    );
    expect(views.map((v) => v.options)).toEqual(views.map(() => ['security_invoker=true']));
    expect(views).toHaveLength(3);
  });

  test('a new password is set as a SCRAM verifier, the old one no longer matches', async () => {
    const admin = new pg.Client({ connectionString: infra.databaseUrl });
    await admin.connect();
    const stored = async () =>
      (await admin.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [roles.b.role])).rows[0]
        .rolpassword as string;
    const matches = (verifier: string, password: string) => {
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier)!;
      return scramVerifier(password, Buffer.from(salt!, 'base64'), Number(iterations)) === verifier;
    };
    const before = await stored();
    expect(matches(before, roles.b.password)).toBe(true);
    const rotated = (await call(`${url()}/reporting-roles`, { method: 'POST', body: { funderId: w.funderB } })).body;
    const after = await stored();
    expect(matches(after, rotated.password)).toBe(true);
    expect(matches(after, roles.b.password)).toBe(false);
    // The command does the same, and writes the line Grafana's environment file needs.
    const file = join(mkdtempSync(join(tmpdir(), 'aptic-reporting-')), 'reporting.env');
    writeFileSync(file, 'OTHER=kept\n');
    const run = spawnSync(
      process.execPath,
      ['services/analytics/bin/reporting-role.ts', '--funder', w.funderB, '--env-file', file],
      {
        env: {
          ...process.env,
          DATABASE_URL: infra.databaseUrl,
          NATS_URL: infra.natsUrl,
          APTIC_NATS_PREFIX: infra.prefix,
        },
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const [kept, line] = readFileSync(file, 'utf8').trim().split('\n');
    expect(kept).toBe('OTHER=kept');
    expect(line).toMatch(new RegExp(`^APTIC_GRAFANA_PASSWORD_${w.funderB.replaceAll('-', '').toUpperCase()}=`));
    expect(matches(await stored(), line!.split('=')[1]!)).toBe(true);
    roles.b.password = line!.split('=')[1]!;
    await admin.end();
    // Bad input changes nothing; only admin may create roles.
    expect((await call(`${url()}/reporting-roles`, { method: 'POST', body: { funderId: 'nope' } })).status).toBe(400);
  });
});

describe('the staff’s national view, run as the staff role', () => {
  const panels = panelQueries(staffDashboard().build());
  const expected: Record<string, unknown[][]> = {
    'Pass émis et utilisés': [[50, 7]],
    'Bornes actives': [[2]],
    'Pass utilisés par jour, France entière': [
      [day('2026-11-02'), 5],
      [day('2026-11-03'), 2],
    ],
    'Par commanditaire': [
      ['Grand Angoulême', 30, 10, 5, 3, 250],
      ['CCAS de Cognac', 20, 10, 2, 1, 0],
    ],
    'Activité des lieux': [
      [w.places[0]!.name, '16015', 'epn', 'qualified', 5, '2026-11-02T14:00:00.000Z'],
      [w.places[1]!.name, '16102', 'mediatheque', 'qualified', 2, '2026-11-03T11:00:00.000Z'],
    ],
    'Scans refusés par motif': [
      ['already_redeemed', 2],
      ['unknown_pass', 1],
    ],
    'Endossements par mois': [['2026-10', 1, 4, 40, 1.6, 38.4]],
    'Virements aux lieux': [
      ['2026-10', 'executed', 1, 38.4, null],
      ['2026-10', 'held', 1, 9.6, 'IBAN manquant'],
    ],
  };

  test('every panel has its expected figures', async () => {
    expect([...panels.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [title, query] of panels) expect(await runPanel(asStaff, query, ctx), title).toEqual(expected[title]);
  });

  test('the staff role reads every funder on the funder dashboard too; a funder’s role cannot run the staff panels', async () => {
    const funderPanels = panelQueries(funderDashboard().build());
    expect(await runPanel(asStaff, funderPanels.get('Pass utilisés')!, ctx)).toEqual([[7]]);
    // Place 0: A's 12 and B's 11 together (mean 63 / 23, 9 of 23 would go back).
    expect((await runPanel(asStaff, funderPanels.get('Satisfaction par lieu')!, ctx))[0]).toEqual([
      w.places[0]!.name,
      '16015',
      23,
      2.74,
      39,
    ]);
    await expect(runPanel(asA, panels.get('Scans refusés par motif')!, ctx)).rejects.toThrow(/permission denied/);
  });
});

describe('the activity report', () => {
  const report = (funderId: string, token?: string, period = 'from=2026-11-01&to=2026-11-30') =>
    fetch(`${url()}/funders/${funderId}/report?${period}`, {
      headers: { authorization: `Bearer ${token ?? 'test-admin-token-not-a-secret-0123456789'}` },
    });

  test('a Premium funder’s report is white-label: its name, no #APTIC; key figures, services, places, in French', async () => {
    const response = await report(w.funderA);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const { flow } = await readPdf(Buffer.from(await response.arrayBuffer()));
    expect(flow).toContain("Rapport d'activité");
    expect(flow).toContain('Grand Angoulême — du 01/11/2026 au 30/11/2026');
    // Issued, handed out, redeemed in the period and since the start, outstanding, carnets started, money used and held.
    expect(flow).toContain('30 10 5 5 23 3 sur 3 50,00 € 250,00 €');
    expect(flow).toContain('Pass utilisés sur la période');
    expect(flow).toContain(w.places[0]!.name);
    expect(flow).toContain('Angoulême');
    expect(flow).not.toContain('APTIC');
  });

  test('a Standard funder’s report carries the #APTIC branding; a funder token gets only its own; a bad period is refused', async () => {
    const { flow } = await readPdf(Buffer.from(await (await report(w.funderB)).arrayBuffer()));
    expect(flow).toContain('#APTIC');
    expect(flow).toContain('CCAS de Cognac');
    const token = (
      await call(`${url()}/admin/tokens`, {
        method: 'POST',
        body: { name: 'CCAS', role: 'funder', funderId: w.funderB },
      })
    ).body.token;
    expect((await report(w.funderB, token)).status).toBe(200);
    expect((await report(w.funderA, token)).status).toBe(404);
    const bad = await report(w.funderB, undefined, 'from=2026-11-30&to=2026-11-01');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid_period');
  });
});
