import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';

/** The catalogue service: its domain arrives with its own issue; it already runs on the platform runtime. */
export const catalogue: ServiceDefinition = {
  name: 'catalogue',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
};
