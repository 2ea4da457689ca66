/**
 * French communes from @etalab/decoupage-administratif (INSEE code, name, département, postal
 * codes). That data carries no coordinates: a commune's centre is derived elsewhere from the
 * places we know in it (see db/nearby.ts).
 */
import { createRequire } from 'node:module';

export interface Commune {
  code: string;
  name: string;
  departementCode: string;
  postalCodes: string[];
  /** INSEE population municipale (the package's millésime) */
  population: number;
}

/** Where an address lies: its commune, and the arrondissement municipal (Paris, Lyon, Marseille) when known. */
export interface Located {
  commune: Commune;
  arrondissementCode: string | null;
  /** the postal code and the commune disagree (a mistyped postal code): said, for staff to fix */
  mismatch?: string;
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  codesPostaux?: string[];
  population?: number;
  /** delegated/associated communes: the code of the commune they now belong to */
  chefLieu?: string;
  commune?: string;
}

type Named = { name: string; commune: Commune; arrondissementCode: string | null };
interface Index {
  byCode: Map<string, Commune>;
  arrondissements: Map<string, { commune: Commune; postalCodes: string[] }>;
  byPostal: Map<string, Named[]>;
  byName: Map<string, Named[]>;
}
let index: Index | undefined;

/** Lower case, no accents, no punctuation: "CHÂTEAUBERNARD" and "Châteaubernard" meet. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\b(st)\b/g, 'saint')
    .replace(/\b(ste)\b/g, 'sainte')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function load(): Index {
  if (index) return index;
  // 37 000 rows (8 MB): read once, on first use, not at start.
  const raw = createRequire(import.meta.url)('@etalab/decoupage-administratif/data/communes.json') as RawCommune[];
  const byCode = new Map<string, Commune>();
  for (const c of raw) {
    if (c.type !== 'commune-actuelle' || !c.departement) continue;
    byCode.set(c.code, {
      code: c.code,
      name: c.nom,
      departementCode: c.departement,
      postalCodes: c.codesPostaux ?? [],
      population: c.population ?? 0,
    });
  }
  const arrondissements = new Map<string, { commune: Commune; postalCodes: string[] }>();
  const byPostal = new Map<string, Named[]>();
  const byName = new Map<string, Named[]>();
  const add = (map: Map<string, Named[]>, key: string, entry: Named) => map.set(key, [...(map.get(key) ?? []), entry]);
  for (const c of raw) {
    // A former commune's name still appears in addresses: it resolves to the commune it joined.
    const commune = byCode.get(c.type === 'commune-actuelle' ? c.code : (c.commune ?? c.chefLieu ?? ''));
    if (!commune) continue;
    const arrondissementCode = c.type === 'arrondissement-municipal' ? c.code : null;
    if (arrondissementCode) arrondissements.set(arrondissementCode, { commune, postalCodes: c.codesPostaux ?? [] });
    const entry = { name: normaliseName(c.nom), commune, arrondissementCode };
    for (const cp of c.codesPostaux ?? commune.postalCodes) add(byPostal, cp, entry);
    add(byName, entry.name, entry);
  }
  return (index = { byCode, arrondissements, byPostal, byName });
}

export function communeByCode(code: string): Commune | undefined {
  return load().byCode.get(code);
}

/** A current commune, or the commune an arrondissement municipal divides (with the arrondissement). */
export function locateCode(code: string): Located | undefined {
  const commune = communeByCode(code);
  if (commune) return { commune, arrondissementCode: null };
  const arrondissement = load().arrondissements.get(code);
  return arrondissement && { commune: arrondissement.commune, arrondissementCode: code };
}

export function departementOfPostalCode(postalCode: string): string {
  if (postalCode.startsWith('97')) return postalCode.slice(0, 3);
  if (postalCode.startsWith('20')) return Number(postalCode) < 20200 ? '2A' : '2B';
  return postalCode.slice(0, 2);
}

const departementPrefix = (postalCode: string) =>
  postalCode.startsWith('20') ? '2' : departementOfPostalCode(postalCode);
const distinctCommunes = (entries: Named[]) => new Set(entries.map((e) => e.commune.code));

/**
 * The commune of an address: by INSEE code when given (an arrondissement's code too), else by
 * postal code and name (a postal code serves several communes; one with a single commune needs
 * no name). A name that matches none of the postal code's communes but exactly one commune of
 * another département is that commune, the postal code being the likelier typo: said in `mismatch`.
 */
export function resolveCommune(input: {
  inseeCode?: string | undefined;
  postalCode?: string | undefined;
  name?: string | undefined;
}): Located | undefined {
  const postalCode = input.postalCode ?? '';
  if (input.inseeCode) {
    const located = locateCode(input.inseeCode);
    if (!located || !postalCode) return located;
    const served = located.arrondissementCode
      ? load().arrondissements.get(located.arrondissementCode)!.postalCodes
      : located.commune.postalCodes;
    const elsewhere =
      !served.includes(postalCode) && !located.commune.departementCode.startsWith(departementPrefix(postalCode));
    return elsewhere ? { ...located, mismatch: mismatchMessage(postalCode, located.commune) } : located;
  }
  const candidates = postalCode ? (load().byPostal.get(postalCode) ?? []) : [];
  const name = normaliseName(input.name ?? '');
  const named = candidates.filter((c) => c.name === name);
  if (named.length > 0) return withArrondissement(named[0]!, candidates);
  const misplaced =
    name && candidates.length > 0
      ? uniqueNamed(name, (c) => !c.commune.departementCode.startsWith(departementPrefix(postalCode)))
      : undefined;
  if (misplaced)
    return {
      commune: misplaced.commune,
      arrondissementCode: null,
      mismatch: mismatchMessage(postalCode, misplaced.commune),
    };
  if (distinctCommunes(candidates).size === 1) return withArrondissement(candidates[0]!, candidates);
  return byNameInDepartement(name, input.postalCode);
}

function mismatchMessage(postalCode: string, commune: Commune): string {
  return `code postal ${postalCode} incohérent avec la commune ${commune.name} (${commune.code}, département ${commune.departementCode}) : vérifiez-le`;
}

/** A commune with arrondissements: the arrondissement when the postal code designates exactly one. */
function withArrondissement(entry: Named, candidates: Named[]): Located {
  const parts = candidates.filter((c) => c.arrondissementCode && c.commune.code === entry.commune.code);
  return {
    commune: entry.commune,
    arrondissementCode: entry.arrondissementCode ?? (parts.length === 1 ? parts[0]!.arrondissementCode : null),
  };
}

function uniqueNamed(name: string, keep: (entry: Named) => boolean): Named | undefined {
  const found = (load().byName.get(name) ?? []).filter(keep);
  return distinctCommunes(found).size === 1 ? found[0] : undefined;
}

/** CEDEX or outdated postal codes: the name alone, within the postal code's département. */
function byNameInDepartement(name: string, postalCode: string | undefined): Located | undefined {
  if (!postalCode || !name) return undefined;
  const found = uniqueNamed(name, (c) => c.commune.departementCode.startsWith(departementPrefix(postalCode)));
  return found && { commune: found.commune, arrondissementCode: null };
}
