import { Errors, type Context, type ServiceBroker } from 'moleculer';
import {
  Actions,
  DomainError,
  validate,
  type ActionName,
  type ActionParams,
  type ActionResponse,
  type Refusal,
} from '@aptic/contracts';

/**
 * A Moleculer action bound to its contract: params are checked where the call enters this
 * process, and a DomainError crosses the wire as a client error carrying the same code.
 */
export function contractAction<A extends ActionName>(
  name: A,
  handler: (params: ActionParams<A>, ctx: Context) => Promise<ActionResponse<A>>,
) {
  return {
    async handler(ctx: Context): Promise<ActionResponse<A>> {
      const checked = validate(Actions[name].params, ctx.params, 'invalid_params');
      if (!checked.ok)
        throw new Errors.MoleculerClientError(checked.refusal.message, 400, checked.refusal.code, checked.refusal);
      try {
        return await handler(checked.value as ActionParams<A>, ctx);
      } catch (err) {
        if (err instanceof DomainError)
          throw new Errors.MoleculerClientError(err.message, err.status, err.code, err.toRefusal());
        throw err;
      }
    },
  };
}

/**
 * Asks another service through its action. Its own refusals (a DomainError there, sent as a client
 * error by contractAction) come back as the same DomainError; not answering — no node, not yet
 * discovered, a timeout, Moleculer's own "not found" and "not available", also 404s — is the
 * caller's `unavailable`: a 503 to retry, never a 500 nor a refusal it did not give.
 */
export async function ask<A extends ActionName>(
  broker: ServiceBroker,
  name: A,
  params: ActionParams<A>,
  options: {
    unavailable: () => DomainError;
    meta?: Record<string, unknown>;
    /** How long to wait for the service's first discovery (a node started just before this one). */
    discoveryMs?: number;
  },
): Promise<ActionResponse<A>> {
  if (options.discoveryMs) await broker.waitForServices([name.split('.')[0]!], options.discoveryMs).catch(() => {});
  try {
    return await broker.call<ActionResponse<A>, ActionParams<A>>(name, params, options.meta && { meta: options.meta });
  } catch (err) {
    throw remoteRefusal(err) ?? options.unavailable();
  }
}

/** The refusal another service gave, if this error is one (and not the bus failing to reach it). */
export function remoteRefusal(err: unknown): DomainError | undefined {
  const { name, code, data } = err as { name?: string; code?: number; data?: Partial<Refusal> };
  if (name !== 'MoleculerClientError' || typeof data?.code !== 'string') return undefined;
  return new DomainError(data.code, data.message ?? '', {
    status: code ?? 400,
    ...(data.field === undefined ? {} : { field: data.field }),
  });
}

/** Moleculer's failures to reach a service (retryable: no node, not available, a timeout). */
export const unreachable = (err: unknown): boolean =>
  (err as { retryable?: boolean }).retryable === true && remoteRefusal(err) === undefined;
