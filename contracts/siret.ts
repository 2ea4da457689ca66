import { DomainError } from './errors.ts';

/**
 * SIRET check (14 digits, Luhn). La Poste's establishments (SIREN 356000000) are too many for
 * Luhn's keys: beside its head office (Luhn-valid), their digit sum is a multiple of 5.
 */
export function isValidSiret(siret: string): boolean {
  if (!/^[0-9]{14}$/.test(siret)) return false;
  if (luhn(siret)) return true;
  return siret.startsWith('356000000') && [...siret].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(digits[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const RNA = /^W[0-9A-Z]{9}$/;

/**
 * An organisation's identifier in the national schema ("pivot"): its SIRET, or the RNA number of
 * an association without one; exactly one of the two. `whose`: "du lieu", "du prescripteur"…
 */
export function checkPivot(
  input: { siret?: string | undefined; rna?: string | undefined },
  whose: string,
): { pivot: string; pivotKind: 'siret' | 'rna' } {
  if ((input.siret === undefined) === (input.rna === undefined)) {
    throw new DomainError('pivot_required', `Indiquez soit le SIRET, soit le numéro RNA ${whose} (un seul des deux).`, {
      status: 422,
      field: 'siret',
    });
  }
  if (input.siret !== undefined) {
    if (!isValidSiret(input.siret))
      throw new DomainError(
        'invalid_siret',
        'Le numéro SIRET est invalide (14 chiffres, clé de contrôle incorrecte).',
        { status: 422, field: 'siret' },
      );
    return { pivot: input.siret, pivotKind: 'siret' };
  }
  const rna = input.rna!.toUpperCase();
  if (!RNA.test(rna))
    throw new DomainError('invalid_rna', 'Le numéro RNA est invalide (W suivi de 9 caractères).', {
      status: 422,
      field: 'rna',
    });
  return { pivot: rna, pivotKind: 'rna' };
}
