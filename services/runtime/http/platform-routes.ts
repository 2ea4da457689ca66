import { Type } from '@sinclair/typebox';
import { DomainError, Role, Refusal, type ScopeFields, Uuid } from '@aptic/contracts';
import type { TokenStore } from '../auth/tokens.ts';
import type { EventBus } from '../events/bus.ts';
import type { DurableConsumer } from '../events/consumer.ts';
import type { AdminApp } from './server.ts';

const TokenView = Type.Object({
  tokenId: Type.String(),
  name: Type.String(),
  role: Role,
  scopeId: Type.Union([Uuid, Type.Null()], {
    description: 'the funder, place, print partner or prescriber a scoped token sees',
  }),
});

const scope = (role: keyof typeof ScopeFields) =>
  Type.Optional(Type.String({ format: 'uuid', description: `${role} tokens only: the one it sees` }));
/** A scoped role names its record in the field `ScopeFields` gives it. */
const TokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    role: Role,
    funderId: scope('funder'),
    placeId: scope('place'),
    printPartnerId: scope('print-partner'),
    prescriberId: scope('prescriber'),
  },
  { additionalProperties: false },
);

/** Token administration: the same on every service, since the token table is shared. */
export function tokenRoutes(app: AdminApp, tokens: TokenStore): void {
  app.post(
    '/admin/tokens',
    {
      schema: {
        summary: 'Issue an API token (shown once)',
        body: TokenRequest,
        response: { 201: Type.Composite([TokenView, Type.Object({ token: Type.String() })]), 400: Refusal },
      },
    },
    async (request, reply) => reply.status(201).send(await tokens.issue(request.body, request.principal!.name)),
  );
  app.get('/admin/tokens', { schema: { summary: 'List API tokens (never their value)' } }, async () => tokens.list());
  app.delete(
    '/admin/tokens/:id',
    { schema: { summary: 'Revoke an API token', params: Type.Object({ id: Uuid }) } },
    async (request, reply) => {
      if (!(await tokens.revoke(request.params.id)))
        throw new DomainError('token_not_found', 'Aucun jeton actif ne porte cet identifiant.', { status: 404 });
      return reply.status(204).send();
    },
  );
}

/** The dead letters of this service's consumers: listed, and replayed once the cause is fixed. */
export function deadLetterRoutes(app: AdminApp, bus: EventBus, consumers: DurableConsumer[]): void {
  const byName = new Map(consumers.map((c) => [c.durable, c]));
  app.get(
    '/admin/dead-letters',
    { config: { roles: ['support'] }, schema: { summary: 'Events parked after repeated failures' } },
    async () => bus.deadLetters([...byName.keys()]),
  );
  app.post(
    '/admin/dead-letters/:id/replay',
    {
      schema: {
        summary: 'Apply a parked event again (exactly once), then remove it',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]+$' }) }),
      },
    },
    async (request) => {
      const letters = await bus.deadLetters([...byName.keys()]);
      const letter = letters.find((l) => l.id === request.params.id);
      if (!letter)
        throw new DomainError('dead_letter_not_found', 'Aucun événement en souffrance ne porte cet identifiant.', {
          status: 404,
        });
      try {
        await byName.get(letter.consumer)!.replay(letter.body);
      } catch (err) {
        if (err instanceof DomainError) throw err;
        throw new DomainError(
          'replay_failed',
          `Le rejeu a encore échoué : ${err instanceof Error ? err.message : String(err)}`,
          { status: 409 },
        );
      }
      await bus.removeDeadLetter(letter.id);
      return { replayed: letter.id, consumer: letter.consumer };
    },
  );
}
