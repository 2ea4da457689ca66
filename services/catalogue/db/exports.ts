import { and, eq, isNull, ne, or, type SQL } from 'drizzle-orm';
import { SERVICE_CATEGORIES } from '@aptic/contracts';
import { businessDate, type Queryable } from '@aptic/runtime';
import type { OpenData } from '../domain/open-data.ts';
import { offers, places, placeStatus } from './schema.ts';

const LABEL = new Map<string, string>(SERVICE_CATEGORIES.map((c) => [c.code, c.label]));
/** The schema's placeholder for a place without a known SIRET. */
const NO_PIVOT = '00000000000000';
/** `source` of a place the platform alone knows (qualified without a directory row). */
const PLATFORM_SOURCE = 'aptic';

/** One place in the national schema (v1.0: multi-valued fields separated by `|`). */
export type LieuV1 = OpenData & {
  id: string;
  nom: string;
  pivot: string;
  commune: string;
  code_postal: string;
  code_insee?: string;
  adresse: string;
  latitude?: number;
  longitude?: number;
  services?: string;
  horaires?: string;
  source?: string;
  date_maj: string;
};

/** `qualified`: what the cartographie nationale can ingest as #APTIC places; `directory`: every place known (not revoked). */
export type ExportScope = 'qualified' | 'directory';

type Offered = { categories: Set<string>; group: boolean; individual: boolean };

function offeredBy(rows: { placeId: string; categoryCode: string; group: boolean }[]): Map<string, Offered> {
  const byPlace = new Map<string, Offered>();
  for (const o of rows) {
    const entry = byPlace.get(o.placeId) ?? { categories: new Set<string>(), group: false, individual: false };
    entry.categories.add(o.categoryCode);
    if (o.group) entry.group = true;
    else entry.individual = true;
    byPlace.set(o.placeId, entry);
  }
  return byPlace;
}

/**
 * The day of the place's data: the directory's own `date_maj`, unless the platform changed the
 * place since (qualification, offers), whose day it then is.
 */
function dateMaj(p: typeof places.$inferSelect): string {
  const platform = p.platformChangedAt ? businessDate(p.platformChangedAt) : null;
  if (platform && (!p.sourceDate || platform > p.sourceDate)) return platform;
  return p.sourceDate ?? businessDate(p.updatedAt);
}

function lieu(p: typeof places.$inferSelect, offered: Offered | undefined): LieuV1 {
  const modalites = [
    offered?.individual ? 'Accompagnement individuel' : '',
    offered?.group ? 'Dans un atelier collectif' : '',
  ]
    .filter(Boolean)
    .join('|');
  const services = [...(offered?.categories ?? [])]
    .map((c) => LABEL.get(c) ?? c)
    .sort()
    .join('|');
  return {
    ...p.openData,
    id: p.nationalId ?? p.id,
    nom: p.name,
    pivot: p.pivot ?? NO_PIVOT,
    commune: p.communeName,
    code_postal: p.postalCode ?? '',
    ...(p.communeCode ? { code_insee: p.arrondissementCode ?? p.communeCode } : {}),
    adresse: p.address ?? '',
    ...(p.latitude !== null && p.longitude !== null && p.positionSource === 'own'
      ? { latitude: p.latitude, longitude: p.longitude }
      : {}),
    ...(services ? { services } : {}),
    ...(p.openingHours ? { horaires: p.openingHours } : {}),
    // What the directory said of its formats, else what the offers say.
    ...(p.openData.modalites_accompagnement || modalites
      ? { modalites_accompagnement: p.openData.modalites_accompagnement ?? modalites }
      : {}),
    ...(p.sourceName || !p.nationalId ? { source: p.sourceName ?? PLATFORM_SOURCE } : {}),
    date_maj: dateMaj(p),
  };
}

/** The places of the scope in the national schema, with what the import read of them. */
export async function exportLieux(db: Queryable, scope: ExportScope = 'qualified'): Promise<LieuV1[]> {
  const where: SQL | undefined =
    scope === 'qualified'
      ? eq(placeStatus.status, 'qualified')
      : or(isNull(placeStatus.status), ne(placeStatus.status, 'revoked'));
  const rows = await db
    .select({ place: places })
    .from(places)
    .leftJoin(placeStatus, eq(placeStatus.placeId, places.id))
    .where(where)
    .orderBy(places.name, places.id);
  const active = await db
    .select({ placeId: offers.placeId, categoryCode: offers.categoryCode, group: offers.group })
    .from(offers)
    .leftJoin(placeStatus, eq(placeStatus.placeId, offers.placeId))
    .where(and(isNull(offers.withdrawnAt), where));
  const byPlace = offeredBy(active);
  return rows.map(({ place }) => lieu(place, byPlace.get(place.id)));
}
