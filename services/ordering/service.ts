import { contractAction, type ServiceContext } from '@aptic/runtime';
import type { FunderKind } from '@aptic/contracts';
import { findFunder } from './db/funders.ts';

/** Ordering's actions: what other services may ask synchronously. */
export const orderingActions = (ctx: ServiceContext) => ({
  actions: {
    getFunder: contractAction('ordering.getFunder', async ({ funderId }) => {
      const funder = await findFunder(ctx.db, funderId);
      return { funderId: funder.id, name: funder.name, kind: funder.kind as FunderKind, siret: funder.siret };
    }),
  },
});
