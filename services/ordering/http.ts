import { Type } from '@sinclair/typebox';
import {
  BusinessDate,
  CarnetSize,
  DomainError,
  FunderKind,
  Offer,
  PostalAddress,
  Refusal,
  Siret,
  Uuid,
} from '@aptic/contracts';
import {
  actionRoute,
  actorOf,
  assertScope,
  businessDate,
  listRoute,
  sendDocument,
  type AdminApp,
  type ServiceContext,
} from '@aptic/runtime';
import { createFunder, findFunder, listFunders, setFunderBilling } from './db/funders.ts';
import { changeRules, createQuote, findOrder, listOrders } from './db/orders.ts';
import { OrderStatuses } from './domain/lifecycle.ts';
import { acceptQuote, creditBalances, recordPayment } from './db/billing.ts';
import { sponsorKits } from './db/kit-sponsorships.ts';
import { loadOrderView } from './db/views.ts';
import { orderAudit } from './db/records.ts';
import { OrderView, QuoteView, quoteView } from './views.ts';
import { documentPrinter, type PrintedDocument } from './documents/print.ts';

const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
    role: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
/** A public buyer's code service (Chorus Pro): up to 100 characters, no spaces. */
const ServiceCode = Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$' });
const NewFunderBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: FunderKind,
    siret: Siret,
    publicProcurement: Type.Optional(Type.Boolean()),
    billingAddress: Type.Optional(PostalAddress),
    serviceCode: Type.Optional(ServiceCode),
    contacts: Type.Optional(Type.Array(Contact, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
const FunderView = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: Type.String(),
  siret: Type.String(),
  publicProcurement: Type.Boolean(),
  billingAddress: Type.Union([PostalAddress, Type.Null()]),
  serviceCode: Type.Union([Type.String(), Type.Null()]),
  contacts: Type.Array(Contact),
  createdAt: Type.String(),
});

const BillingBody = Type.Object(
  { billingAddress: PostalAddress, serviceCode: Type.Optional(Type.Union([ServiceCode, Type.Null()])) },
  { additionalProperties: false },
);

const FundersFilters = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  siret: Type.Optional(Siret),
};
const OrdersFilters = {
  status: Type.Optional(Type.Union(OrderStatuses.map((s) => Type.Literal(s)))),
  funderId: Type.Optional(Uuid),
};

const Codes = (maxItems: number) => Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems }));
const RulesBody = Type.Object(
  {
    validFrom: Type.Optional(BusinessDate),
    validUntil: Type.Optional(BusinessDate),
    perimeter: Type.Optional(
      Type.Object(
        { communes: Codes(5000), epcis: Codes(2000), departements: Codes(110) },
        { additionalProperties: false },
      ),
    ),
    placeTypes: Codes(50),
    serviceCategories: Codes(50),
    publics: Codes(50),
    activation: Type.Optional(Type.Union([Type.Literal('delivery'), Type.Literal('hand_out')])),
  },
  { additionalProperties: false },
);
const QuoteBody = Type.Object(
  {
    funderId: Uuid,
    offer: Offer,
    carnetSize: CarnetSize,
    // Bounds are the pricing's refusal (quantity_out_of_range) with its French message.
    carnets: Type.Integer(),
    options: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 }),
    rules: Type.Optional(RulesBody),
  },
  { additionalProperties: false },
);
const PaymentBody = Type.Object(
  {
    // Integer cents only: a payment in euros with decimals is refused by the schema.
    amountCents: Type.Integer({ minimum: 1, maximum: 100_000_000_000 }),
    receivedOn: BusinessDate,
    reference: Type.String({ minLength: 1, maxLength: 140 }),
  },
  { additionalProperties: false },
);
const SponsorshipBody = Type.Object(
  { placeIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }), from: BusinessDate, until: BusinessDate },
  { additionalProperties: false },
);
const SponsorshipView = Type.Object({
  id: Uuid,
  funderId: Uuid,
  placeIds: Type.Array(Uuid),
  fromDate: BusinessDate,
  untilDate: BusinessDate,
});
const Id = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const staff = ['support', 'finance'] as const;
const MAX_SIGNED_PDF = 10 * 1024 * 1024;

