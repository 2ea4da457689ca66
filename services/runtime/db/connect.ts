import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { StartRefused } from '../refused.ts';
import { fillNewDatabase } from './prepared-database.ts';
import { isTransient } from '../faults.ts';

/** The drizzle handle a service works with, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
export type Tx = PgTransaction<
  PgQueryResultHKT,
  Record<string, never>,
  ExtractTablesWithRelations<Record<string, never>>
>;
/** Anything that runs queries: the database or an open transaction. */
export type Queryable = Db | Tx;

/** Runs raw SQL and returns its rows (both drivers answer `{ rows }`). */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

const dialect = new PgDialect();

/**
 * `queryRows` as a named prepared statement: PostgreSQL parses and plans it once per connection
 * instead of at every call (a generic plan, see connectPostgres). For hot paths whose statements
 * find rows by key and take longer to plan than to run. The name must always go with the same
 * text (values travel as parameters, never in the text).
 */
export async function preparedRows<T>(db: Queryable, name: string, query: SQL): Promise<T[]> {
  const statement = db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false);
  return ((await statement.execute()) as unknown as { rows: T[] }).rows;
}

/**
 * Whether a statement failed on a unique index (or a deadlock, which PostgreSQL breaks by failing one
 * side): what a concurrent writer that got there first causes, not a fault. Drizzle wraps the
 * driver's error in its own.
 */
export function violatesUniqueness(err: unknown): boolean {
  const code = sqlState(err);
  return code === '23505' || code === '40P01';
}

/** The SQLSTATE of a database error, as the driver or drizzle (its `cause`) reports it. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code ?? (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A connection to the platform's database: real PostgreSQL (pool) or embedded PGlite. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Applies a folder of drizzle-kit migrations, tracked in `drizzle.<schema>_migrations`. */
  migrate(schema: string, migrationsFolder: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Migration bookkeeping lives outside the service's schema: the first migration creates that
 * schema itself, which would fail if the migrator had created it first for its table.
 */
const tracking = (schema: string, migrationsFolder: string) => ({
  migrationsFolder,
  migrationsSchema: 'drizzle',
  migrationsTable: `${schema}_migrations`,
});

/**
 * Services and their instances may start together: one migrates at a time (they share the
 * "drizzle" bookkeeping schema), the others wait on the same lock.
 */
async function migrateLocked(pool: pg.Pool, config: ReturnType<typeof tracking>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['aptic-migrate']);
    await migratePg(drizzlePg(client), config);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['aptic-migrate']).catch(() => {});
    client.release();
  }
}

export function connectPostgres(url: string, options: { max?: number; application?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.application,
    // A server out of reach fails a connection attempt in bounded time (a transient failure the
    // callers retry) instead of leaving it pending; keepalive notices a peer gone silent.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // Only preparedRows names its statements, and they find rows by key: one generic plan serves
    // every call. By default PostgreSQL plans such a statement again at each call (a plan for this
    // array of ids) whenever the generic plan's estimate looks costlier, which it does for unnest
    // of an array parameter: measured, redemption's batches took half again as long.
    options: '-c plan_cache_mode=force_generic_plan',
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out one's (a transaction open when the server restarts): the pool stops listening
  // to a client it lends, and an 'error' nobody listens to ends the process. Its queries fail anyway
  // (a transient failure, retried), and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg(pool) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    async migrate(schema, migrationsFolder) {
      // A start while the database restarts waits for it (as it waits for NATS) rather than exit:
      // each migration is a transaction, so one cut short is simply run again.
      for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
        try {
          return await migrateLocked(pool, tracking(schema, migrationsFolder));
        } catch (err) {
          if (!isTransient(err)) throw err;
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

/** One line, never the engine's own (minified) source: where the database is and what to do. */
function unopenableDatabase(folder: string, err: unknown): StartRefused {
  const cause = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0]!.slice(0, 120);
  return new StartRefused(
    `the embedded database in ${folder} cannot be opened (${cause}): it may be damaged; move it aside (mv ${folder} ${folder}.damaged) and start again with an empty one, or restore a copy.`,
  );
}

export async function openPglite(dataDir: string): Promise<Database> {
  const folder = resolve(dataDir, 'pglite');
  let client: PGlite;
  // Without a prepared database (node_modules read-only, say), PGlite creates one itself: slower, the same.
  await fillNewDatabase(folder).catch(() => {});
  try {
    mkdirSync(folder, { recursive: true });
    client = await PGlite.create(folder);
  } catch (err) {
    throw unopenableDatabase(folder, err);
  }
  const db = drizzlePglite(client) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    migrate: (schema, migrationsFolder) => migratePglite(drizzlePglite(client), tracking(schema, migrationsFolder)),
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    close: () => client.close(),
  };
}
