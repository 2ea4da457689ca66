import { Type } from '@sinclair/typebox';
import { Actions, BusinessDate, DomainError, Refusal, Uuid } from '@aptic/contracts';
import {
  actionRoute,
  actorOf,
  assertScope,
  businessDate,
  ownerRoute,
  pageOf,
  PageQuery,
  sendDocument,
  type AdminApp,
  type ServiceContext,
} from '@aptic/runtime';
import { AccountKinds } from './domain/accounts.ts';
import { MONTH_PATTERN } from './domain/periods.ts';
import { PayoutStatuses } from './domain/payout.ts';
import {
  findPayout,
  listPayouts,
  listRuns,
  markExecuted,
  markRejected,
  payoutView,
  runFile,
  runPayouts,
} from './db/payouts.ts';
import { accountLines, balances, checkLedger } from './db/ledger.ts';
import { closePeriod, listPeriods, periodPlaces } from './db/periods.ts';
import { funderFigures, monthStatementLines, statementOf, statementsOf } from './db/statements.ts';
import { askPlaceRatings } from './db/ratings.ts';
import { statementHtml, statementsCsv } from './documents/statement.ts';
import type { SettlementSettings } from './settings.ts';

const finance = ['finance'] as const;
const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM (Europe/Paris)' });
const MonthParams = Type.Object({ month: Month });
const Account = Type.Union(AccountKinds.map((k) => Type.Literal(k)));
const CloseView = Type.Object({
  month: Type.String(),
  alreadyClosed: Type.Boolean(),
  closedAt: Type.String(),
  places: Type.Integer(),
  passCount: Type.Integer(),
  grossCents: Type.Integer(),
  feeCents: Type.Integer(),
  kitCents: Type.Integer(),
  netCents: Type.Integer(),
  heldCount: Type.Integer(),
});

export interface RouteDeps {
  settings: SettlementSettings;
  now: () => Date;
}

