import { Type } from '@sinclair/typebox';
import { Actions, DomainError, Refusal, Uuid } from '@aptic/contracts';
import { actionRoute, actorOf, listRoute, sendDocument, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { listServices } from './db/referentiel.ts';
import { findPlace, listPlaces, type PlaceStatus } from './db/places.ts';
import { changeOffer, listOffers, publishOffer, withdrawOffer } from './db/offers.ts';
import { nearbyPlaces } from './db/nearby.ts';
import { exportLieux } from './db/exports.ts';
import { pdfPrinter, sheetPrinter } from './documents/print.ts';
import { diagnosisRoutes } from './diagnosis-http.ts';
import { importRoutes } from './imports/http.ts';
import { OfferView, PlaceView } from './views.ts';

const Id = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const staff = ['support'] as const;
// Number, not Integer: 10.5 reaches the domain, which refuses it with its own French message.
const Price = Type.Optional(Type.Number());
const Duration = Type.Optional(Type.Number());
const NewOffer = Type.Object(
  {
    serviceCode: Type.String({ minLength: 1, maxLength: 100 }),
    priceCents: Price,
    durationMinutes: Duration,
    group: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const OfferChange = Type.Object(
  { priceCents: Price, durationMinutes: Duration, group: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const PlacesFilters = {
  departement: Type.Optional(Type.String({ maxLength: 3 })),
  status: Type.Optional(Type.Union(['not_qualified', 'qualified', 'suspended', 'revoked'].map((s) => Type.Literal(s)))),
  warning: Type.Optional(Type.Boolean({ description: 'only places the last import warned about' })),
};
const nearby = Actions['catalogue.nearbyPlaces'];

/** Catalogue's staff endpoints: référentiel, directory, offers, service sheets, search, open data. */
export function catalogueRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.get(
    '/referentiel',
    { config: { roles: staff }, schema: { summary: 'The national service référentiel (current version)' } },
    () => listServices(ctx.db),
  );

  listRoute(
    app,
    '/places',
    { roles: staff, summary: 'The directory: imported and qualified places', filters: PlacesFilters },
    ({ departement, status, warning }, { limit, offset }) => {
      const filter = {
        ...(departement ? { departementCode: departement } : {}),
        ...(status ? { status: status as PlaceStatus } : {}),
        ...(warning ? { warning } : {}),
      };
      return listPlaces(ctx.db, filter, limit, offset);
    },
  );
  app.get(
    '/places/:id',
    {
      config: { roles: staff },
      schema: { summary: 'A place of the directory', params: Id, response: { 200: PlaceView, 404: Refusal } },
    },
    async (request) => (await findPlace(ctx.db, request.params.id)) as never,
  );
  app.get(
    '/places/:id/offers',
    {
      config: { roles: staff },
      schema: {
        summary: 'A place’s offers (history=true: withdrawn versions too)',
        params: Id,
        querystring: Type.Object({ history: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request) => {
      await findPlace(ctx.db, request.params.id);
      return listOffers(ctx.db, request.params.id, request.query.history ?? false);
    },
  );
  actionRoute(
    app,
    ctx,
    '/places/:id/offers',
    {
      roles: staff,
      summary: 'Offer a service of the référentiel (price default 10 €)',
      body: NewOffer,
      response: { 201: OfferView, ...errors },
    },
    publishOffer,
  );
  app.put(
    '/offers/:id',
    {
      config: { roles: staff },
      schema: {
        summary: 'Change an offer: publishes a new version, withdraws this one',
        params: Id,
        body: OfferChange,
        response: { 200: OfferView, ...errors },
      },
    },
    async (request) =>
      (await ctx.transaction((tx, emit) =>
        changeOffer(tx, emit, request.params.id, request.body, actorOf(request)),
      )) as never,
  );
  app.delete(
    '/offers/:id',
    {
      config: { roles: staff },
      schema: { summary: 'Withdraw an offer', params: Id, response: { 200: OfferView, ...errors } },
    },
    async (request) => (await ctx.transaction((tx, emit) => withdrawOffer(tx, emit, request.params.id))) as never,
  );

  const render = pdfPrinter(ctx);
  const printSheet = sheetPrinter(ctx, render);
  app.get(
    '/places/:id/service-sheet.pdf',
    {
      config: { roles: staff },
      schema: {
        summary: 'The place’s service sheet (barcodes to scan at the kiosk)',
        params: Id,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const sheet = await printSheet(request.params.id);
      return sendDocument(reply, 'pdf', 'inline', sheet.filename, sheet.pdf);
    },
  );

  app.get(
    '/nearby',
    {
      config: { roles: ['support', 'funder'] },
      schema: {
        summary:
          'Qualified places nearest a commune or coordinates (qualified=false: directory places not qualified, prospects)',
        querystring: nearby.params,
        response: { 200: nearby.response, ...errors },
      },
    },
    (request) => {
      const { latitude, longitude } = request.query;
      if ((latitude === undefined) !== (longitude === undefined))
        throw new DomainError('nearby_origin_incomplete', 'Donnez la latitude et la longitude ensemble.', {
          status: 422,
          field: latitude === undefined ? 'latitude' : 'longitude',
        });
      return nearbyPlaces(ctx.db, request.query);
    },
  );

  importRoutes(app, ctx);
  diagnosisRoutes(app, ctx, render);
  const ExportQuery = Type.Object(
    { scope: Type.Optional(Type.Union([Type.Literal('qualified'), Type.Literal('directory')])) },
    { additionalProperties: false },
  );
  app.get(
    '/exports/lieux.json',
    {
      config: { roles: staff },
      schema: {
        summary:
          'Places in the national "lieux de médiation numérique" schema (v1): qualified (default) or the whole directory',
        querystring: ExportQuery,
      },
    },
    (request) => exportLieux(ctx.db, request.query.scope),
  );
}
