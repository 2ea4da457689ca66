import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Uuid } from './primitives.ts';
import { FunderKind } from './events.ts';

/**
 * Request/response actions between services (Moleculer over NATS).
 * Each has a params schema checked where the call enters the serving process, and a response schema.
 */
export const Actions = {
  'ordering.getFunder': {
    params: Type.Object({ funderId: Uuid }, { additionalProperties: false }),
    response: Type.Object({ funderId: Uuid, name: Type.String(), kind: FunderKind, siret: Type.String() }),
  },
  'analytics.funderCounts': {
    params: Type.Object({}, { additionalProperties: false }),
    response: Type.Object({ total: Type.Integer(), byKind: Type.Record(Type.String(), Type.Integer()) }),
  },
} satisfies Record<string, { params: TSchema; response: TSchema }>;

export type ActionName = keyof typeof Actions;
export type ActionParams<A extends ActionName> = Static<(typeof Actions)[A]['params']>;
export type ActionResponse<A extends ActionName> = Static<(typeof Actions)[A]['response']>;