/** Settlement's admin endpoints (finance): periods and their close, the ledger and its check. */
export const settlementRoutes =
  (deps: RouteDeps) =>
  (app: AdminApp, ctx: ServiceContext): void => {
    payoutRoutes(deps)(app, ctx);
    placeRoutes(app, ctx);
    const { graceDays } = deps.settings;
    app.get(
      '/periods',
      { config: { roles: finance }, schema: { summary: 'Settlement periods (months) and their state' } },
      () => listPeriods(ctx.db, graceDays),
    );
    app.post(
      '/periods/:month/close',
      {
        config: { roles: finance },
        schema: {
          summary: 'Close a month (endossement): figures per place, payouts, period.closed',
          params: MonthParams,
          response: { 200: CloseView, 400: Refusal, 409: Refusal },
        },
      },
      (request) =>
        ctx.transaction((tx, emit) =>
          closePeriod(tx, emit, {
            month: request.params.month,
            today: businessDate(deps.now()),
            graceDays,
            actor: actorOf(request),
          }),
        ),
    );
    app.get(
      '/periods/:month/statements.csv',
      {
        config: { roles: finance },
        schema: { summary: 'Every place’s statement lines of a closed month, as CSV', params: MonthParams },
      },
      async (request, reply) => {
        const csv = statementsCsv(request.params.month, await monthStatementLines(ctx.db, request.params.month));
        return sendDocument(reply, 'csv', 'attachment', `releves-${request.params.month}.csv`, csv);
      },
    );
    app.get(
      '/periods/:month/places',
      {
        config: { roles: finance },
        schema: { summary: 'Each place’s figures of a closed month', params: MonthParams },
      },
      (request) => periodPlaces(ctx.db, request.params.month),
    );

    app.get(
      '/ledger/balances',
      {
        config: { roles: finance },
        schema: {
          summary: 'Balances per account and owner (derived from the lines)',
          querystring: Type.Object(
            { account: Type.Optional(Account), owner: Type.Optional(Uuid), funderId: Type.Optional(Uuid) },
            { additionalProperties: false },
          ),
        },
      },
      (request) => balances(ctx.db, request.query),
    );
    app.get(
      '/ledger/accounts/:account',
      {
        config: { roles: finance },
        schema: {
          summary: 'An account’s lines, newest first',
          params: Type.Object({ account: Account }),
          querystring: Type.Object(
            { owner: Type.Optional(Uuid), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
            { additionalProperties: false },
          ),
        },
      },
      (request) => accountLines(ctx.db, request.params.account, request.query.owner, request.query.limit ?? 100),
    );
    app.get(
      '/ledger/check',
      {
        config: { roles: finance },
        schema: { summary: 'The ledger’s invariants: balanced transactions, accounts on their side' },
      },
      () => checkLedger(ctx.db),
    );
  };

const Id = Type.Object({ id: Uuid });
const PayoutQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(PayoutStatuses.map((s) => Type.Literal(s)))),
    placeId: Type.Optional(Uuid),
    period: Type.Optional(Month),
  },
  { additionalProperties: false },
);
const ExecutedBody = Type.Object(
  {
    executedOn: BusinessDate,
    // Integer cents only: an amount in euros with decimals is refused by the schema.
    amountCents: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
const RejectedBody = Type.Object(
  { reasonCode: Type.String({ minLength: 1, maxLength: 8 }) },
  { additionalProperties: false },
);

/** Payout runs (SEPA files), held payouts, and the bank's answers (finance). */
const payoutRoutes =
  (deps: RouteDeps) =>
  (app: AdminApp, ctx: ServiceContext): void => {
    app.post(
      '/payout-runs',
      {
        config: { roles: finance },
        schema: { summary: 'Run the payouts awaiting money: one SEPA file, the others held with their reason' },
      },
      async (request, reply) =>
        reply.status(201).send(
          await runPayouts(ctx, {
            actor: actorOf(request),
            role: request.principal!.role,
            debtor: deps.settings.debtor,
            now: deps.now(),
          }),
        ),
    );
    app.get('/payout-runs', { config: { roles: finance }, schema: { summary: 'Payout runs, newest first' } }, () =>
      listRuns(ctx.db),
    );
    app.get(
      '/payout-runs/:id/sepa.xml',
      {
        config: { roles: finance },
        schema: { summary: 'The run’s SEPA file (pain.001.001.03), the same bytes at every download', params: Id },
      },
      async (request, reply) => {
        const file = await runFile(ctx.db, request.params.id);
        return sendDocument(reply, 'xml', 'attachment', `${file.messageId}.xml`, file.xml);
      },
    );
    app.get(
      '/payouts',
      {
        config: { roles: finance },
        schema: { summary: 'Payouts by status (held: with their reason), place, period', querystring: PayoutQuery },
      },
      (request) => listPayouts(ctx.db, request.query),
    );
    app.get(
      '/payouts/:id',
      { config: { roles: finance }, schema: { summary: 'A payout', params: Id } },
      async (request) => payoutView(await findPayout(ctx.db, request.params.id)),
    );
    actionRoute(
      app,
      ctx,
      '/payouts/:id/execution',
      { roles: finance, summary: 'The bank executed the transfer', body: ExecutedBody },
      markExecuted,
      payoutView,
    );
    actionRoute(
      app,
      ctx,
      '/payouts/:id/rejection',
      {
        roles: finance,
        summary: 'The bank rejected the transfer (ISO 20022 reason code: AC04, AC06…)',
        body: RejectedBody,
      },
      (tx, emit, id, body, actor) => markRejected(tx, emit, id, body.reasonCode, actor),
      payoutView,
    );
  };

const PlaceMonth = Type.Object({ id: Uuid, month: Month });
const noPlace = () => new DomainError('unknown_place', 'Lieu inconnu.', { status: 404 });

/**
 * What a place sees of its money (its own token, role `place`, or finance): statements (JSON,
 * PDF, CSV), payouts with their held reasons, and beside them its beneficiaries' ratings (asked
 * of qualification). Another place's records answer 404. A funder sees its passes and money.
 */
const placeRoutes = (app: AdminApp, ctx: ServiceContext): void => {
  const roles = ['finance', 'place'] as const;
  const own = (request: Parameters<typeof assertScope>[0], placeId: string) =>
    assertScope(request, { place: placeId }, noPlace);
  const placeRecord = { roles, owner: 'place', notFound: noPlace } as const;
  ownerRoute(
    app,
    '/places/:id/statements',
    { ...placeRecord, summary: 'A place’s closed months and their figures' },
    (id) => statementsOf(ctx.db, id),
  );
  app.get(
    '/places/:id/statements/:month',
    {
      config: { roles },
      schema: { summary: 'A place’s statement of a month: lines, figures, payout', params: PlaceMonth },
    },
    async (request) => {
      own(request, request.params.id);
      return statementOf(ctx.db, request.params.id, request.params.month);
    },
  );
  app.get(
    '/places/:id/statements/:month/statement.pdf',
    { config: { roles }, schema: { summary: 'The statement as a PDF, in French', params: PlaceMonth } },
    async (request, reply) => {
      own(request, request.params.id);
      const { id, month } = request.params;
      const statement = await statementOf(ctx.db, id, month);
      // The statement is the money's document: served without the ratings while qualification does not answer.
      const ratings = await askPlaceRatings(
        ctx,
        { placeId: id, month, limit: 0, offset: 0 },
        request.principal!.role,
      ).catch((err: unknown) => {
        request.log.warn({ err }, 'statement without its ratings');
        return null;
      });
      const html = statementHtml(statement, ratings);
      const pdf = await (await ctx.pdf()).render(html);
      return sendDocument(reply, 'pdf', 'inline', `releve-${request.params.month}.pdf`, pdf);
    },
  );
  app.get(
    '/places/:id/statements/:month/statement.csv',
    { config: { roles }, schema: { summary: 'The statement’s lines as CSV', params: PlaceMonth } },
    async (request, reply) => {
      own(request, request.params.id);
      const csv = statementsCsv(request.params.month, [
        await statementOf(ctx.db, request.params.id, request.params.month),
      ]);
      return sendDocument(reply, 'csv', 'attachment', `releve-${request.params.month}.csv`, csv);
    },
  );
  ownerRoute(
    app,
    '/places/:id/payouts',
    { ...placeRecord, summary: 'A place’s payouts, held ones with their reason' },
    (id) => listPayouts(ctx.db, { placeId: id }),
  );
  ownerRoute(
    app,
    '/places/:id/ratings',
    {
      ...placeRecord,
      summary: 'A place’s ratings by beneficiaries (count, mean, trend; comments, never who wrote them)',
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: Actions['qualification.placeRatings'].response, 404: Refusal, 503: Refusal },
    },
    (id, request) => askPlaceRatings(ctx, { placeId: id, ...pageOf(request.query) }, request.principal!.role),
  );
  ownerRoute(
    app,
    '/funders/:id/money',
    {
      roles: ['finance', 'funder'],
      summary: 'A funder’s passes (issued, released, redeemed, outstanding) and money (held, credited)',
      owner: 'funder',
      notFound: () => new DomainError('unknown_funder', 'Commanditaire inconnu.', { status: 404 }),
    },
    (id) => funderFigures(ctx.db, id),
  );
};
