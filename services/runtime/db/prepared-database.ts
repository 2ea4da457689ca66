/**
 * A new embedded database starts as a copy of a prepared empty one. PGlite creating a database
 * runs PostgreSQL's initdb in a second WebAssembly instance: measured, 3.7 CPU seconds, most of a
 * first start's, against 0.5 for copying the prepared folder (39 MB) and opening it. The prepared
 * one is made once per installed PGlite version (by `npm ci`, or else by the first start that
 * finds none) in node_modules/.cache, so it always matches the engine that opens it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/** node_modules/@electric-sql/pglite, from the module Node resolves (its exports hide package.json). */
function pgliteFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(folder, 'package.json'))) folder = dirname(folder);
  return folder;
}

/** Where the prepared empty database of the installed PGlite lives. */
function preparedDatabaseFolder(): string {
  const pglite = pgliteFolder();
  const { version } = JSON.parse(readFileSync(join(pglite, 'package.json'), 'utf8')) as { version: string };
  return join(pglite, '..', '..', '.cache', 'aptic', `pglite-${version}-empty`);
}

const isDatabase = (folder: string) => existsSync(join(folder, 'PG_VERSION'));

/**
 * The prepared empty database, made now if missing. Made aside and renamed into place, so
 * processes preparing it at once (a test run) never see half of one: the first rename wins.
 */
export async function preparedDatabase(folder = preparedDatabaseFolder()): Promise<string> {
  if (isDatabase(folder)) return folder;
  const building = `${folder}.${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    mkdirSync(building, { recursive: true });
    await (await PGlite.create(building)).close();
    renameSync(building, folder);
  } catch (err) {
    if (!isDatabase(folder)) throw err;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}

/**
 * Fills a new database folder (absent or empty) with a copy of the prepared one; one holding
 * anything is left to PGlite. The copy is made aside and renamed, so an interrupted start leaves
 * no half-copied database behind. The caller owns the folder (the data folder's lock).
 */
export async function fillNewDatabase(folder: string): Promise<void> {
  if (existsSync(folder) && readdirSync(folder).length > 0) return;
  const prepared = await preparedDatabase();
  const copying = `${folder}.copying`;
  rmSync(copying, { recursive: true, force: true });
  cpSync(prepared, copying, { recursive: true });
  rmSync(folder, { recursive: true, force: true });
  renameSync(copying, folder);
}