const unknownOrder = () => new DomainError('unknown_order', 'Commande ou devis inconnu.', { status: 404 });

/** Ordering's staff endpoints: funders, quotes, acceptance, payments, kit sponsorship. */
export function orderingRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.addContentTypeParser(
    'application/pdf',
    { parseAs: 'buffer', bodyLimit: MAX_SIGNED_PDF },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/funders',
    {
      config: { roles: staff },
      schema: {
        summary: 'Register a funder (commanditaire)',
        body: NewFunderBody,
        response: { 201: FunderView, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send((await ctx.transaction((tx, emit) => createFunder(tx, emit, request.body))) as never),
  );
  listRoute(
    app,
    '/funders',
    {
      roles: staff,
      summary: 'Funders by name (part of it) or SIRET, in name order',
      filters: FundersFilters,
      item: FunderView,
    },
    (query, page) => listFunders(ctx.db, query, page),
  );
  app.get(
    '/funders/:id',
    {
      config: { roles: [...staff, 'funder'] },
      schema: { summary: 'A funder', params: Id, response: { 200: FunderView, 404: Refusal } },
    },
    async (request) => {
      assertScope(
        request,
        { funder: request.params.id },
        () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 }),
      );
      return (await findFunder(ctx.db, request.params.id)) as never;
    },
  );
  app.put(
    '/funders/:id/billing',
    {
      config: { roles: staff },
      schema: {
        summary:
          'The funder’s billing address (required before an invoice) and, for a public buyer, its Chorus Pro service code',
        params: Id,
        body: BillingBody,
        response: { 200: FunderView, ...errors },
      },
    },
    async (request) => (await ctx.transaction((tx) => setFunderBilling(tx, request.params.id, request.body))) as never,
  );
  app.get(
    '/funders/:id/credit-notes',
    {
      config: { roles: [...staff, 'funder'] },
      schema: { summary: 'Credit notes (avoirs) and what is left on them', params: Id },
    },
    async (request) => {
      assertScope(
        request,
        { funder: request.params.id },
        () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 }),
      );
      await findFunder(ctx.db, request.params.id);
      return creditBalances(ctx.db, request.params.id);
    },
  );
  actionRoute(
    app,
    ctx,
    '/funders/:id/kit-sponsorships',
    {
      roles: staff,
      summary: 'The funder pays the kit subscription of these places',
      body: SponsorshipBody,
      response: { 201: SponsorshipView, ...errors },
    },
    sponsorKits,
  );

  app.post(
    '/quotes',
    {
      config: { roles: staff },
      schema: { summary: 'Price a quote (devis)', body: QuoteBody, response: { 201: QuoteView, ...errors } },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          quoteView(await ctx.transaction((tx) => createQuote(tx, request.body, businessDate(), actorOf(request)))),
        ),
  );
  app.post(
    '/quotes/:id/acceptance/signature',
    {
      config: { roles: staff },
      schema: {
        summary: 'Accept with the signed quote (body: the PDF, application/pdf)',
        params: Id,
        response: { 201: OrderView, ...errors },
      },
    },
    async (request, reply) => {
      const pdf = request.body as Buffer | undefined;
      if (!Buffer.isBuffer(pdf) || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
        throw new DomainError('not_a_pdf', 'Le devis signé doit être envoyé en PDF (Content-Type: application/pdf).', {
          status: 415,
        });
      }
      await ctx.transaction((tx, emit) =>
        acceptQuote(
          tx,
          emit,
          request.params.id,
          { method: 'signature', signedPdf: pdf },
          businessDate(),
          actorOf(request),
        ),
      );
      return reply.status(201).send(await loadOrderView(ctx.db, request.params.id));
    },
  );
  app.post(
    '/quotes/:id/acceptance/purchase-order',
    {
      config: { roles: staff },
      schema: {
        summary: 'Accept with a public purchase order (bon de commande)',
        params: Id,
        body: Type.Object(
          {
            reference: Type.String({ minLength: 1, maxLength: 100 }),
            /** numéro d'engagement juridique, printed and carried by the Factur-X invoices */
            engagementNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: OrderView, ...errors },
      },
    },
    async (request, reply) => {
      await ctx.transaction((tx, emit) =>
        acceptQuote(
          tx,
          emit,
          request.params.id,
          {
            method: 'purchase_order',
            reference: request.body.reference.trim(),
            engagementNumber: request.body.engagementNumber?.trim() || null,
          },
          businessDate(),
          actorOf(request),
        ),
      );
      return reply.status(201).send(await loadOrderView(ctx.db, request.params.id));
    },
  );

  listRoute(
    app,
    '/orders',
    {
      roles: [...staff, 'funder'],
      summary: 'Orders and quotes by status and funder, newest first (a funder: its own)',
      filters: OrdersFilters,
      item: QuoteView,
    },
    // A funder token lists its own orders only, whatever funderId it asks for.
    async (query, page, { scopeId }) =>
      (await listOrders(ctx.db, { status: query.status, funderId: scopeId ?? query.funderId }, page)).map(quoteView),
  );
  app.get(
    '/orders/:id',
    {
      config: { roles: [...staff, 'funder'] },
      schema: {
        summary: 'An order: quote, invoices, payments, redemptions',
        params: Id,
        response: { 200: OrderView, 404: Refusal },
      },
    },
    async (request) => {
      const order = await findOrder(ctx.db, request.params.id);
      assertScope(request, { funder: order.funderId }, unknownOrder);
      return loadOrderView(ctx.db, order.id);
    },
  );
  app.put(
    '/orders/:id/rules',
    {
      config: { roles: staff },
      schema: {
        summary: 'Change the usage rules (until paid)',
        params: Id,
        body: RulesBody,
        response: { 200: QuoteView, ...errors },
      },
    },
    async (request) =>
      quoteView(
        await ctx.transaction((tx) =>
          changeRules(tx, request.params.id, request.body, businessDate(), actorOf(request)),
        ),
      ),
  );
  app.post(
    '/orders/:id/payments',
    {
      config: { roles: ['finance'] },
      schema: {
        summary: 'Record a bank transfer received',
        params: Id,
        body: PaymentBody,
        response: { 201: OrderView, ...errors },
      },
    },
    async (request, reply) => {
      await ctx.transaction((tx, emit) =>
        recordPayment(tx, emit, request.params.id, request.body, businessDate(), actorOf(request)),
      );
      return reply.status(201).send(await loadOrderView(ctx.db, request.params.id));
    },
  );
  const printer = documentPrinter(ctx);
  const pdfRoute = (
    path: string,
    summary: string,
    print: (id: string) => Promise<PrintedDocument>,
    notFound: () => DomainError,
  ) =>
    app.get(
      path,
      { config: { roles: [...staff, 'funder'] }, schema: { summary, params: Id, produces: ['application/pdf'] } },
      async (request, reply) => {
        const document = await print(request.params.id);
        assertScope(request, { funder: document.funderId }, notFound);
        return sendDocument(reply, 'pdf', 'inline', document.filename, document.pdf);
      },
    );
  pdfRoute('/quotes/:id/pdf', 'The quote (devis) as a PDF', printer.quote, unknownOrder);
  pdfRoute(
    '/invoices/:id/pdf',
    'An invoice (facture) as a PDF',
    printer.invoice,
    () => new DomainError('unknown_invoice', 'Facture inconnue.', { status: 404 }),
  );
  pdfRoute(
    '/credit-notes/:id/pdf',
    'A credit note (avoir) as a PDF',
    printer.creditNote,
    () => new DomainError('unknown_credit_note', 'Avoir inconnu.', { status: 404 }),
  );

  app.get(
    '/orders/:id/audit',
    {
      config: { roles: staff },
      schema: { summary: 'Every change of the order, its invoices and payments', params: Id },
    },
    async (request) => {
      await findOrder(ctx.db, request.params.id);
      return orderAudit(ctx.db, request.params.id);
    },
  );
}
