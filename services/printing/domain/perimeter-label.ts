import type { Perimeter } from '@aptic/contracts';

/** Names of the territories a perimeter lists (the territory lookup of @aptic/contracts); a code stays as is when unnamed. */
export type TerritoryNames = {
  departementNom(code: string): string | undefined;
  epciNom(code: string): string | undefined;
  communeNom(code: string): string | undefined;
};

/** More names than this do not fit the pass's line: the first ones, then a count. */
const MAX_NAMES = 3;

/**
 * Where the passes are valid, as the pass and cover print it after "Valable du … au … ·":
 * "Charente (16)", "CA du Grand Angoulême, Cognac", "Angoulême, Cognac, Jarnac et 4 autres
 * territoires"; "partout en France" when the order sets no perimeter.
 */
export function perimeterLabel(p: Perimeter, names: TerritoryNames): string {
  const all = [
    ...p.departements.map((code) => `${names.departementNom(code) ?? 'Département'} (${code})`),
    ...p.epcis.map((code) => names.epciNom(code) ?? `EPCI ${code}`),
    ...p.communes.map((code) => names.communeNom(code) ?? `commune ${code}`),
  ];
  if (all.length === 0) return 'partout en France';
  if (all.length <= MAX_NAMES) return all.join(', ');
  const rest = all.length - MAX_NAMES;
  return `${all.slice(0, MAX_NAMES).join(', ')} et ${rest} autre${rest > 1 ? 's' : ''} territoire${rest > 1 ? 's' : ''}`;
}
