import type { Perimeter } from '@aptic/contracts';

/** How the funder's perimeter reads on a pass: short, and "partout" when there is none. */
export function perimeterLabel(p: Perimeter): string {
  const parts = [
    p.departements.length ? `département${p.departements.length > 1 ? 's' : ''} ${p.departements.join(', ')}` : '',
    p.epcis.length ? `${p.epcis.length} intercommunalité${p.epcis.length > 1 ? 's' : ''}` : '',
    p.communes.length ? `${p.communes.length} commune${p.communes.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return parts.length ? `Valable : ${parts.join(' ; ')}` : 'Valable dans tous les lieux qualifiés #APTIC';
}
