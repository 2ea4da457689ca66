import { contractAction, pick, type ServiceContext } from '@aptic/runtime';
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
      const own = p.positionSource === 'own';
      const fields = [
        'status',
        'name',
        'type',
        'pivot',
        'communeCode',
        'communeName',
        'postalCode',
        'address',
      ] as const;
      return {
        placeId,
        ...pick(p, fields),
        latitude: own ? p.latitude : null,
        longitude: own ? p.longitude : null,
        openingHours: p.openingHours,
      };
    }),
  },
});
