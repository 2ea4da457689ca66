import { and, eq, isNull } from 'drizzle-orm';
import { SERVICE_CATEGORIES } from '@aptic/contracts';
import type { Queryable } from '@aptic/runtime';
import { offers, places, placeStatus } from './schema.ts';

const LABEL = new Map<string, string>(SERVICE_CATEGORIES.map((c) => [c.code, c.label]));
/** The schema's placeholder for a place without a known SIRET. */
const NO_PIVOT = '00000000000000';

/** One qualified place in the national schema (v1.0, services with `|`). */
export interface LieuV1 {
  id: string;
  nom: string;
  pivot: string;
  commune: string;
  code_postal: string;
  code_insee?: string;
  adresse: string;
  latitude?: number;
  longitude?: number;
  services: string;
  horaires?: string;
  modalites_accompagnement?: string;
  source: string;
  date_maj: string;
}

/** The qualified places in the national schema: what the cartographie nationale can ingest. */
export async function exportLieux(db: Queryable): Promise<LieuV1[]> {
  const rows = await db.select({ place: places }).from(places).innerJoin(placeStatus, eq(placeStatus.placeId, places.id)).where(eq(placeStatus.status, 'qualified')).orderBy(places.name, places.id);
  const active = await db.select({ placeId: offers.placeId, categoryCode: offers.categoryCode, group: offers.group }).from(offers).innerJoin(placeStatus, eq(placeStatus.placeId, offers.placeId)).where(and(isNull(offers.withdrawnAt), eq(placeStatus.status, 'qualified')));
  const byPlace = new Map<string, { categories: Set<string>; group: boolean; individual: boolean }>();
  for (const o of active) {
    const entry = byPlace.get(o.placeId) ?? { categories: new Set<string>(), group: false, individual: false };
    entry.categories.add(o.categoryCode);
    if (o.group) entry.group = true;
    else entry.individual = true;
    byPlace.set(o.placeId, entry);
  }
  return rows.map(({ place: p }) => {
    const offered = byPlace.get(p.id);
    const modalites = [offered?.individual ? 'Accompagnement individuel' : '', offered?.group ? 'Dans un atelier collectif' : ''].filter(Boolean).join('|');
    return {
      id: p.nationalId ?? p.id,
      nom: p.name,
      pivot: p.pivot ?? NO_PIVOT,
      commune: p.communeName,
      code_postal: p.postalCode ?? '',
      ...(p.communeCode ? { code_insee: p.communeCode } : {}),
      adresse: p.address ?? '',
      ...(p.latitude !== null && p.longitude !== null ? { latitude: p.latitude, longitude: p.longitude } : {}),
      services: [...(offered?.categories ?? [])].map((c) => LABEL.get(c) ?? c).sort().join('|'),
      ...(p.openingHours ? { horaires: p.openingHours } : {}),
      ...(modalites ? { modalites_accompagnement: modalites } : {}),
      source: 'aptic',
      date_maj: p.updatedAt.toISOString().slice(0, 10),
    };
  });
}
