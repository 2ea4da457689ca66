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

export function isValidPoint(p: Partial<Point>): p is Point {
  return typeof p.latitude === 'number' && typeof p.longitude === 'number' && Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180 && Number.isFinite(p.latitude + p.longitude);
}

/** The centre of a set of points (communes are small: the plain mean is good enough). */
export function centroid(points: Point[]): Point | undefined {
  if (points.length === 0) return undefined;
  const sum = points.reduce((s, p) => ({ latitude: s.latitude + p.latitude, longitude: s.longitude + p.longitude }), { latitude: 0, longitude: 0 });
  return { latitude: sum.latitude / points.length, longitude: sum.longitude / points.length };
}
