/**
 * `npm run open-data -- --month 2026-11 [--out <folder>]`: writes the month's open-data file of
 * redemptions as CSV and JSON, with its Table Schema beside them (what GET /open-data/redemptions/…
 * serves). Uses DATABASE_URL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectPostgres, readConfig } from '@aptic/runtime';
import { openDataCsv, openDataRows, tableSchema } from '../db/open-data.ts';

const { values } = parseArgs({ options: { month: { type: 'string' }, out: { type: 'string', default: '.' } } });
const config = readConfig(process.env);
if (!values.month || !/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(values.month) || !config.databaseUrl) {
  console.error('usage: DATABASE_URL=… open-data --month AAAA-MM [--out <folder>]');
  process.exit(2);
}
const database = connectPostgres(config.databaseUrl, { max: 1, application: 'open-data' });
try {
  const rows = await openDataRows(database.db, values.month);
  mkdirSync(values.out, { recursive: true });
  const base = join(values.out, `aptic-utilisations-${values.month}`);
  writeFileSync(`${base}.csv`, openDataCsv(rows));
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ mois: values.month, schema: 'schema.json', lignes: rows }, null, 2)}\n`,
  );
  writeFileSync(join(values.out, 'schema.json'), `${JSON.stringify(tableSchema, null, 2)}\n`);
  console.log(`${base}.csv, ${base}.json, ${join(values.out, 'schema.json')}: ${rows.length} rows`);
} finally {
  await database.close();
}
