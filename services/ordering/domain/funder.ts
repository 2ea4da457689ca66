import { DomainError, isValidSiret } from '@aptic/contracts';

/** Checks what the schema cannot: the SIRET's key. */
export function checkFunderSiret(siret: string): void {
  if (!isValidSiret(siret)) {
    throw new DomainError('invalid_siret', 'Le numéro SIRET est invalide (14 chiffres, clé de contrôle incorrecte).', {
      status: 422,
      field: 'siret',
    });
  }
}
