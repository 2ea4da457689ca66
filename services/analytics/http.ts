import { Type } from '@sinclair/typebox';
import { DomainError, Uuid } from '@aptic/contracts';
import { assertScope, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { readFunderCounts } from './db/funder-counts.ts';
import { readFunderFigures } from './db/funder-figures.ts';
import { listReportingRoles, provisionReportingRole } from './db/reporting-roles.ts';

const unknownFunder = () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 });

const RoleCreated = Type.Object({ role: Type.String(), password: Type.String(), funderId: Type.Union([Uuid, Type.Null()]) });

/** Analytics' admin routes: figures for staff and funders, the reporting roles Grafana logs in as. */
export function routes(app: AdminApp, ctx: ServiceContext): void {
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
      assertScope(request, { funder: request.params.id }, unknownFunder);
      return readFunderFigures(ctx.db, request.params.id);
    },
  );

  const provision = (funderId: string | null) => {
    if (ctx.config.mode !== 'distributed') throw new DomainError('reporting_roles_unavailable', 'Les rôles de lecture n’existent qu’avec un PostgreSQL (mode distribué).', { status: 409 });
    return ctx.transaction((tx) => provisionReportingRole(tx, ctx.config.natsPrefix, funderId));
  };
  app.post(
    '/reporting-roles',
    {
      schema: {
        summary: 'Creates the PostgreSQL role a funder’s Grafana datasource logs in as, or gives it a new password (shown once)',
        body: Type.Object({ funderId: Uuid }, { additionalProperties: false }),
        response: { 201: RoleCreated },
      },
    },
    async (request, reply) => reply.status(201).send(await provision(request.body.funderId)),
  );
  app.post(
    '/reporting-roles/staff',
    { schema: { summary: 'Creates the staff’s reporting role (every funder), or gives it a new password (shown once)', response: { 201: RoleCreated } } },
    async (_request, reply) => reply.status(201).send(await provision(null)),
  );
  app.get('/reporting-roles', { schema: { summary: 'Reporting roles and when their password was last set' } }, () => listReportingRoles(ctx.db));
}
