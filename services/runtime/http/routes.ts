import { type Static, type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DomainError, Uuid, type Role, type ScopedRole } from '@aptic/contracts';
import type { Tx } from '../db/connect.ts';
import type { Emit } from '../events/outbox.ts';
import type { ServiceContext } from '../service.ts';
import { actorOf, assertScope, callerScope } from './access.ts';
import { type Page, PageQuery, pageOf } from './pagination.ts';
import type { AdminApp } from './server.ts';

interface RouteDoc {
  roles: readonly Role[];
  summary: string;
}

/** A collection's query: its filters with paging (PageQuery) after them. */
export type ListQuery<F extends TProperties> = Static<TObject<F>> & { limit?: number; offset?: number };

/** Who lists: the token's role, and for a scoped token the id of the record it is confined to. */
export interface Caller {
  role: Role | undefined;
  scopeId: string | undefined;
}

/**
 * A collection's GET: its filters and paging in the querystring (nothing else accepted), the rows
 * `list` reads. A scoped caller (a funder, a print partner) comes with its scope id, for `list` to
 * confine the rows to its own; one whose token names no record sees none.
 */
export function listRoute<F extends TProperties>(
  app: AdminApp,
  path: string,
  route: RouteDoc & { filters: F; item?: TSchema },
  list: (query: ListQuery<F>, page: Page, caller: Caller) => Promise<unknown[]> | unknown[],
): void {
  const querystring = Type.Object({ ...route.filters, ...PageQuery }, { additionalProperties: false });
  const response = route.item ? { response: { 200: Type.Array(route.item) } } : {};
  const schema = { summary: route.summary, querystring, ...response };
  app.get(path, { config: { roles: route.roles }, schema }, async (request) => {
    const scope = callerScope(request);
    if (scope && !scope.id) return [];
    const query = request.query as ListQuery<F>;
    return list(query, pageOf(query), { role: request.principal?.role, scopeId: scope?.id ?? undefined });
  });
}

/**
 * A GET of what a record owns, the record's id in the path (`/funders/:id/figures`): a token
 * scoped to the owner's role sees its own record's only, another id answering `notFound`.
 */
export function ownerRoute<Q extends TSchema = TObject<Record<never, never>>>(
  app: AdminApp,
  path: string,
  route: RouteDoc & {
    owner: ScopedRole;
    notFound: () => DomainError;
    querystring?: Q;
    response?: Record<number, TSchema>;
  },
  read: (id: string, request: FastifyRequest<{ Querystring: Static<Q> }>, reply: FastifyReply) => unknown,
): void {
  const { roles, summary, response, owner, notFound, querystring } = route;
  const schema = { summary, params: Type.Object({ id: Uuid }), ...(querystring ? { querystring } : {}) };
  app.get(path, { config: { roles }, schema: { ...schema, ...(response ? { response } : {}) } }, (request, reply) => {
    const { id } = request.params as { id: string };
    assertScope(request, { [owner]: id }, notFound);
    return read(id, request as FastifyRequest<{ Querystring: Static<Q> }>, reply);
  });
}

type Act<B extends TSchema, R> = (tx: Tx, emit: Emit, id: string, body: Static<B>, actor: string) => Promise<R>;

/**
 * A POST acting on the record in its path (`/places/:id/charter`, `/places/:id/suspension`): `act`
 * runs in one transaction with the record's id, the checked body and who asks; its result, through
 * `view` (given the caller's role), answers 201 where the response declares 201, 200 otherwise.
 */
export function actionRoute<B extends TSchema, R>(
  app: AdminApp,
  ctx: Pick<ServiceContext, 'transaction'>,
  path: string,
  route: RouteDoc & { body?: B; response?: Record<number, TSchema> },
  act: Act<B, R>,
  view: (result: R, role: Role | undefined) => unknown = (result) => result,
): void {
  const { roles, summary, body, response } = route;
  const status = response && 201 in response ? 201 : 200;
  const schema = {
    summary,
    params: Type.Object({ id: Uuid }),
    ...(body ? { body } : {}),
    ...(response ? { response } : {}),
  };
  app.post(path, { config: { roles }, schema }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const done = await ctx.transaction((tx, emit) => act(tx, emit, id, request.body as Static<B>, actorOf(request)));
    return reply.status(status).send(view(done, request.principal?.role));
  });
}
