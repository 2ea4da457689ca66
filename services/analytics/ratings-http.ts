import { Type } from '@sinclair/typebox';
import { ownerRoute, sendDocument, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { funderSatisfaction, ratingOpenDataCsv, ratingOpenDataRows } from './db/ratings.ts';
import { funderFigures } from './funder-route.ts';

const Month = Type.Object({ month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'AAAA-MM' }) });

/** Beneficiaries' ratings: each funder's satisfaction per place and service, and the public open data. */
export function ratingRoutes(app: AdminApp, ctx: ServiceContext): void {
  ownerRoute(
    app,
    '/funders/:id/satisfaction',
    {
      ...funderFigures,
      summary: 'Beneficiaries’ ratings of the services the funder’s passes paid, per place and service',
    },
    async (id) => ({ funderId: id, places: await funderSatisfaction(ctx.db, id) }),
  );
  app.get(
    '/open-data/ratings/:month.json',
    {
      config: { public: true },
      schema: {
        summary: 'Ratings given in a month, per commune, service and place type (statistical secrecy applied)',
        params: Month,
      },
    },
    async (request) => ({ mois: request.params.month, lignes: await ratingOpenDataRows(ctx.db, request.params.month) }),
  );
  app.get(
    '/open-data/ratings/:month.csv',
    { config: { public: true }, schema: { summary: 'The same, as CSV', params: Month } },
    async (request, reply) =>
      sendDocument(
        reply,
        'csv',
        'attachment',
        `aptic-avis-${request.params.month}.csv`,
        ratingOpenDataCsv(await ratingOpenDataRows(ctx.db, request.params.month)),
      ),
  );
}
