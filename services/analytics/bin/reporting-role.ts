/**
 * `npm run reporting-role -- --funder <funder id> | --staff [--env-file <path>]`: creates the
 * PostgreSQL role a Grafana datasource logs in as, or gives it a new password (the same as
 * `POST /reporting-roles`). Prints the `VARIABLE=password` line Grafana reads; with --env-file,
 * writes that line into the file instead (replacing the role's previous one), mode 0600.
 * Uses DATABASE_URL and APTIC_NATS_PREFIX, after the analytics service has migrated its schema.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { reportingPasswordVariable } from '@aptic/contracts';
import { connectPostgres, readConfig } from '@aptic/runtime';
import { provisionReportingRole } from '../db/reporting-roles.ts';

const { values } = parseArgs({
  options: { funder: { type: 'string' }, staff: { type: 'boolean' }, 'env-file': { type: 'string' } },
});
if (!values.funder === !values.staff) {
  console.error('usage: reporting-role --funder <funder id> | --staff [--env-file <path>]');
  process.exit(2);
}
const config = readConfig(process.env);
if (!config.databaseUrl) {
  console.error('DATABASE_URL is required: reporting roles are PostgreSQL roles.');
  process.exit(2);
}
const database = connectPostgres(config.databaseUrl, { max: 1, application: 'reporting-role' });
try {
  const funderId = values.funder?.toLowerCase() ?? null;
  const { role, password } = await database.db.transaction((tx) =>
    provisionReportingRole(tx, config.natsPrefix, funderId),
  );
  const line = `${reportingPasswordVariable(funderId)}=${password}`;
  const file = values['env-file'];
  if (file) {
    const kept = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith(`${reportingPasswordVariable(funderId)}=`))
      : [];
    writeFileSync(file, `${[...kept, line].join('\n')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    console.log(`${role}: password written to ${file}`);
  } else {
    // The line alone on stdout, to append to Grafana's environment file.
    console.error(`${role}: new password`);
    console.log(line);
  }
} finally {
  await database.close();
}
