import { contractAction, type ServiceContext } from '@aptic/runtime';
import { nearbyPlaces } from './db/nearby.ts';
import { findPlace } from './db/places.ts';

/**
 * Catalogue's actions: printing asks for the places near a beneficiary (cover letters),
 * qualification for a directory place it invites to apply.
 */
export const catalogueActions = (ctx: ServiceContext) => ({
  actions: {
    nearbyPlaces: contractAction('catalogue.nearbyPlaces', (params) => nearbyPlaces(ctx.db, params)),
    directoryPlace: contractAction('catalogue.directoryPlace', async ({ placeId }) => {
      const p = await findPlace(ctx.db, placeId);
      const {
        name,
        type,
        pivot,
        communeCode,
        communeName,
        postalCode,
        address,
        latitude,
        longitude,
        openingHours,
        status,
      } = p;
      const own = p.positionSource === 'own';
      return {
        placeId,
        status,
        name,
        type,
        pivot,
        communeCode,
        communeName,
        postalCode,
        address,
        latitude: own ? latitude : null,
        longitude: own ? longitude : null,
        openingHours,
      };
    }),
  },
});
