/** Distances on the sphere (the nearby search ranks its candidates by them). */
const EARTH_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

export interface Point {
  latitude: number;
  longitude: number;
}

export function haversineKm(a: Point, b: Point): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Points geocoders answer when they only recognised "France" (their centre of the country), each
 * with the département it falls in: a place there whose commune is elsewhere was not located.
 */
const COUNTRY_FALLBACKS: readonly (Point & { departement: string })[] = [
  { latitude: 46.227638, longitude: 2.213749, departement: '23' },
  { latitude: 46.603354, longitude: 1.888334, departement: '36' },
  { latitude: 46.5, longitude: 2, departement: '36' },
  { latitude: 46.5, longitude: 1.2, departement: '36' },
];
const FALLBACK_RADIUS_KM = 1;
/** Mainland France and Corsica, generously boxed. */
const MAINLAND = { south: 41.2, north: 51.2, west: -5.3, east: 9.7 };

export interface PositionWarning {
  code: 'position_centre_france' | 'position_hors_territoire';
  message: string;
}

/** What is wrong with a place's coordinates given its commune's département, if anything. */
export function positionWarning(p: Point, departementCode: string): PositionWarning | undefined {
  const fallback = COUNTRY_FALLBACKS.find((f) => haversineKm(p, f) <= FALLBACK_RADIUS_KM);
  if (fallback && fallback.departement !== departementCode) {
    return {
      code: 'position_centre_france',
      message: `coordonnées au centre de la France (${p.latitude}, ${p.longitude}), réponse par défaut d’un géocodeur : le lieu est à localiser`,
    };
  }
  const overseas = departementCode.length === 3;
  const inMainland =
    p.latitude >= MAINLAND.south &&
    p.latitude <= MAINLAND.north &&
    p.longitude >= MAINLAND.west &&
    p.longitude <= MAINLAND.east;
  if (overseas === inMainland) {
    return {
      code: 'position_hors_territoire',
      message: `coordonnées (${p.latitude}, ${p.longitude}) hors du territoire du département ${departementCode} : à vérifier`,
    };
  }
  return undefined;
}
