import { Type } from '@sinclair/typebox';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, Refusal, Uuid } from '@aptic/contracts';
import {
  actorOf,
  actionRoute,
  assertScope,
  businessDate,
  listRoute,
  type AdminApp,
  type ServiceContext,
} from '@aptic/runtime';
import { asc, eq } from 'drizzle-orm';
import { blockCarnet, findPrintOrder, orderStatus, releaseCarnets } from './db/issuance.ts';
import {
  advanceJob,
  answerProof,
  findJob,
  findProof,
  listJobs,
  requeueJob,
  sendProof,
  type PrintJob,
} from './db/proofs.ts';
import { assignJob, createPartner, listPartners, partnerOfOrder } from './db/partners.ts';
import { PrintJobStatuses, type PrintJobStatus } from './domain/print-job.ts';
import { printFileRenderer } from './db/render.ts';
import { mailingRoutes } from './mailing-http.ts';
import { distributionRoutes } from './distribution-http.ts';
import { uploadLogo } from './db/logos.ts';
import { proofs } from './db/schema.ts';

const OrderId = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };
const CarnetNumbers = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 });

const Id = Type.Object({ id: Uuid });
const unknownOrder = () => new DomainError('unknown_order', 'Commande inconnue.', { status: 404 });
const unknownProof = () => new DomainError('unknown_proof', 'BAT inconnu.', { status: 404 });
const ProofView = Type.Object({
  id: Uuid,
  orderId: Uuid,
  version: Type.Integer(),
  status: Type.String(),
  sentOn: Type.String(),
  answerDueOn: Type.String(),
  answeredBy: Type.Union([Type.String(), Type.Null()]),
  comments: Type.Union([Type.String(), Type.Null()]),
});
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);
const JobsFilters = {
  status: Type.Optional(Type.Union(PrintJobStatuses.map((s) => Type.Literal(s)))),
  orderId: Type.Optional(Uuid),
};
const JobView = Type.Object({
  id: Uuid,
  orderId: Uuid,
  status: Type.String(),
  partnerId: Nullable(Uuid),
  approvedOn: Type.String(),
  expectedDeliveryOn: Type.String(),
  carrier: Nullable(Type.String()),
  tracking: Nullable(Type.String()),
  deliveryPoint: Nullable(Type.String()),
  fileBytes: Nullable(Type.Integer()),
  filePages: Nullable(Type.Integer()),
  fileSha256: Nullable(Type.String()),
  renderAttempts: Type.Integer(),
  renderError: Nullable(Type.String()),
});
const AnswerView = Type.Object({ proof: ProofView, job: Type.Optional(JobView) });
const Approval = Type.Object(
  { comments: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
const Rejection = Type.Object(
  { comments: Type.String({ minLength: 3, maxLength: 2000 }) },
  { additionalProperties: false },
);
const Shipment = Type.Object(
  {
    carrier: Type.String({ minLength: 1, maxLength: 100 }),
    tracking: Type.String({ minLength: 1, maxLength: 100 }),
    deliveryPoint: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
const NoBody = Type.Object({}, { additionalProperties: false });

/** Proofs (BAT): sent by staff, answered by the funder (or staff on its behalf). */
function proofRoutes(app: AdminApp, ctx: ServiceContext): void {
  actionRoute(
    app,
    ctx,
    '/orders/:id/proofs',
    { roles: ['support'], summary: 'Send a proof (BAT) of a paid order', response: { 201: ProofView, ...errors } },
    (tx, _emit, id, _body, actor) => sendProof(tx, id, businessDate(), actor),
  );
  app.get(
    '/orders/:id/proofs',
    {
      config: { roles: ['support', 'funder'] },
      schema: { summary: 'An order’s proofs', params: OrderId, response: { 200: Type.Array(ProofView), 404: Refusal } },
    },
    async (request) => {
      const order = await findPrintOrder(ctx.db, request.params.id);
      assertScope(request, { funder: order.funderId }, unknownOrder);
      return ctx.db.select().from(proofs).where(eq(proofs.orderId, request.params.id)).orderBy(asc(proofs.version));
    },
  );
  const answer = async (request: FastifyRequest, id: string, approved: boolean, comments: string | undefined) => {
    assertScope(request, { funder: (await findProof(ctx.db, id)).funderId }, unknownProof);
    return ctx.transaction((tx) => answerProof(tx, id, { approved, comments }, businessDate(), actorOf(request)));
  };
  app.post(
    '/proofs/:id/approval',
    {
      config: { roles: ['support', 'funder'] },
      schema: {
        summary: 'Approve a proof: printing starts',
        params: Id,
        body: Approval,
        response: { 200: AnswerView, ...errors },
      },
    },
    (request) => answer(request, request.params.id, true, request.body.comments),
  );
  app.post(
    '/proofs/:id/rejection',
    {
      config: { roles: ['support', 'funder'] },
      schema: {
        summary: 'Reject a proof, with comments',
        params: Id,
        body: Rejection,
        response: { 200: AnswerView, ...errors },
      },
    },
    (request) => answer(request, request.params.id, false, request.body.comments),
  );
}

/** Serves a rendered file, whole or by byte range (a print partner resumes a large download). */
async function sendFile(request: FastifyRequest, reply: FastifyReply, job: PrintJob) {
  if (!job.file || job.fileBytes === null)
    throw new DomainError('print_file_not_ready', 'Le fichier d’impression n’est pas encore prêt.', { status: 409 });
  const size = job.fileBytes;
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  reply
    .header('accept-ranges', 'bytes')
    .header('x-checksum-sha256', job.fileSha256!)
    .header('content-disposition', `attachment; filename="${job.orderId}.pdf"`)
    .type('application/pdf');
  if (!range) return reply.header('content-length', size).send(createReadStream(job.file));
  const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  if (start > end || start >= size)
    return reply
      .status(416)
      .header('content-range', `bytes */${size}`)
      .send({ code: 'range_not_satisfiable', message: 'Plage d’octets hors du fichier.' });
  return reply
    .status(206)
    .header('content-range', `bytes ${start}-${end}/${size}`)
    .header('content-length', end - start + 1)
    .send(createReadStream(job.file, { start, end }));
}

const unknownJob = () => new DomainError('unknown_print_job', 'Travail d’impression inconnu.', { status: 404 });
const PartnerView = Type.Object({ id: Uuid, name: Type.String() });

/** Print partners, and the jobs staff assign them. */
function partnerRoutes(app: AdminApp, ctx: ServiceContext): void {
  app.post(
    '/print-partners',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Register a print partner (then issue its tokens with printPartnerId)',
        body: Type.Object({ name: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: PartnerView, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await ctx.transaction((tx) => createPartner(tx, request.body.name, actorOf(request)))),
  );
  app.get(
    '/print-partners',
    {
      config: { roles: ['support'] },
      schema: { summary: 'Print partners', response: { 200: Type.Array(PartnerView) } },
    },
    () => listPartners(ctx.db),
  );
  app.post(
    '/print-jobs/:id/requeue',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Queue a failed print job again (its file is rendered anew)',
        params: Id,
        body: NoBody,
        response: { 200: JobView, ...errors },
      },
    },
    (request) => ctx.transaction((tx, emit) => requeueJob(tx, emit, request.params.id, actorOf(request))),
  );
  app.post(
    '/print-jobs/:id/assignment',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Assign a print job (not yet printed) to a print partner',
        params: Id,
        body: Type.Object({ partnerId: Uuid }, { additionalProperties: false }),
        response: { 200: JobView, ...errors },
      },
    },
    (request) => ctx.transaction((tx) => assignJob(tx, request.params.id, request.body.partnerId, actorOf(request))),
  );
}

/** The print partner's surface: its own jobs, their print-ready files, then printed, shipped, delivered (which releases the passes). */
function printJobRoutes(app: AdminApp, ctx: ServiceContext): void {
  const roles = ['print-partner', 'support'] as const;
  const files = printFileRenderer(ctx, join(ctx.config.dataDir, 'print'));
  ctx.every('print-render', 2_000, files.renderNext);
  /** The job, if the caller may see it: another partner's job answers 404. */
  const visibleJob = async (request: FastifyRequest, id: string) => {
    const job = await findJob(ctx.db, id);
    assertScope(request, { 'print-partner': job.partnerId }, unknownJob);
    return job;
  };
  const advance = async (request: FastifyRequest, id: string, to: PrintJobStatus, details: object) => {
    await visibleJob(request, id);
    return ctx.transaction((tx, emit) => advanceJob(tx, emit, id, to, details, actorOf(request)));
  };
  app.get(
    '/print-jobs/:id/progress',
    { config: { roles }, schema: { summary: 'Rendering progress of a print job’s file', params: Id } },
    async (request) => {
      const job = await visibleJob(request, request.params.id);
      return { status: job.status, ...(files.progress(job.id) ?? {}) };
    },
  );
  app.get(
    '/print-jobs/:id/pdf',
    {
      config: { roles },
      schema: {
        summary: 'The print-ready PDF (Range requests; X-Checksum-SHA256)',
        params: Id,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => sendFile(request, reply, await visibleJob(request, request.params.id)),
  );
  listRoute(
    app,
    '/print-jobs',
    {
      roles,
      summary: 'Print jobs (a print partner’s own) by status or order, oldest first',
      filters: JobsFilters,
      item: JobView,
    },
    (query, page, { scopeId }) => listJobs(ctx.db, { ...query, partnerId: scopeId }, page),
  );
  app.post(
    '/print-jobs/:id/printed',
    {
      config: { roles },
      schema: { summary: 'The carnets are printed', params: Id, body: NoBody, response: { 200: JobView, ...errors } },
    },
    (request) => advance(request, request.params.id, 'printed', {}),
  );
  app.post(
    '/print-jobs/:id/shipped',
    {
      config: { roles },
      schema: {
        summary: 'Shipped: carrier, tracking, delivery point',
        params: Id,
        body: Shipment,
        response: { 200: JobView, ...errors },
      },
    },
    (request) => advance(request, request.params.id, 'shipped', request.body),
  );
  app.post(
    '/print-jobs/:id/delivered',
    {
      config: { roles },
      schema: {
        summary: 'Received at the delivery point: the passes become redeemable',
        params: Id,
        body: NoBody,
        response: { 200: JobView, ...errors },
      },
    },
    (request) => advance(request, request.params.id, 'delivered', {}),
  );
}

/** Printing's staff and print-partner endpoints: issued passes, proofs, print jobs, release, blocking. */
/** Logos bought with the order, uploaded as the image itself (PNG, JPEG or SVG, 5 MB at most). */
function logoRoutes(app: AdminApp, ctx: ServiceContext): void {
  for (const mime of ['image/png', 'image/jpeg', 'image/svg+xml']) {
    app.addContentTypeParser(mime, { parseAs: 'buffer', bodyLimit: 6 * 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
  }
  app.put(
    '/orders/:id/logos/:slot',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Upload the logo printed on passes or on the cover',
        params: Type.Object({ id: Uuid, slot: Type.Union([Type.Literal('pass'), Type.Literal('cover')]) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body))
        throw new DomainError('invalid_logo', 'Envoyer le logo lui-même (PNG, JPEG ou SVG) avec son Content-Type.', {
          status: 415,
          field: `logo_${request.params.slot}`,
        });
      await ctx.transaction((tx) =>
        uploadLogo(
          tx,
          request.params.id,
          request.params.slot,
          request.headers['content-type'] ?? '',
          body,
          actorOf(request),
        ),
      );
      return reply.status(204).send(null);
    },
  );
}

export function printingRoutes(app: AdminApp, ctx: ServiceContext): void {
  logoRoutes(app, ctx);
  proofRoutes(app, ctx);
  mailingRoutes(app, ctx);
  distributionRoutes(app, ctx);
  partnerRoutes(app, ctx);
  printJobRoutes(app, ctx);
  app.get(
    '/orders/:id',
    {
      config: { roles: ['support', 'finance', 'print-partner'] },
      schema: { summary: 'An order’s carnets: issued, released, blocked', params: OrderId },
    },
    async (request) => {
      assertScope(request, { 'print-partner': await partnerOfOrder(ctx.db, request.params.id) }, unknownOrder);
      return orderStatus(ctx.db, request.params.id);
    },
  );
  app.post(
    '/orders/:id/release',
    {
      // Delivery of the print job releases its passes; this is staff's decision otherwise (carnets handed out
      // by hand, a delivery confirmed by phone), with its reason in the audit trail. Never a print partner's.
      config: { roles: ['support'] },
      schema: {
        summary: 'Staff decision: some or all carnets are released before their print job is delivered',
        params: OrderId,
        body: Type.Object(
          { carnetNumbers: Type.Optional(CarnetNumbers), reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ released: Type.Array(Type.Integer()) }), ...errors },
      },
    },
    async (request) => ({
      released: await ctx.transaction((tx, emit) =>
        releaseCarnets(tx, emit, request.params.id, request.body, actorOf(request)),
      ),
    }),
  );
  app.post(
    '/carnets/:number/block',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Block a lost or stolen carnet (or some of its passes)',
        params: Type.Object({ number: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            reason: Type.String({ minLength: 3, maxLength: 500 }),
            positions: Type.Optional(
              Type.Array(Type.Integer({ minimum: 1, maximum: 10 }), { minItems: 1, maxItems: 10 }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ blockedPasses: Type.Integer() }), ...errors },
      },
    },
    async (request) => ({
      blockedPasses: (
        await ctx.transaction((tx, emit) =>
          blockCarnet(tx, emit, request.params.number, request.body, actorOf(request)),
        )
      ).length,
    }),
  );
}
