import { fileURLToPath } from 'node:url';
import { contractAction, type ConsumerDefinition, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { countFunders, readFunderCounts } from './db/funder-counts.ts';
import { directory, usage } from './db/read-model.ts';
import { routes } from './http.ts';
import { ratingsConsumer } from './db/ratings.ts';
import { ratingRoutes } from './ratings-http.ts';

const funderStats: ConsumerDefinition<'funder.created'> = {
  name: 'funder-stats',
  events: ['funder.created'],
  apply: countFunders,
};

/** Analytics: read models built from events, for staff and funders' dashboards. */
export const analytics: ServiceDefinition = {
  name: 'analytics',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: () => [funderStats, usage, directory, ratingsConsumer],
  moleculer: (ctx) => ({
    actions: { funderCounts: contractAction('analytics.funderCounts', () => readFunderCounts(ctx.db)) },
  }),
  routes: (app, ctx) => {
    routes(app, ctx);
    ratingRoutes(app, ctx);
  },
};
