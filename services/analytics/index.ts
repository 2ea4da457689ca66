import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { contractAction, type ConsumerDefinition, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { countFunders, readFunderCounts } from './db/funder-counts.ts';

const funderStats: ConsumerDefinition<'funder.created'> = { name: 'funder-stats', events: ['funder.created'], apply: countFunders };

/** Analytics: read models built from events, for staff and funders' dashboards. */
export const analytics: ServiceDefinition = {
  name: 'analytics',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: () => [funderStats],
  moleculer: (ctx) => ({ actions: { funderCounts: contractAction('analytics.funderCounts', () => readFunderCounts(ctx.db)) } }),
  routes: (app, ctx) => {
    app.get(
      '/stats/funders',
      { config: { roles: ['support', 'finance'] }, schema: { summary: 'Funders registered, per kind', response: { 200: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }) } } },
      () => readFunderCounts(ctx.db),
    );
  },
};
