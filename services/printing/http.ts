import { Type } from '@sinclair/typebox';
import { Refusal, Uuid } from '@aptic/contracts';
import { actorOf, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { eq, asc } from 'drizzle-orm';
import { blockCarnet, findPrintOrder, orderStatus, releaseCarnets } from './db/issuance.ts';
import { passes } from './db/schema.ts';

const OrderId = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const CarnetNumbers = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 });

/** Printing's staff and print-partner endpoints: issued passes, release on delivery, blocking. */
export function printingRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.get('/orders/:id', { config: { roles: ['support', 'finance', 'print-partner'] }, schema: { summary: 'An order’s carnets: issued, released, blocked', params: OrderId } }, (request) => orderStatus(ctx.db, request.params.id));
  app.get(
    '/orders/:id/passes',
    // Codes are bearer instruments: only admins and print partners (who print them) see them.
    { config: { roles: ['print-partner'] }, schema: { summary: 'The pass codes of an order, by carnet', params: OrderId } },
    async (request) => {
      await findPrintOrder(ctx.db, request.params.id);
      return ctx.db.select({ carnetNumber: passes.carnetNumber, position: passes.position, code: passes.code, blocked: passes.blockedAt }).from(passes).where(eq(passes.orderId, request.params.id)).orderBy(asc(passes.carnetNumber), asc(passes.position));
    },
  );
  app.post(
    '/orders/:id/release',
    {
      config: { roles: ['support', 'print-partner'] },
      schema: { summary: 'Delivery received (or carnets handed out): their passes become redeemable', params: OrderId, body: Type.Object({ carnetNumbers: Type.Optional(CarnetNumbers) }, { additionalProperties: false }), response: { 200: Type.Object({ released: Type.Array(Type.Integer()) }), ...errors } },
    },
    async (request) => ({ released: await ctx.transaction((tx, emit) => releaseCarnets(tx, emit, request.params.id, request.body.carnetNumbers, actorOf(request))) }),
  );
  app.post(
    '/carnets/:number/block',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Block a lost or stolen carnet (or some of its passes)',
        params: Type.Object({ number: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }), positions: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 10 }), { minItems: 1, maxItems: 10 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ blockedPasses: Type.Integer() }), ...errors },
      },
    },
    async (request) => ({ blockedPasses: (await ctx.transaction((tx, emit) => blockCarnet(tx, emit, request.params.number, request.body, actorOf(request)))).length }),
  );
}
