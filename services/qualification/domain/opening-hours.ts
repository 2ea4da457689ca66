import OpeningHours from 'opening_hours';
import { DomainError } from '@aptic/contracts';

/**
 * Checks opening hours written in OpenStreetMap's `opening_hours` syntax (the national schema of
 * médiation places uses it), e.g. "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00".
 * Returns the value trimmed; the library's warnings (odd but parsable values) are returned too.
 */
export function checkOpeningHours(value: string): { value: string; warnings: string[] } {
  const trimmed = value.trim();
  try {
    const parsed = new OpeningHours(trimmed, null, 0);
    return { value: trimmed, warnings: parsed.getWarnings() };
  } catch (err) {
    const detail = String(err).split('\n')[0];
    throw new DomainError(
      'invalid_opening_hours',
      `Horaires d’ouverture illisibles (syntaxe OpenStreetMap attendue, ex. « Mo-Fr 09:00-12:00,14:00-18:00 ») : ${detail}`,
      { status: 422, field: 'openingHours' },
    );
  }
}
