/**
 * The territorial diagnosis of a perimeter, assembled from its facts: for each service of the
 * référentiel, the qualified places offering it, the directory places offering it that are not
 * qualified (the places to bring in) and the redemptions so far; the communes with no qualified
 * place within 10 and 20 km, with their population. Pure: no I/O.
 */
import { SERVICE_CATEGORIES } from '@aptic/contracts';

const RADII_KM = [10, 20] as const;

/** What the database tells of the perimeter (db/diagnosis.ts). */
export interface DiagnosisFacts {
  services: { code: string; qualified: number; directory: number; redemptions: number }[];
  communes: {
    code: string;
    qualified: number;
    directory: number;
    latitude: number | null;
    longitude: number | null;
    nearestKm: number | null;
  }[];
}

export interface PerimeterCommune {
  code: string;
  name: string;
  population: number;
}

interface DiagnosisCommune extends PerimeterCommune {
  qualifiedPlaces: number;
  directoryPlaces: number;
  /** whether a directory place locates the commune (else its distances are unknown) */
  located: boolean;
  /** to the nearest qualified place; null when the commune is not located, or no qualified place exists */
  nearestQualifiedKm: number | null;
}

export interface Diagnosis {
  perimeter: { communes: string[]; epcis: string[]; departements: string[] };
  generatedAt: string;
  communeCount: number;
  population: number;
  services: { code: string; label: string; qualifiedPlaces: number; directoryPlaces: number; redemptions: number }[];
  redemptions: number;
  /** per radius: the communes whose nearest qualified place is farther, most populated first */
  uncovered: { radiusKm: number; communes: DiagnosisCommune[]; population: number }[];
  /** communes no directory place locates: distances unknown (they have no qualified place themselves) */
  unlocated: { communes: DiagnosisCommune[]; population: number };
  communes: DiagnosisCommune[];
}

const round = (km: number) => Math.round(km * 10) / 10;
const byPopulation = (a: DiagnosisCommune, b: DiagnosisCommune) =>
  b.population - a.population || a.code.localeCompare(b.code);
const populationOf = (communes: DiagnosisCommune[]) => communes.reduce((sum, c) => sum + c.population, 0);

export function assembleDiagnosis(
  perimeter: Diagnosis['perimeter'],
  communes: readonly PerimeterCommune[],
  facts: DiagnosisFacts,
  at: Date,
): Diagnosis {
  const known = new Map(facts.communes.map((c) => [c.code, c]));
  const rows: DiagnosisCommune[] = communes.map((c) => {
    const f = known.get(c.code);
    const located = f?.latitude != null;
    return {
      ...c,
      qualifiedPlaces: f?.qualified ?? 0,
      directoryPlaces: f?.directory ?? 0,
      located,
      nearestQualifiedKm: f?.nearestKm == null ? null : round(f.nearestKm),
    };
  });
  const offered = new Map(facts.services.map((s) => [s.code, s]));
  const services = SERVICE_CATEGORIES.map(({ code, label }) => {
    const s = offered.get(code);
    return {
      code,
      label,
      qualifiedPlaces: s?.qualified ?? 0,
      directoryPlaces: s?.directory ?? 0,
      redemptions: s?.redemptions ?? 0,
    };
  });
  const located = rows.filter((c) => c.located);
  const unlocated = rows.filter((c) => !c.located).sort(byPopulation);
  const farther = (c: DiagnosisCommune, radiusKm: number) =>
    c.nearestQualifiedKm === null || c.nearestQualifiedKm > radiusKm;
  return {
    perimeter,
    generatedAt: at.toISOString(),
    communeCount: rows.length,
    population: populationOf(rows),
    services,
    redemptions: services.reduce((sum, s) => sum + s.redemptions, 0),
    uncovered: RADII_KM.map((radiusKm) => {
      const far = located.filter((c) => farther(c, radiusKm)).sort(byPopulation);
      return { radiusKm, communes: far, population: populationOf(far) };
    }),
    unlocated: { communes: unlocated, population: populationOf(unlocated) },
    communes: rows.sort((a, b) => a.code.localeCompare(b.code)),
  };
}

/** The two tables of the diagnosis as CSV lines (header first), `;`-separated for French spreadsheets. */
export function diagnosisTables(d: Diagnosis): { services: string[][]; communes: string[][] } {
  return {
    services: [
      ['code_service', 'service', 'lieux_qualifies', 'lieux_annuaire_non_qualifies', 'passages'],
      ...d.services.map((s) => [
        s.code,
        s.label,
        String(s.qualifiedPlaces),
        String(s.directoryPlaces),
        String(s.redemptions),
      ]),
    ],
    communes: [
      [
        'code_insee',
        'commune',
        'population',
        'lieux_qualifies',
        'lieux_annuaire_non_qualifies',
        'distance_lieu_qualifie_km',
        ...RADII_KM.map((r) => `sans_lieu_qualifie_${r}km`),
      ],
      ...d.communes.map((c) => [
        c.code,
        c.name,
        String(c.population),
        String(c.qualifiedPlaces),
        String(c.directoryPlaces),
        c.nearestQualifiedKm === null ? '' : String(c.nearestQualifiedKm).replace('.', ','),
        ...RADII_KM.map((r) =>
          !c.located ? 'inconnu' : c.nearestQualifiedKm === null || c.nearestQualifiedKm > r ? 'oui' : 'non',
        ),
      ]),
    ],
  };
}
