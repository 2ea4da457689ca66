import pg from 'pg';
import { type Dashboard, expandQuery, type PostgresQuery, type QueryContext } from '@aptic/dashboards';

/** Every panel's query of a built dashboard, by the panel's title. */
export function panelQueries(dashboard: Dashboard): Map<string, PostgresQuery> {
  const out = new Map<string, PostgresQuery>();
  for (const panel of dashboard.panels ?? []) {
    const targets = (panel as { targets?: PostgresQuery[] }).targets ?? [];
    for (const target of targets) out.set((panel as { title: string }).title, target);
  }
  return out;
}

/** Every variable at "All", as a dashboard opens. */
export const allVariables: QueryContext['variables'] = {
  order: { value: '$__all', multi: true, includeAll: true, allValue: `'*'` },
  territory: { value: '$__all', multi: true, includeAll: true, allValue: `'*'` },
};

/** A connection logged in as a reporting role, as Grafana's datasource would be. */
export async function loginAs(databaseUrl: string, role: string, password: string): Promise<pg.Client> {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

const INT8 = 20;
const NUMERIC = 1700;
/** Rows as plain values: PostgreSQL's bigint and numeric arrive as strings, timestamps as Date. */
const plain = (v: unknown, type: number) =>
  v !== null && (type === INT8 || type === NUMERIC) ? Number(v) : v instanceof Date ? v.toISOString() : v;

/** Runs a panel's query as Grafana sends it, and answers its rows as arrays of values. */
export async function runPanel(client: pg.Client, query: PostgresQuery, ctx: QueryContext): Promise<unknown[][]> {
  const result = await client.query({ text: expandQuery(query.rawSql, ctx), rowMode: 'array' });
  return result.rows.map((row: unknown[]) => row.map((v, i) => plain(v, result.fields[i]!.dataTypeID)));
}
