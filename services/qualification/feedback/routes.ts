/**
 * The public rating page (avis), served by qualification, which owns the quality process: no
 * account, no cookie, no script. A beneficiary arrives with the feedback code of a pass's stub
 * (typed, or in the QR code's address); printing says which pass the code names, the redemption
 * events say which act the pass paid. Tries are limited per address and per code prefix.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, feedbackCodePrefix, readFeedbackCode, type ActionResponse } from '@aptic/contracts';
import type { AdminApp, ServiceContext } from '@aptic/runtime';
import { readRatingForm } from '../domain/rating.ts';
import { actOfPass, saveRating, type RatedAct } from '../db/ratings.ts';
import {
  ADDRESS_LIMIT,
  PREFIX_FAILURE_LIMIT,
  addressBucket,
  attemptsOf,
  countAttempt,
  prefixBucket,
} from '../db/attempts.ts';
import { STYLESHEET, actPage, formView, renderPage, type PageView } from './view.ts';

/** A refusal of the page: its HTTP status and the page that says it. */
class PageRefusal extends Error {
  readonly status: number;
  readonly view: PageView;
  constructor(status: number, view: PageView) {
    super(view.refusal);
    this.status = status;
    this.view = view;
  }
}

const entryPage = (value = '', extra: Partial<PageView> = {}): PageView => ({
  state: 'enter',
  title: 'Donnez votre avis',
  text: 'Vous avez payé un service avec un pass numérique ? Dites-nous ce que vous en avez pensé : cela aide à améliorer l’accompagnement.',
  entry: { value, invalid: extra.refusal !== undefined },
  ...extra,
});

const refuseCode = (status: number, refusal: string, problem: string, value: string) =>
  new PageRefusal(status, entryPage(value, { state: refusal, title: 'Ce code ne convient pas', refusal, problem }));

const tooMany = (refusal: string, problem: string) =>
  new PageRefusal(429, { state: 'too_many_attempts', title: 'Trop d’essais', refusal, problem });

/** Rate limit, then the pass the code names (printing checks it), or a refusal page. */
async function passOf(ctx: ServiceContext, request: FastifyRequest, typed: string) {
  if ((await countAttempt(ctx.db, addressBucket(request.ip))) > ADDRESS_LIMIT)
    throw tooMany(
      'too_many_attempts',
      'Trop d’essais depuis votre connexion. Par sécurité, attendez un quart d’heure avant de réessayer.',
    );
  const reading = readFeedbackCode(typed);
  if (!reading.ok && reading.reason === 'malformed')
    throw refuseCode(
      400,
      'malformed_code',
      'Ce code n’a pas la bonne forme : il compte 15 caractères, chiffres et lettres, en trois groupes de cinq.',
      typed,
    );
  const prefix = prefixBucket(feedbackCodePrefix(reading.ok ? reading.code : typed.toUpperCase()));
  if ((await attemptsOf(ctx.db, prefix)) >= PREFIX_FAILURE_LIMIT)
    throw tooMany(
      'too_many_attempts_code',
      'Trop d’essais avec ce code. Par sécurité, attendez un quart d’heure avant de réessayer.',
    );
  const failed = async (refusal: PageRefusal) => {
    await countAttempt(ctx.db, prefix);
    return refusal;
  };
  if (!reading.ok)
    throw await failed(
      refuseCode(
        400,
        'misread_code',
        'Ce code comporte une erreur de saisie : vérifiez chaque caractère (la lettre O se lit 0, les lettres I et L se lisent 1).',
        typed,
      ),
    );
  const pass = await askPrinting(ctx, reading.code);
  if (!pass)
    throw await failed(
      refuseCode(
        404,
        'unknown_code',
        'Ce code ne correspond à aucun pass. Vérifiez-le sur le talon de votre pass.',
        typed,
      ),
    );
  return { code: reading.code, passId: pass.passId };
}

async function askPrinting(ctx: ServiceContext, code: string): Promise<ActionResponse<'printing.feedbackPass'>> {
  try {
    return await ctx.broker.call('printing.feedbackPass', { code });
  } catch {
    throw new PageRefusal(503, {
      state: 'unavailable',
      title: 'Service momentanément indisponible',
      refusal: 'unavailable',
      problem: 'Nous ne pouvons pas vérifier votre code pour le moment. Réessayez dans quelques minutes.',
    });
  }
}

