import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { DomainError, Uuid } from '@aptic/contracts';
import { assertScope, contractAction, type ConsumerDefinition, type ServiceDefinition } from '@aptic/runtime';
import * as schema from './db/schema.ts';
import { countFunders, readFunderCounts } from './db/funder-counts.ts';
import { funderFigures, readFunderFigures } from './db/funder-figures.ts';

const funderStats: ConsumerDefinition<'funder.created'> = { name: 'funder-stats', events: ['funder.created'], apply: countFunders };

/** Analytics: read models built from events, for staff and funders' dashboards. */
export const analytics: ServiceDefinition = {
  name: 'analytics',
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  tables: schema,
  consumers: () => [funderStats, funderFigures],
  moleculer: (ctx) => ({ actions: { funderCounts: contractAction('analytics.funderCounts', () => readFunderCounts(ctx.db)) } }),
  routes: (app, ctx) => {
    app.get(
      '/stats/funders',
      { config: { roles: ['support', 'finance'] }, schema: { summary: 'Funders registered, per kind', response: { 200: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }) } } },
      () => readFunderCounts(ctx.db),
    );
    app.get(
      '/funders/:id/figures',
      { config: { roles: ['support', 'finance', 'funder'] }, schema: { summary: 'A funder’s carnets issued, handed out, started; passes redeemed', params: Type.Object({ id: Uuid }) } },
      (request) => {
        // A funder's token sees its own figures only.
        assertScope(request, { funder: request.params.id }, () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 }));
        return readFunderFigures(ctx.db, request.params.id);
      },
    );
  },
};
