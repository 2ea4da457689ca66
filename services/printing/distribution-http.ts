import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DomainError, Refusal, Uuid, parseBarcode } from '@aptic/contracts';
import {
  ask,
  actorOf,
  actionRoute,
  assertScope,
  listRoute,
  PageQuery,
  pageOf,
  type AdminApp,
  type ServiceContext,
} from '@aptic/runtime';
import {
  allocate,
  createPrescriber,
  findPrescriber,
  handOut,
  handOutsOf,
  listPrescribers,
  stockOf,
  type Prescriber,
} from './db/distribution.ts';

const Id = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal, 503: Refusal };
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const PrescriberBody = Type.Object(
  {
    name: Text(200),
    siret: Type.Optional(Type.String({ maxLength: 20 })),
    rna: Type.Optional(Type.String({ maxLength: 20 })),
    communeCode: Type.String({ maxLength: 10 }),
    contactName: Text(200),
    contactEmail: Type.String({ maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    contactPhone: Type.Optional(Text(30)),
    /** The médiation place this organisation also is (qualification's place id). */
    placeId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
const PrescriberView = Type.Object({
  id: Uuid,
  name: Type.String(),
  pivot: Type.String(),
  pivotKind: Type.String(),
  communeCode: Type.String(),
  contactName: Type.String(),
  contactEmail: Type.String(),
  contactPhone: Type.Union([Type.String(), Type.Null()]),
  placeId: Type.Union([Uuid, Type.Null()]),
});
const Stock = Type.Array(
  Type.Object({
    orderId: Uuid,
    allocated: Type.Integer(),
    handedOut: Type.Integer(),
    inStock: Type.Integer(),
    ranges: Type.Array(Type.Tuple([Type.Integer(), Type.Integer()])),
  }),
);
/** A carnet as scanned from its cover (`CAR-0000123`) or typed (its number). */
const CarnetCode = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 64 })]);
const HandOutBody = Type.Object(
  {
    orderId: Uuid,
    carnet: CarnetCode,
    publicCode: Type.Optional(Type.String({ maxLength: 64 })),
    /** The beneficiary's commune of residence (INSEE code): the only thing known of where they live. */
    communeCode: Type.Optional(Type.String({ maxLength: 10 })),
    /** The 5-pass carnet this one renews. */
    renewsCarnet: Type.Optional(CarnetCode),
  },
  { additionalProperties: false },
);
const HandOutView = Type.Object({
  id: Uuid,
  carnetNumber: Type.Integer(),
  orderId: Uuid,
  prescriberId: Uuid,
  handedOutAt: Type.String(),
  handedOutBy: Type.String(),
  publicCode: Type.Union([Type.String(), Type.Null()]),
  communeCode: Type.Union([Type.String(), Type.Null()]),
  renewsCarnetNumber: Type.Union([Type.Integer(), Type.Null()]),
});

const unknownPrescriber = () => new DomainError('unknown_prescriber', 'Prescripteur inconnu.', { status: 404 });
const roles = ['prescriber', 'support'] as const;

/** The carnet number a scan or a typed number names; anything else is refused. */
function carnetNumberOf(code: number | string, field: string): number {
  if (typeof code === 'number') return code;
  const value = code.trim();
  if (/^[0-9]{1,10}$/.test(value) && Number(value) >= 1) return Number(value);
  const barcode = parseBarcode(value);
  if (barcode.kind === 'carnet') return barcode.carnetNumber;
  throw new DomainError(
    'not_a_carnet_code',
    'Ce code n’est pas celui d’un carnet : scannez le code-barres de la couverture.',
    { status: 422, field },
  );
}

/** Prescripteurs (distribution network): their records, their stock by carnet ranges, the carnets they hand out. */
export function distributionRoutes(app: AdminApp, ctx: ServiceContext): void {
  /** The prescripteur, if the caller may see it: another prescripteur's answers 404. */
  const visible = async (request: FastifyRequest, id: string): Promise<Prescriber> => {
    assertScope(request, { prescriber: id }, unknownPrescriber);
    return findPrescriber(ctx.db, id);
  };
  const usage = async (orderId: string, carnetNumber: number) => {
    const answer = await ask(
      ctx.broker,
      'redemption.carnetUsage',
      { orderId, carnetNumber },
      {
        unavailable: () =>
          new DomainError(
            'usage_unavailable',
            'Impossible de savoir maintenant si les pass du carnet renouvelé ont servi : réessayez dans un instant.',
            { status: 503, field: 'renewsCarnet' },
          ),
      },
    );
    return answer.redeemed;
  };

  app.post(
    '/prescribers',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Register a prescripteur (then issue its tokens with prescriberId)',
        body: PrescriberBody,
        response: { 201: PrescriberView, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await ctx.transaction((tx) => createPrescriber(tx, request.body, actorOf(request)))),
  );
  listRoute(
    app,
    '/prescribers',
    { roles: ['support'], summary: 'Prescripteurs, by name', filters: {}, item: PrescriberView },
    (_query, page) => listPrescribers(ctx.db, page),
  );
  app.get(
    '/prescribers/:id',
    {
      config: { roles },
      schema: {
        summary: 'A prescripteur and its stock per order (a prescriber token: its own)',
        params: Id,
        response: { 200: Type.Object({ prescriber: PrescriberView, stock: Stock }), 404: Refusal },
      },
    },
    async (request) => ({
      prescriber: await visible(request, request.params.id),
      stock: await stockOf(ctx.db, request.params.id),
    }),
  );
  actionRoute(
    app,
    ctx,
    '/prescribers/:id/allocations',
    {
      roles: ['support'],
      summary: 'Put a range of an order’s carnets in the prescripteur’s stock',
      body: Type.Object(
        { orderId: Uuid, firstCarnet: Type.Integer({ minimum: 1 }), lastCarnet: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ id: Uuid, carnets: Type.Integer() }, { additionalProperties: true }), ...errors },
    },
    (tx, _emit, id, body, actor) => allocate(tx, id, body, actor),
  );
  app.post(
    '/prescribers/:id/hand-outs',
    {
      config: { roles },
      schema: {
        summary: 'A carnet handed out to a beneficiary (scanned): no name, address or birth date',
        params: Id,
        body: HandOutBody,
        response: { 201: HandOutView, ...errors },
      },
    },
    async (request, reply) => {
      await visible(request, request.params.id);
      const { carnet, renewsCarnet, ...rest } = request.body;
      const input = {
        ...rest,
        carnetNumber: carnetNumberOf(carnet, 'carnet'),
        ...(renewsCarnet === undefined ? {} : { renewsCarnetNumber: carnetNumberOf(renewsCarnet, 'renewsCarnet') }),
      };
      const record = await ctx.transaction((tx, emit) =>
        handOut(tx, emit, request.params.id, input, usage, actorOf(request)),
      );
      return reply.status(201).send({ ...record, handedOutAt: record.handedOutAt.toISOString() });
    },
  );
  app.get(
    '/prescribers/:id/hand-outs',
    {
      config: { roles },
      schema: {
        summary: 'The carnets a prescripteur handed out, newest first',
        params: Id,
        querystring: Type.Object({ orderId: Type.Optional(Uuid), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Type.Array(HandOutView), 404: Refusal },
      },
    },
    async (request) => {
      await visible(request, request.params.id);
      const rows = await handOutsOf(ctx.db, request.params.id, request.query, pageOf(request.query));
      return rows.map((r) => ({ ...r, handedOutAt: r.handedOutAt.toISOString() }));
    },
  );
}
