import { contractAction, type ServiceContext } from '@aptic/runtime';
import { nearbyPlaces } from './db/nearby.ts';

/** Catalogue's actions: printing asks for the places near a beneficiary (cover letters). */
export const catalogueActions = (ctx: ServiceContext) => ({
  actions: {
    nearbyPlaces: contractAction('catalogue.nearbyPlaces', (params) => nearbyPlaces(ctx.db, params)),
  },
});
