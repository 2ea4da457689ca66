/**
 * Generates drizzle-kit SQL migrations for every schema the platform owns.
 * Run after changing a db/schema.ts: `npm run db:generate [-- <name>]`.
 */
import { execFileSync } from 'node:child_process';
import { ServiceNames } from '@aptic/contracts';

const targets: Record<string, { schema: string; out: string }> = {
  auth: { schema: 'services/runtime/auth/schema.ts', out: 'services/runtime/auth/migrations' },
  bus: { schema: 'services/runtime/events/local-schema.ts', out: 'services/runtime/events/local-migrations' },
  ...Object.fromEntries(
    ServiceNames.map((s) => [s, { schema: `services/${s}/db/schema.ts`, out: `services/${s}/db/migrations` }]),
  ),
};

const only = process.argv.slice(2);
for (const [name, { schema, out }] of Object.entries(targets)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`== ${name}`);
  execFileSync(
    'npx',
    ['drizzle-kit', 'generate', '--dialect=postgresql', `--schema=${schema}`, `--out=${out}`, `--name=${name}`],
    { stdio: 'inherit' },
  );
}
