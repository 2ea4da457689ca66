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
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  codesPostaux?: string[];
  /** delegated/associated communes: the code of the commune they now belong to */
  chefLieu?: string;
  commune?: string;
}

type Named = { name: string; commune: Commune };
let index: { byCode: Map<string, Commune>; byPostal: Map<string, Named[]>; byName: Map<string, Named[]> } | undefined;

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

function load() {
  if (index) return index;
  // 37 000 rows (8 MB): read once, on first use, not at start.
  const raw = createRequire(import.meta.url)('@etalab/decoupage-administratif/data/communes.json') as RawCommune[];
  const byCode = new Map<string, Commune>();
  for (const c of raw) {
    if (c.type === 'commune-actuelle' && c.departement) byCode.set(c.code, { code: c.code, name: c.nom, departementCode: c.departement, postalCodes: c.codesPostaux ?? [] });
  }
  const byPostal = new Map<string, Named[]>();
  const byName = new Map<string, Named[]>();
  const add = (map: Map<string, Named[]>, key: string, entry: Named) => map.set(key, [...(map.get(key) ?? []), entry]);
  for (const c of raw) {
    // A former commune's name still appears in addresses: it resolves to the commune it joined.
    const commune = byCode.get(c.type === 'commune-actuelle' ? c.code : (c.commune ?? c.chefLieu ?? ''));
    if (!commune) continue;
    const entry = { name: normaliseName(c.nom), commune };
    for (const cp of c.codesPostaux ?? commune.postalCodes) add(byPostal, cp, entry);
    add(byName, entry.name, entry);
  }
  return (index = { byCode, byPostal, byName });
}

export function communeByCode(code: string): Commune | undefined {
  return load().byCode.get(code);
}

/**
 * The commune of an address: by INSEE code when given, else by postal code and name (a postal
 * code serves several communes); a postal code with one commune needs no name.
 */
export function resolveCommune(input: { inseeCode?: string | undefined; postalCode?: string | undefined; name?: string | undefined }): Commune | undefined {
  if (input.inseeCode) return communeByCode(input.inseeCode);
  const candidates = input.postalCode ? (load().byPostal.get(input.postalCode) ?? []) : [];
  const name = normaliseName(input.name ?? '');
  const named = candidates.find((c) => c.name === name);
  if (named) return named.commune;
  const distinct = new Set(candidates.map((c) => c.commune.code));
  if (distinct.size === 1) return candidates[0]!.commune;
  return byNameInDepartement(name, input.postalCode);
}

/** CEDEX or outdated postal codes: the name alone, within the postal code's département. */
function byNameInDepartement(name: string, postalCode: string | undefined): Commune | undefined {
  if (!postalCode || !name) return undefined;
  const dep = postalCode.startsWith('97') ? postalCode.slice(0, 3) : postalCode.startsWith('20') ? '2' : postalCode.slice(0, 2);
  const found = (load().byName.get(name) ?? []).filter((c) => c.commune.departementCode.startsWith(dep));
  const distinct = new Set(found.map((c) => c.commune.code));
  return distinct.size === 1 ? found[0]!.commune : undefined;
}