const notRedeemed = (code: string): PageView => ({
  state: 'not_redeemed',
  title: 'Ce pass n’a pas encore servi',
  refusal: 'not_redeemed',
  code,
  text: 'Ce pass n’a pas encore été utilisé pour un service, ou son passage a été annulé. Une fois le service rendu dans un lieu de médiation numérique, revenez ici avec le même code pour donner votre avis. Merci !',
});

function send(reply: FastifyReply, status: number, view: PageView) {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderPage(view));
}

type PageResult = { status: number; view: PageView };

async function page(reply: FastifyReply, work: () => Promise<PageResult | undefined>) {
  try {
    const result = await work();
    return result ? send(reply, result.status, result.view) : reply;
  } catch (err) {
    if (err instanceof PageRefusal) return send(reply, err.status, err.view);
    throw err;
  }
}

/**
 * What the page and its form start from: the rate limit, the code, its pass and the act it paid;
 * a pass not redeemed (yet, or any more) is said kindly, with `notRedeemedStatus`.
 */
function withAct(
  ctx: ServiceContext,
  request: FastifyRequest<{ Params: { code: string } }>,
  reply: FastifyReply,
  notRedeemedStatus: number,
  work: (code: string, act: RatedAct) => Promise<PageResult | undefined>,
) {
  return page(reply, async () => {
    const { code, passId } = await passOf(ctx, request, request.params.code);
    const act = await actOfPass(ctx.db, passId);
    return act ? work(code, act) : { status: notRedeemedStatus, view: notRedeemed(code) };
  });
}

export function feedbackRoutes(threshold: number) {
  return (app: AdminApp, ctx: ServiceContext): void => {
    void app.register(async (scope) => {
      // The form's body: small, URL-encoded, read by the platform's URLSearchParams.
      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 32_768 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      // The code is in the address: no page may pass it on in a Referer, nor be framed or run a script.
      scope.addHook('onSend', async (_request, reply) => {
        reply.header(
          'content-security-policy',
          "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
        reply.header('referrer-policy', 'no-referrer');
        reply.header('x-content-type-options', 'nosniff');
      });
      const hide = { hide: true };
      scope.get('/avis', { config: { public: true }, schema: hide }, (_request, reply) =>
        reply.status(301).header('location', 'avis/').send(),
      );
      scope.get('/avis/style.css', { config: { public: true }, schema: hide }, (_request, reply) =>
        reply
          .header('content-type', 'text/css; charset=utf-8')
          .header('cache-control', 'public, max-age=86400')
          .send(STYLESHEET),
      );
      scope.get<{ Querystring: { code?: string } }>(
        '/avis/',
        { config: { public: true }, schema: hide },
        (request, reply) => {
          const typed = typeof request.query.code === 'string' ? request.query.code.trim() : '';
          if (typed === '') return send(reply, 200, entryPage());
          const reading = readFeedbackCode(typed);
          return reply
            .status(303)
            .header('location', `./${encodeURIComponent(reading.ok ? reading.code : typed)}`)
            .send();
        },
      );
      scope.get<{ Params: { code: string }; Querystring: { enregistre?: string } }>(
        '/avis/:code',
        { config: { public: true }, schema: hide },
        (request, reply) =>
          withAct(ctx, request, reply, 200, async (code, act) => ({
            status: 200,
            view: actPage(code, act, new Date(), request.query.enregistre === '1'),
          })),
      );
      scope.post<{ Params: { code: string }; Body: Record<string, unknown> }>(
        '/avis/:code',
        { config: { public: true }, schema: hide },
        (request, reply) =>
          withAct(ctx, request, reply, 409, async (code, act) => {
            const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
            const read = readRatingForm(body);
            if (!read.ok)
              return {
                status: 422,
                view: {
                  ...actPage(code, act, new Date(), false),
                  state: 'form_errors',
                  refusal: 'invalid_rating',
                  notice: undefined,
                  form: formView(body, read.errors, act.rating !== null),
                },
              };
            try {
              await ctx.transaction((tx, emit) => saveRating(tx, emit, act, read.form, threshold));
            } catch (err) {
              if (!(err instanceof DomainError)) throw err;
              const view = actPage(code, act, new Date(), false);
              return {
                status: err.status,
                view: { ...view, refusal: err.code, problem: err.message, form: undefined },
              };
            }
            void reply.status(303).header('location', `./${code}?enregistre=1`).send();
            return undefined;
          }),
      );
    });
  };
}
