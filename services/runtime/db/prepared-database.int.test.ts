import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { openPglite, queryRows } from '../index.ts';
import { fillNewDatabase, preparedDatabase } from './prepared-database.ts';

const root = mkdtempSync(join(tmpdir(), 'aptic-prepared-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('starts preparing the empty database at once all get the one whole copy, nothing left aside', async () => {
  const folder = join(root, 'cache', 'prepared');
  const folders = await Promise.all([preparedDatabase(folder), preparedDatabase(folder)]);
  expect(folders).toEqual([folder, folder]);
  expect(existsSync(join(folder, 'PG_VERSION'))).toBe(true);
  expect(readdirSync(join(root, 'cache'))).toEqual(['prepared']);
});

test('a new data folder starts as a copy of it, and holds its own data', async () => {
  const database = await openPglite(join(root, 'one'));
  await database.db.execute(sql`CREATE TABLE kept (n int)`);
  await database.db.execute(sql`INSERT INTO kept VALUES (1)`);
  await database.close();
  const other = await openPglite(join(root, 'two'));
  const tables = await queryRows<{ n: number }>(
    other.db,
    sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'kept'`,
  );
  expect(tables[0]!.n).toBe(0);
  await other.close();
  const again = await openPglite(join(root, 'one'));
  expect(await queryRows<{ n: number }>(again.db, sql`SELECT n FROM kept`)).toEqual([{ n: 1 }]);
  await again.close();
});

test('a folder holding anything is never overwritten by the copy', async () => {
  const folder = join(root, 'busy');
  mkdirSync(folder);
  writeFileSync(join(folder, 'something'), 'x');
  await fillNewDatabase(folder);
  expect(readdirSync(folder)).toEqual(['something']);
});
