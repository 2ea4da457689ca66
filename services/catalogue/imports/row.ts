/**
 * One row of a "lieux de médiation numérique" file, checked and normalised into what catalogue
 * keeps: a directory entry and the services it offers. Pure: the commune lookup is in-memory data.
 */
import type { PlaceTypeCode, ServiceCategoryCode } from '@aptic/contracts';
import { resolveCommune } from '../domain/communes.ts';
import { isValidOpeningHours } from '../domain/hours.ts';
import { formatsOf, placeTypeOf, readServices } from '../domain/vocabulary.ts';

export interface ImportedPlace {
  nationalId: string;
  name: string;
  type: PlaceTypeCode;
  communeCode: string | null;
  communeName: string;
  departementCode: string;
  postalCode: string;
  address: string;
  pivot: string | null;
  latitude: number | null;
  longitude: number | null;
  openingHours: string | null;
  services: { categoryCode: ServiceCategoryCode; group: boolean }[];
  warnings: string[];
}

export interface RowRefusal {
  code: string;
  message: string;
  field?: string;
}

export type RowReading = { ok: true; place: ImportedPlace } | { ok: false; refusal: RowRefusal };

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const refuse = (code: string, message: string, field?: string): RowReading => ({ ok: false, refusal: field ? { code, message, field } : { code, message } });

/** A coordinate as JSON number or CSV text (decimal point or comma); '' is absent. */
function coordinate(value: unknown, limit: number): number | null | 'invalid' {
  const raw = text(value).replace(',', '.');
  if (raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : 'invalid';
}

function readPosition(row: Record<string, unknown>): { latitude: number | null; longitude: number | null } | RowReading {
  const latitude = coordinate(row.latitude, 90);
  const longitude = coordinate(row.longitude, 180);
  if (latitude === 'invalid') return refuse('coordonnees_invalides', 'Latitude invalide (nombre entre -90 et 90 attendu).', 'latitude');
  if (longitude === 'invalid') return refuse('coordonnees_invalides', 'Longitude invalide (nombre entre -180 et 180 attendu).', 'longitude');
  // One coordinate without the other locates nothing: fall back to the commune's centre.
  return latitude === null || longitude === null ? { latitude: null, longitude: null } : { latitude, longitude };
}

export function readRow(row: Record<string, unknown>): RowReading {
  if (typeof row.__malformed === 'string') return refuse('ligne_mal_formee', `Ligne mal formée : ${row.__malformed}.`);
  const nationalId = text(row.id);
  if (!nationalId || nationalId.length > 200) return refuse('champ_obligatoire', 'Identifiant du lieu (id) manquant ou trop long.', 'id');
  const name = text(row.nom);
  if (!name) return refuse('champ_obligatoire', 'Nom du lieu (nom) manquant.', 'nom');
  const address = text(row.adresse);
  if (!address) return refuse('champ_obligatoire', 'Adresse (adresse) manquante.', 'adresse');
  const postalCode = text(row.code_postal);
  if (!/^[0-9]{5}$/.test(postalCode)) return refuse('code_postal_invalide', 'Code postal invalide (5 chiffres attendus).', 'code_postal');
  const { categories, unknown } = readServices(text(row.services));
  if (unknown.length > 0) return refuse('service_inconnu', `Service inconnu du référentiel national : « ${unknown[0]} ».`, 'services');
  if (categories.length === 0) return refuse('champ_obligatoire', 'Aucun service (services) indiqué.', 'services');
  const position = readPosition(row);
  if ('ok' in position) return position;
  const communeName = text(row.commune);
  const commune = resolveCommune({ inseeCode: text(row.code_insee) || undefined, postalCode, name: communeName });
  if (text(row.code_insee) && !commune) return refuse('commune_inconnue', `Code INSEE inconnu : ${text(row.code_insee)}.`, 'code_insee');
  // Without its commune and without coordinates a place cannot be found by anyone: refused.
  if (!commune && position.latitude === null) return refuse('commune_inconnue', `Commune « ${communeName} » (${postalCode}) introuvable et pas de coordonnées.`, 'commune');
  const warnings: string[] = [];
  if (!commune) warnings.push(`commune « ${communeName} » (${postalCode}) non reconnue : lieu localisé par ses coordonnées seulement`);
  const hours = text(row.horaires);
  if (hours && !isValidOpeningHours(hours)) warnings.push(`horaires illisibles ignorés : « ${hours} »`);
  const formats = formatsOf(text(row.modalites_accompagnement));
  return {
    ok: true,
    place: {
      nationalId,
      name: name.slice(0, 300),
      type: placeTypeOf(text(row.typologie)),
      communeCode: commune?.code ?? null,
      communeName: commune?.name ?? communeName,
      departementCode: commune?.departementCode ?? departementOfPostalCode(postalCode),
      postalCode,
      address: address.slice(0, 500),
      pivot: text(row.pivot) || null,
      ...position,
      openingHours: hours && isValidOpeningHours(hours) ? hours : null,
      services: categories.flatMap((categoryCode) => formats.map((group) => ({ categoryCode, group }))),
      warnings,
    },
  };
}

/** Postal codes start with the département (Corsica 20 → 2A/2B cannot be told apart: 2A assumed south of 20190). */
function departementOfPostalCode(postalCode: string): string {
  if (postalCode.startsWith('97')) return postalCode.slice(0, 3);
  if (postalCode.startsWith('20')) return Number(postalCode) < 20200 ? '2A' : '2B';
  return postalCode.slice(0, 2);
}
