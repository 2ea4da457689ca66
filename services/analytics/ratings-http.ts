import { ownerRoute, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { funderSatisfaction, ratingOpenDataCsv, ratingOpenDataRows } from './db/ratings.ts';
import { funderFigures } from './funder-route.ts';
import { monthlyOpenData } from './open-data-routes.ts';

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
  monthlyOpenData(app, '/open-data/ratings', {
    summary: 'Ratings given in a month, per commune, service and place type (statistical secrecy applied)',
    name: 'aptic-avis',
    rows: (month) => ratingOpenDataRows(ctx.db, month),
    csv: ratingOpenDataCsv,
  });
}
