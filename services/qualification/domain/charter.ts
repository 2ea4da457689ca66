import { DomainError } from '@aptic/contracts';

/** The charter (charte #APTIC) version a place signs now; a new text gets a new version. */
export const CURRENT_CHARTER = '2025-01';
const KNOWN = new Set([CURRENT_CHARTER]);

export function checkCharterVersion(version: string): void {
  if (!KNOWN.has(version))
    throw new DomainError(
      'unknown_charter_version',
      `Version de charte inconnue : ${version} (version en vigueur : ${CURRENT_CHARTER}).`,
      { status: 422, field: 'version' },
    );
}
