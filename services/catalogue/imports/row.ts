/**
 * One row of a "lieux de médiation numérique" file, checked and normalised into what catalogue
 * keeps: a directory entry, the services it offers, and the schema's descriptive fields. Pure: the
 * commune lookup is in-memory data. What is doubtful but usable is kept with a typed warning.
 */
import type { PlaceTypeCode, ServiceCategoryCode } from '@aptic/contracts';
import { departementOfPostalCode, resolveCommune } from '../domain/communes.ts';
import { positionWarning } from '../domain/geo.ts';
import { isValidOpeningHours } from '../domain/hours.ts';
import { MAX_FIELD_LENGTH, OPEN_DATA_COLUMNS, readOpenData, type OpenData } from '../domain/open-data.ts';
import { formatsOf, placeTypeOf, readServices } from '../domain/vocabulary.ts';

export interface RowWarning {
  code: string;
  message: string;
}

export interface ImportedPlace {
  nationalId: string;
  name: string;
  type: PlaceTypeCode;
  communeCode: string | null;
  /** the arrondissement municipal (Paris, Lyon, Marseille) the row named, its commune being `communeCode` */
  arrondissementCode: string | null;
  communeName: string;
  departementCode: string;
  postalCode: string;
  address: string;
  pivot: string | null;
  latitude: number | null;
  longitude: number | null;
  openingHours: string | null;
  services: { categoryCode: ServiceCategoryCode; group: boolean }[];
  /** who collected the row (`source`) and when they last updated it (`date_maj`) */
  sourceName: string | null;
  sourceDate: string | null;
  openData: OpenData;
  warnings: RowWarning[];
}

export interface RowRefusal {
  code: string;
  message: string;
  field?: string;
}

export type RowReading = { ok: true; place: ImportedPlace } | { ok: false; refusal: RowRefusal };

/** The columns readRow reads; any other column of a file is named in the report as ignored. */
export const READ_COLUMNS: ReadonlySet<string> = new Set([
  'id',
  'nom',
  'pivot',
  'commune',
  'code_postal',
  'code_insee',
  'adresse',
  'latitude',
  'longitude',
  'horaires',
  'services',
  'source',
  'date_maj',
  ...OPEN_DATA_COLUMNS,
]);
/** The schema's placeholder for a place without a known SIRET: no pivot. */
const NO_PIVOT = /^0+$/;

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const refuse = (code: string, message: string, field?: string): RowReading => ({
  ok: false,
  refusal: field ? { code, message, field } : { code, message },
});

/** A free-text field, capped (field lengths are bounded whatever the file says). */
function capped(name: string, value: string, warnings: RowWarning[]): string {
  if (value.length <= MAX_FIELD_LENGTH) return value;
  warnings.push({ code: 'champ_tronque', message: `${name} tronqué à ${MAX_FIELD_LENGTH} caractères` });
  return value.slice(0, MAX_FIELD_LENGTH);
}

/** A coordinate as JSON number or CSV text (decimal point or comma); '' is absent. */
function coordinate(value: unknown, limit: number): number | null | 'invalid' {
  const raw = text(value).replace(',', '.');
  if (raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : 'invalid';
}

function readPosition(
  row: Record<string, unknown>,
): { latitude: number | null; longitude: number | null } | RowReading {
  const latitude = coordinate(row.latitude, 90);
  const longitude = coordinate(row.longitude, 180);
  if (latitude === 'invalid')
    return refuse('coordonnees_invalides', 'Latitude invalide (nombre entre -90 et 90 attendu).', 'latitude');
  if (longitude === 'invalid')
    return refuse('coordonnees_invalides', 'Longitude invalide (nombre entre -180 et 180 attendu).', 'longitude');
  // One coordinate without the other, or (0, 0), locates nothing: fall back to the commune's centre.
  if (latitude === null || longitude === null || (latitude === 0 && longitude === 0))
    return { latitude: null, longitude: null };
  return { latitude, longitude };
}

/** `date_maj`: an ISO day, or nothing (said). */
function readDate(value: string, warnings: RowWarning[]): string | null {
  if (!value) return null;
  const day = value.slice(0, 10);
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day) && !Number.isNaN(Date.parse(day))) return day;
  warnings.push({
    code: 'date_maj_invalide',
    message: `date_maj « ${value} » illisible (AAAA-MM-JJ attendu), non reprise`,
  });
  return null;
}

