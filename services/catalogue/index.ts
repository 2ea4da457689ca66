import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { catalogueActions } from './service.ts';
import { catalogueRoutes } from './http.ts';
import { placeEvents } from './db/places.ts';
import { usageEvents } from './db/usage.ts';
import { seedReferentiel } from './db/referentiel.ts';

/** Catalogue: the service référentiel, places' offers, service sheets, nearby search, open data. */
export const catalogue: ServiceDefinition = {
  name: 'catalogue',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  moleculer: catalogueActions,
  routes: catalogueRoutes,
  consumers: () => [placeEvents, usageEvents],
  async start(ctx) {
    await ctx.transaction((tx) => seedReferentiel(tx));
  },
};
