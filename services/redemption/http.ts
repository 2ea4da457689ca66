import { Type } from '@sinclair/typebox';
import { BusinessDate, DenialReason, DomainError, Refusal, ScanMessage, Uuid, Verdict } from '@aptic/contracts';
import { actorOf, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { cancelRedemption } from './db/cancellations.ts';
import { findRedemption, listConflicts, searchScans, serviceActView } from './db/search.ts';
import { processScan } from './db/scans.ts';

const Id = Type.Object({ id: Uuid });
const RedemptionView = Type.Object({
  id: Uuid,
  passId: Uuid,
  orderId: Uuid,
  carnetNumber: Type.Integer(),
  placeId: Uuid,
  kioskId: Uuid,
  serviceActId: Uuid,
  faceValueCents: Type.Integer(),
  scannedAt: Type.String(),
  lateUpload: Type.Boolean(),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
});
const redemptionView = (r: Awaited<ReturnType<typeof findRedemption>>) => ({
  id: r.id,
  passId: r.passId,
  orderId: r.orderId,
  carnetNumber: r.carnetNumber,
  placeId: r.placeId,
  kioskId: r.kioskId,
  serviceActId: r.serviceActId,
  faceValueCents: r.faceValueCents,
  scannedAt: r.scannedAt.toISOString(),
  lateUpload: r.lateUpload,
  cancelledAt: r.cancelledAt?.toISOString() ?? null,
  cancelReason: r.cancelReason,
});
const staff = ['support', 'finance'] as const;
const ScanQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ pattern: '^[0-9]{8,24}$' })),
    carnet: Type.Optional(Type.Integer({ minimum: 1 })),
    placeId: Type.Optional(Uuid),
    kioskId: Type.Optional(Uuid),
    reason: Type.Optional(DenialReason),
    from: Type.Optional(BusinessDate),
    to: Type.Optional(BusinessDate),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** Redemption's staff endpoints: search scans, look at a service act, cancel a redemption. */
export function redemptionRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.get(
    '/scans',
    {
      config: { roles: staff },
      schema: { summary: 'Scans by pass, carnet, place, kiosk, reason, date', querystring: ScanQuery },
    },
    (request) => searchScans(ctx.db, request.query),
  );
  app.get(
    '/redemptions/:id',
    {
      config: { roles: staff },
      schema: { summary: 'A redemption', params: Id, response: { 200: RedemptionView, 404: Refusal } },
    },
    async (request) => redemptionView(await findRedemption(ctx.db, request.params.id)),
  );
  app.post(
    '/redemptions/:id/cancellation',
    {
      config: { roles: staff },
      schema: {
        summary: 'Cancel a redemption (until its month is settled)',
        params: Id,
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: RedemptionView, 404: Refusal, 409: Refusal },
      },
    },
    async (request) =>
      redemptionView(
        await ctx.transaction((tx, emit) =>
          cancelRedemption(
            tx,
            emit,
            request.params.id,
            { kind: 'staff', reason: request.body.reason },
            actorOf(request),
          ),
        ),
      ),
  );
  app.get(
    '/service-acts/:id',
    {
      config: { roles: staff },
      schema: { summary: 'A service act: price, passes, rest paid by the beneficiary', params: Id },
    },
    (request) => serviceActView(ctx.db, request.params.id),
  );
  // Distributed kiosks have their NATS credential, bounded per kiosk: scans over HTTP only where there is no NATS.
  if (ctx.config.mode === 'embedded') localKioskRoutes(app, ctx);
  app.get(
    '/conflicts',
    { config: { roles: staff }, schema: { summary: 'Offline scans that met a later redemption: who won' } },
    () => listConflicts(ctx.db),
  );
}

/**
 * A scan over HTTP, for a kiosk with no NATS: the embedded mode's terminal kiosk (the demo), and
 * only there. Same processing, same verdict as through JetStream.
 */
function localKioskRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.post(
    '/kiosks/:id/scans',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Judge one scan sent over HTTP (embedded mode’s kiosk)',
        params: Id,
        body: ScanMessage,
        response: { 200: Verdict, 400: Refusal, 422: Refusal },
      },
    },
    async (request) => {
      if (request.body.kioskId !== request.params.id)
        throw new DomainError('kiosk_mismatch', 'Le scan ne vient pas de cette borne.', {
          status: 422,
          field: 'kioskId',
        });
      return ctx.transaction((tx, emit) => processScan(tx, emit, request.body));
    },
  );
}