export function readRow(row: Record<string, unknown>): RowReading {
  if (typeof row.__malformed === 'string') return refuse('ligne_mal_formee', `Ligne mal formée : ${row.__malformed}.`);
  const nationalId = text(row.id);
  if (!nationalId || nationalId.length > 200)
    return refuse('champ_obligatoire', 'Identifiant du lieu (id) manquant ou trop long.', 'id');
  const name = text(row.nom);
  if (!name) return refuse('champ_obligatoire', 'Nom du lieu (nom) manquant.', 'nom');
  const address = text(row.adresse);
  if (!address) return refuse('champ_obligatoire', 'Adresse (adresse) manquante.', 'adresse');
  const postalCode = text(row.code_postal);
  if (!/^[0-9]{5}$/.test(postalCode))
    return refuse('code_postal_invalide', 'Code postal invalide (5 chiffres attendus).', 'code_postal');
  const { categories, unknown } = readServices(text(row.services));
  if (unknown.length > 0)
    return refuse('service_inconnu', `Service inconnu du référentiel national : « ${unknown[0]} ».`, 'services');
  if (categories.length === 0) return refuse('champ_obligatoire', 'Aucun service (services) indiqué.', 'services');
  const position = readPosition(row);
  if ('ok' in position) return position;
  const communeName = text(row.commune);
  const located = resolveCommune({ inseeCode: text(row.code_insee) || undefined, postalCode, name: communeName });
  if (text(row.code_insee) && !located)
    return refuse('commune_inconnue', `Code INSEE inconnu : ${text(row.code_insee)}.`, 'code_insee');
  // Without its commune and without coordinates a place cannot be found by anyone: refused.
  if (!located && position.latitude === null)
    return refuse(
      'commune_inconnue',
      `Commune « ${communeName} » (${postalCode}) introuvable et pas de coordonnées.`,
      'commune',
    );
  const warnings: RowWarning[] = [];
  if (!located)
    warnings.push({
      code: 'commune_non_reconnue',
      message: `commune « ${communeName} » (${postalCode}) non reconnue : lieu localisé par ses coordonnées seulement`,
    });
  if (located?.mismatch) warnings.push({ code: 'code_postal_incoherent', message: located.mismatch });
  const departementCode = located?.commune.departementCode ?? departementOfPostalCode(postalCode);
  const misplaced =
    position.latitude === null
      ? undefined
      : positionWarning({ latitude: position.latitude, longitude: position.longitude! }, departementCode);
  if (misplaced) warnings.push(misplaced);
  const hours = text(row.horaires);
  // Opening hours are parsed by a library whose cost grows faster than the text: refused before, past the cap.
  if (hours.length > MAX_FIELD_LENGTH)
    return refuse('champ_trop_long', `Horaires (horaires) de plus de ${MAX_FIELD_LENGTH} caractères.`, 'horaires');
  if (hours && !isValidOpeningHours(hours))
    warnings.push({ code: 'horaires_illisibles', message: `horaires illisibles ignorés : « ${hours.slice(0, 100)} »` });
  const openData = readOpenData(row);
  warnings.push(...openData.warnings);
  const formats = formatsOf(text(row.modalites_accompagnement));
  // Without the column, the formats the offers get (individual) are what the export will say.
  openData.data.modalites_accompagnement ??= formats
    .map((group) => (group ? 'Dans un atelier collectif' : 'Accompagnement individuel'))
    .join('|');
  const pivot = text(row.pivot);
  // A point at the country's centre locates nothing: the place is put at its commune's centre.
  const stored = misplaced?.code === 'position_centre_france' ? { latitude: null, longitude: null } : position;
  return {
    ok: true,
    place: {
      nationalId,
      name: capped('nom', name, warnings),
      type: placeTypeOf(text(row.typologie)),
      communeCode: located?.commune.code ?? null,
      arrondissementCode: located?.arrondissementCode ?? null,
      communeName: located?.commune.name ?? capped('commune', communeName, warnings),
      departementCode,
      postalCode,
      address: capped('adresse', address, warnings),
      pivot: pivot && !NO_PIVOT.test(pivot) ? capped('pivot', pivot, warnings) : null,
      ...stored,
      openingHours: hours && isValidOpeningHours(hours) ? capped('horaires', hours, warnings) : null,
      services: categories.flatMap((categoryCode) => formats.map((group) => ({ categoryCode, group }))),
      sourceName: text(row.source) ? capped('source', text(row.source), warnings) : null,
      sourceDate: readDate(text(row.date_maj), warnings),
      openData: openData.data,
      warnings,
    },
  };
}
