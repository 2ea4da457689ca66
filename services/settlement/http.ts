import { Type } from '@sinclair/typebox';
import { BusinessDate, Refusal, Uuid } from '@aptic/contracts';
import { actorOf, businessDate, type AdminApp, type ServiceContext } from '@aptic/runtime';
import { AccountKinds } from './domain/accounts.ts';
import { MONTH_PATTERN } from './domain/periods.ts';
import { PayoutStatuses } from './domain/payout.ts';
import { findPayout, listPayouts, listRuns, markExecuted, markRejected, payoutView, runFile, runPayouts } from './db/payouts.ts';
import { accountLines, balances, checkLedger } from './db/ledger.ts';
import { closePeriod, listPeriods, periodPlaces } from './db/periods.ts';
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
export const settlementRoutes = (deps: RouteDeps) => (app: AdminApp, ctx: ServiceContext): void => {
  payoutRoutes(deps)(app, ctx);
  const { graceDays } = deps.settings;
  app.get('/periods', { config: { roles: finance }, schema: { summary: 'Settlement periods (months) and their state' } }, () => listPeriods(ctx.db, graceDays));
  app.post(
    '/periods/:month/close',
    { config: { roles: finance }, schema: { summary: 'Close a month (endossement): figures per place, payouts, period.closed', params: MonthParams, response: { 200: CloseView, 400: Refusal, 409: Refusal } } },
    (request) => ctx.transaction((tx, emit) => closePeriod(tx, emit, { month: request.params.month, today: businessDate(deps.now()), graceDays, actor: actorOf(request) })),
  );
  app.get('/periods/:month/places', { config: { roles: finance }, schema: { summary: 'Each place’s figures of a closed month', params: MonthParams } }, (request) => periodPlaces(ctx.db, request.params.month));

  app.get(
    '/ledger/balances',
    { config: { roles: finance }, schema: { summary: 'Balances per account and owner (derived from the lines)', querystring: Type.Object({ account: Type.Optional(Account), owner: Type.Optional(Uuid), funderId: Type.Optional(Uuid) }, { additionalProperties: false }) } },
    (request) => balances(ctx.db, request.query),
  );
  app.get(
    '/ledger/accounts/:account',
    {
      config: { roles: finance },
      schema: { summary: 'An account’s lines, newest first', params: Type.Object({ account: Account }), querystring: Type.Object({ owner: Type.Optional(Uuid), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false }) },
    },
    (request) => accountLines(ctx.db, request.params.account, request.query.owner, request.query.limit ?? 100),
  );
  app.get('/ledger/check', { config: { roles: finance }, schema: { summary: 'The ledger’s invariants: balanced transactions, accounts on their side' } }, () => checkLedger(ctx.db));
};

const Id = Type.Object({ id: Uuid });
const PayoutQuery = Type.Object({ status: Type.Optional(Type.Union(PayoutStatuses.map((s) => Type.Literal(s)))), placeId: Type.Optional(Uuid), period: Type.Optional(Month) }, { additionalProperties: false });
const ExecutedBody = Type.Object(
  {
    executedOn: BusinessDate,
    // Integer cents only: an amount in euros with decimals is refused by the schema.
    amountCents: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
const RejectedBody = Type.Object({ reasonCode: Type.String({ minLength: 1, maxLength: 8 }) }, { additionalProperties: false });

/** Payout runs (SEPA files), held payouts, and the bank's answers (finance). */
export const payoutRoutes = (deps: RouteDeps) => (app: AdminApp, ctx: ServiceContext): void => {
  app.post('/payout-runs', { config: { roles: finance }, schema: { summary: 'Run the payouts awaiting money: one SEPA file, the others held with their reason' } }, async (request, reply) =>
    reply.status(201).send(await runPayouts(ctx, { actor: actorOf(request), role: request.principal!.role, debtor: deps.settings.debtor, now: deps.now() })),
  );
  app.get('/payout-runs', { config: { roles: finance }, schema: { summary: 'Payout runs, newest first' } }, () => listRuns(ctx.db));
  app.get('/payout-runs/:id/sepa.xml', { config: { roles: finance }, schema: { summary: 'The run’s SEPA file (pain.001.001.03), the same bytes at every download', params: Id } }, async (request, reply) => {
    const file = await runFile(ctx.db, request.params.id);
    return reply.type('application/xml; charset=utf-8').header('content-disposition', `attachment; filename="${file.messageId}.xml"`).send(file.xml);
  });
  app.get('/payouts', { config: { roles: finance }, schema: { summary: 'Payouts by status (held: with their reason), place, period', querystring: PayoutQuery } }, (request) => listPayouts(ctx.db, request.query));
  app.get('/payouts/:id', { config: { roles: finance }, schema: { summary: 'A payout', params: Id } }, async (request) => payoutView(await findPayout(ctx.db, request.params.id)));
  app.post('/payouts/:id/execution', { config: { roles: finance }, schema: { summary: 'The bank executed the transfer', params: Id, body: ExecutedBody } }, async (request) =>
    payoutView(await ctx.transaction((tx) => markExecuted(tx, request.params.id, request.body, actorOf(request)))),
  );
  app.post('/payouts/:id/rejection', { config: { roles: finance }, schema: { summary: 'The bank rejected the transfer (ISO 20022 reason code: AC04, AC06…)', params: Id, body: RejectedBody } }, async (request) =>
    payoutView(await ctx.transaction((tx) => markRejected(tx, request.params.id, request.body.reasonCode, actorOf(request)))),
  );
};
