/**
 * French administrative divisions (communes, EPCI à fiscalité propre, départements), looked up by
 * code, from the INSEE/DGCL data shipped by @etalab/decoupage-administratif (millésime of the
 * installed version: v6 = 2026).
 *
 * The data files weigh ~12 MB of JSON; they are read once, on first use, and only maps of codes
 * (plus names, for messages) are kept: the parsed records are dropped as soon as the maps are built.
 * Reading the files is the only I/O of this module; every lookup after that is pure.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A current commune (commune actuelle) of the Code officiel géographique. */
export type TerritoryCommune = {
  /** INSEE code (code officiel géographique), e.g. '16015' */
  code: string;
  nom: string;
  /** code of its département (or collectivité d'outre-mer), e.g. '16', '2A', '971' */
  departement: string;
  /** SIREN of its EPCI à fiscalité propre; undefined for the few communes outside any (islands) */
  epci: string | undefined;
};

export type Territory = {
  /** The current commune with this INSEE code; undefined for unknown, former or partial codes. */
  commune(code: string): TerritoryCommune | undefined;
  /** The INSEE codes of the member communes of the EPCI with this SIREN, sorted; undefined if unknown. */
  epci(code: string): readonly string[] | undefined;
  epciNom(code: string): string | undefined;
  /** The INSEE codes of the current communes of the département, sorted; undefined if unknown. */
  departement(code: string): readonly string[] | undefined;
  departementNom(code: string): string | undefined;
  /**
   * For a code that is not a current commune but was one or is part of one (commune déléguée or
   * associée of a commune nouvelle, arrondissement municipal of Paris/Lyon/Marseille, former code
   * of a merged commune): the code of the current commune it belongs to. Lets a refusal say which
   * code to use instead.
   */
  currentCommuneOf(code: string): string | undefined;
  readonly counts: { communes: number; epcis: number; departements: number };
};

/** The subset of the package's records this module reads (the files carry more fields). */
export type CommuneRecord = {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  /** commune déléguée / associée: the commune nouvelle it belongs to */
  chefLieu?: string;
  /** arrondissement municipal: the commune it divides */
  commune?: string;
  /** codes this current commune had before a merger */
  anciensCodes?: string[];
};
export type EpciRecord = { code: string; nom: string; membres: { code: string }[] };
export type DepartementRecord = { code: string; nom: string };

export type TerritorySources = {
  communes: readonly CommuneRecord[];
  epcis: readonly EpciRecord[];
  departements: readonly DepartementRecord[];
};

/** Only this `type` is a commune in its own right; the others are parts or remnants of one. */
const CURRENT_COMMUNE = 'commune-actuelle';

let singleton: Territory | undefined;

/** The lookup over the installed data, built on first call and shared afterwards. */
export function territory(): Territory {
  singleton ??= buildTerritory(loadSources());
  return singleton;
}

/** Builds a lookup from records shaped like the package's files (exported for tests with fixtures). */
export function buildTerritory(sources: TerritorySources): Territory {
  const communes = new Map<string, TerritoryCommune>();
  const byDepartement = new Map<string, string[]>();
  for (const record of sources.communes) {
    if (record.type !== CURRENT_COMMUNE || record.departement === undefined) continue;
    communes.set(record.code, { code: record.code, nom: record.nom, departement: record.departement, epci: undefined });
    const list = byDepartement.get(record.departement);
    if (list) list.push(record.code);
    else byDepartement.set(record.departement, [record.code]);
  }

  const formerCodes = new Map<string, string>();
  for (const record of sources.communes) {
    if (record.type === CURRENT_COMMUNE) {
      for (const former of record.anciensCodes ?? []) {
        if (!communes.has(former)) formerCodes.set(former, record.code);
      }
      continue;
    }
    const parent = record.chefLieu ?? record.commune;
    if (parent !== undefined && !communes.has(record.code) && communes.has(parent)) {
      formerCodes.set(record.code, parent);
    }
  }

  const epciMembers = new Map<string, readonly string[]>();
  const epciNames = new Map<string, string>();
  for (const record of sources.epcis) {
    // Members are current communes in the data; keeping only known ones guards against a
    // mismatch between files and keeps "every resolved code is a current commune" true.
    const members = unique(record.membres.map((member) => member.code).filter((code) => communes.has(code)));
    epciMembers.set(record.code, Object.freeze(members));
    epciNames.set(record.code, record.nom);
    for (const code of members) {
      const commune = communes.get(code);
      if (commune) commune.epci = record.code;
    }
  }

  const departements = new Map<string, readonly string[]>();
  for (const [code, list] of byDepartement) departements.set(code, Object.freeze(unique(list)));
  const departementNames = new Map<string, string>();
  for (const record of sources.departements) departementNames.set(record.code, record.nom);
  for (const commune of communes.values()) Object.freeze(commune);

  return {
    commune: (code) => communes.get(code),
    epci: (code) => epciMembers.get(code),
    epciNom: (code) => epciNames.get(code),
    departement: (code) => departements.get(code),
    departementNom: (code) => departementNames.get(code),
    currentCommuneOf: (code) => formerCodes.get(code),
    counts: Object.freeze({ communes: communes.size, epcis: epciMembers.size, departements: departements.size }),
  };
}

function loadSources(): TerritorySources {
  // The package has no `exports` map, so its data files resolve as plain subpaths. They are read
  // and parsed here rather than `require`d so that the module cache does not keep the records.
  const resolve = createRequire(import.meta.url).resolve;
  const read = (file: string): unknown =>
    JSON.parse(readFileSync(resolve(`@etalab/decoupage-administratif/data/${file}.json`), 'utf8'));
  return {
    communes: asArray<CommuneRecord>(read('communes'), 'communes'),
    epcis: asArray<EpciRecord>(read('epci'), 'epci'),
    departements: asArray<DepartementRecord>(read('departements'), 'departements'),
  };
}

/** A light check that a data file has the expected shape (an array of records with a code). */
function asArray<T extends { code: string }>(value: unknown, file: string): T[] {
  if (!Array.isArray(value) || !value.every((item) => typeof (item as { code?: unknown })?.code === 'string')) {
    throw new Error(`@etalab/decoupage-administratif: unexpected content in data/${file}.json`);
  }
  return value as T[];
}

/**
 * The current communes a perimeter covers: its communes, the members of its EPCI and the communes
 * of its départements (codes assumed known: callers refuse unknown ones with their own message).
 */
export function expandPerimeter(
  perimeter: { communes: readonly string[]; epcis: readonly string[]; departements: readonly string[] },
  lookup: Territory,
): string[] {
  const resolved = new Set(perimeter.communes);
  for (const code of perimeter.epcis) for (const member of lookup.epci(code) ?? []) resolved.add(member);
  for (const code of perimeter.departements) for (const member of lookup.departement(code) ?? []) resolved.add(member);
  return [...resolved].sort();
}

function unique(codes: readonly string[]): string[] {
  return [...new Set(codes)].sort();
}
