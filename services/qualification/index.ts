import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';

/** The qualification service: its domain arrives with its own issue; it already runs on the platform runtime. */
export const qualification: ServiceDefinition = {
  name: 'qualification',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
};
