import { Type } from '@sinclair/typebox';
import { BusinessDate, DomainError, isCalendarDate, Uuid } from '@aptic/contracts';
import { ownerRoute, sendDocument, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { readFunderCounts } from './db/funder-counts.ts';
import { readFunderFigures } from './db/funder-figures.ts';
import { readDistribution } from './db/distribution.ts';
import { listReportingRoles, provisionReportingRole } from './db/reporting-roles.ts';
import { openDataCsv, openDataRows, tableSchema } from './db/open-data.ts';
import { reportFigures } from './db/report.ts';
import { reportHtml } from './documents/report.ts';
import { funderFigures } from './funder-route.ts';
import { monthlyOpenData } from './open-data-routes.ts';

const RoleCreated = Type.Object({
  role: Type.String(),
  password: Type.String(),
  funderId: Type.Union([Uuid, Type.Null()]),
});

/** Analytics' admin routes: figures for staff and funders, the reporting roles Grafana logs in as. */
export function routes(app: AdminApp, ctx: ServiceContext): void {
  app.get(
    '/stats/funders',
    {
      config: { roles: ['support', 'finance'] },
      schema: {
        summary: 'Funders registered, per kind',
        response: { 200: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }) },
      },
    },
    () => readFunderCounts(ctx.db),
  );
  // A funder's token sees its own figures only.
  ownerRoute(
    app,
    '/funders/:id/figures',
    { ...funderFigures, summary: 'A funder’s carnets issued, handed out, started; passes redeemed' },
    (id) => readFunderFigures(ctx.db, id),
  );
  ownerRoute(
    app,
    '/funders/:id/distribution',
    {
      ...funderFigures,
      summary: 'A funder’s carnets handed out: per prescripteur, public and commune; renewals; delays',
    },
    (id) => readDistribution(ctx.db, id),
  );

  ownerRoute(
    app,
    '/funders/:id/report',
    {
      ...funderFigures,
      summary: 'A funder’s activity report over a period (PDF, in French; white-label for Premium funders)',
      querystring: Type.Object({ from: BusinessDate, to: BusinessDate }),
    },
    async (id, request, reply) => {
      const { from, to } = request.query;
      if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) {
        throw new DomainError(
          'invalid_period',
          'La période doit aller d’une date réelle à une date égale ou postérieure.',
          { status: 422, field: 'from' },
        );
      }
      const figures = await reportFigures(ctx.db, id, from, to);
      if (!figures) throw funderFigures.notFound();
      const { premiumOrderId, ...rest } = figures;
      // The logo the Premium funder bought for its passes; the report goes out without it if printing does not answer.
      const logo = premiumOrderId
        ? await ctx.broker.call('printing.orderLogo', { orderId: premiumOrderId }).catch(() => null)
        : null;
      const pdf = await (await ctx.pdf()).render(
        reportHtml({ ...rest, logo: logo as { mime: string; base64: string } | null }),
      );
      return sendDocument(reply, 'pdf', 'attachment', `rapport-activite-${from}-${to}.pdf`, pdf);
    },
  );

  const provision = (funderId: string | null) => {
    if (ctx.config.mode !== 'distributed')
      throw new DomainError(
        'reporting_roles_unavailable',
        'Les rôles de lecture n’existent qu’avec un PostgreSQL (mode distribué).',
        { status: 409 },
      );
    return ctx.transaction((tx) => provisionReportingRole(tx, ctx.config.natsPrefix, funderId));
  };
  app.post(
    '/reporting-roles',
    {
      schema: {
        summary:
          'Creates the PostgreSQL role a funder’s Grafana datasource logs in as, or gives it a new password (shown once)',
        body: Type.Object({ funderId: Uuid }, { additionalProperties: false }),
        response: { 201: RoleCreated },
      },
    },
    async (request, reply) => reply.status(201).send(await provision(request.body.funderId)),
  );
  app.post(
    '/reporting-roles/staff',
    {
      schema: {
        summary: 'Creates the staff’s reporting role (every funder), or gives it a new password (shown once)',
        response: { 201: RoleCreated },
      },
    },
    async (_request, reply) => reply.status(201).send(await provision(null)),
  );
  app.get('/reporting-roles', { schema: { summary: 'Reporting roles and when their password was last set' } }, () =>
    listReportingRoles(ctx.db),
  );

  // Open data: public, no personal data, under statistical secrecy.
  app.get(
    '/open-data/redemptions/schema.json',
    { config: { public: true }, schema: { summary: 'Table Schema of the monthly open-data file of redemptions' } },
    () => tableSchema,
  );
  monthlyOpenData(app, '/open-data/redemptions', {
    summary: 'Passes redeemed in a month, per commune, service and place type (statistical secrecy applied)',
    name: 'aptic-utilisations',
    rows: (month) => openDataRows(ctx.db, month),
    csv: openDataCsv,
    about: { schema: 'schema.json' },
  });
}
