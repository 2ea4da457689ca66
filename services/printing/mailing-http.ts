import { Type } from '@sinclair/typebox';
import { DomainError, Refusal, Uuid, type ActionResponse } from '@aptic/contracts';
import type { FastifyRequest } from 'fastify';
import { actorOf, ask, assertScope, parseCsv, toCsv, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { readRecipients } from './domain/recipients.ts';
import { createMailing, findMailing, markSent, recipientsOf, type Mailing } from './db/mailings.ts';
import { findPrintOrder } from './db/issuance.ts';
import { partnerOfOrder } from './db/partners.ts';
import { renderLetters } from './documents/letters-pdf.ts';

const Id = Type.Object({ id: Uuid });
const errors = { 400: Refusal, 404: Refusal, 409: Refusal, 422: Refusal, 503: Refusal };
const MailingView = Type.Object({ id: Uuid, orderId: Uuid, status: Type.String(), recipients: Type.Integer() });
const MAX_FILE = 20 * 1024 * 1024;
type Nearby = ActionResponse<'catalogue.nearbyPlaces'>;

const mailingView = (m: Mailing) => ({ id: m.id, orderId: m.orderId, status: m.status, recipients: m.recipients });
const assertDraft = (m: Mailing) => {
  if (m.status !== 'draft')
    throw new DomainError('mailing_already_sent', 'Cet envoi est fait : les adresses ont été effacées.', {
      status: 409,
    });
};

/** Mailings of carnets to beneficiaries: addresses in, letters and mailing list out, addresses purged once sent. */
export function mailingRoutes(app: AdminApp, ctx: ServiceContext): void {
  /** The mailing, if the caller may see it: a print partner sees the mailings of the orders it prints. */
  const visibleMailing = async (request: FastifyRequest, id: string) => {
    const mailing = await findMailing(ctx.db, id);
    assertScope(
      request,
      { 'print-partner': await partnerOfOrder(ctx.db, mailing.orderId) },
      () => new DomainError('unknown_mailing', 'Envoi inconnu.', { status: 404 }),
    );
    return mailing;
  };
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_FILE }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/orders/:id/mailings',
    {
      config: { roles: ['support'] },
      schema: {
        summary: 'Beneficiaries’ addresses (CSV): a mailing, one carnet each',
        params: Id,
        response: { 201: MailingView, ...errors },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string')
        throw new DomainError('not_csv', 'Envoyer le fichier des adresses en CSV (Content-Type: text/csv).', {
          status: 415,
        });
      const csv = parseCsv(request.body);
      if (!csv.ok) throw new DomainError('invalid_addresses', csv.message, { status: 422, field: 'fichier' });
      const mailing = await ctx.transaction((tx) =>
        createMailing(tx, request.params.id, readRecipients(csv.rows), actorOf(request)),
      );
      return reply.status(201).send(mailingView(mailing));
    },
  );

  app.get(
    '/mailings/:id/letters.pdf',
    {
      config: { roles: ['support', 'print-partner'] },
      schema: { summary: 'The cover letters (mail-merge PDF)', params: Id, produces: ['application/pdf'] },
    },
    async (request, reply) => {
      const mailing = await visibleMailing(request, request.params.id);
      assertDraft(mailing);
      const order = await findPrintOrder(ctx.db, mailing.orderId);
      const recipients = await recipientsOf(ctx.db, mailing.id);
      const nearby = new Map<string, Nearby['places']>();
      for (const commune of new Set(recipients.map((r) => r.communeCode))) {
        // A catalogue node started after this one may not be known yet: the first ask gives discovery a moment.
        const answer = await ask(
          ctx.broker,
          'catalogue.nearbyPlaces',
          { communeCode: commune, limit: 3 },
          {
            discoveryMs: nearby.size === 0 ? 10_000 : 0,
            unavailable: () =>
              new DomainError(
                'catalogue_unavailable',
                'Le catalogue ne répond pas (lieux proches des destinataires) : réessayez dans un instant.',
                { status: 503 },
              ),
          },
        );
        nearby.set(commune, answer.places);
      }
      const letters = await renderLetters(
        await ctx.pdf(),
        {
          funderName: order.funderName,
          carnetSize: order.carnetSize,
          validFrom: order.rules.validFrom,
          validUntil: order.rules.validUntil,
        },
        recipients.map((r) => ({
          carnetNumber: r.carnetNumber,
          name: r.name!,
          line1: r.line1!,
          line2: r.line2,
          postalCode: r.postalCode!,
          city: r.city!,
          places: nearby.get(r.communeCode) ?? [],
        })),
      );
      return reply.type('application/pdf').send(letters);
    },
  );

  app.get(
    '/mailings/:id/list.csv',
    {
      config: { roles: ['support', 'print-partner'] },
      schema: { summary: 'The mailing list for the print partner: carnet and address', params: Id },
    },
    async (request, reply) => {
      const mailing = await visibleMailing(request, request.params.id);
      assertDraft(mailing);
      const lines = (await recipientsOf(ctx.db, mailing.id)).map((r) =>
        [r.carnetNumber, r.name, r.line1, r.line2, r.postalCode, r.city].map((v) => (v === null ? '' : String(v))),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .send(toCsv([['carnet', 'nom', 'adresse', 'complement', 'code_postal', 'ville'], ...lines]));
    },
  );

  app.post(
    '/mailings/:id/sent',
    {
      config: { roles: ['support', 'print-partner'] },
      schema: {
        summary: 'The mailing went out: addresses are erased',
        params: Id,
        response: { 200: MailingView, ...errors },
      },
    },
    async (request) => {
      await visibleMailing(request, request.params.id);
      return mailingView(await ctx.transaction((tx) => markSent(tx, request.params.id, actorOf(request))));
    },
  );
}
