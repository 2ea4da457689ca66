import { Type } from '@sinclair/typebox';
import { FunderKind, Refusal, Siret, Uuid } from '@aptic/contracts';
import type { AdminApp, ServiceContext } from '@aptic/runtime';
import { createFunder, findFunder } from './db/funders.ts';

const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    postalCode: Type.String({ pattern: '^[0-9]{5}$' }),
    city: Type.String({ minLength: 1, maxLength: 120 }),
  },
  { additionalProperties: false },
);
const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
    role: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const NewFunderBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: FunderKind,
    siret: Siret,
    publicProcurement: Type.Optional(Type.Boolean()),
    billingAddress: Type.Optional(Address),
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
  billingAddress: Type.Union([Address, Type.Null()]),
  contacts: Type.Array(Contact),
  createdAt: Type.String(),
});

/** Ordering's staff endpoints. */
export function orderingRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.post(
    '/funders',
    {
      config: { roles: ['support', 'finance'] },
      schema: { summary: 'Register a funder (commanditaire)', body: NewFunderBody, response: { 201: FunderView, 409: Refusal, 422: Refusal } },
    },
    async (request, reply) => reply.status(201).send(await ctx.transaction((tx, emit) => createFunder(tx, emit, request.body)) as never),
  );
  app.get(
    '/funders/:id',
    { config: { roles: ['support', 'finance', 'funder'] }, schema: { summary: 'A funder', params: Type.Object({ id: Uuid }), response: { 200: FunderView } } },
    async (request) => {
      const funder = await findFunder(ctx.db, request.params.id);
      return funder as never;
    },
  );
}
