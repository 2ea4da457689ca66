import { Errors, type Context } from 'moleculer';
import {
  Actions,
  DomainError,
  validate,
  type ActionName,
  type ActionParams,
  type ActionResponse,
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
