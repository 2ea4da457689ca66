import { electronicFormatIBAN, isValidBIC, validateIBAN } from 'ibantools';
import { DomainError } from '@aptic/contracts';

export interface BankDetails {
  iban: string;
  bic: string;
}

/** Normalises (no spaces, upper case) and checks an IBAN and a BIC for the monthly payouts. */
export function checkBankDetails(input: BankDetails): BankDetails {
  const iban = electronicFormatIBAN(input.iban) ?? '';
  if (!validateIBAN(iban).valid)
    throw new DomainError('invalid_iban', 'L’IBAN est invalide (longueur, pays ou clé de contrôle).', {
      status: 422,
      field: 'iban',
    });
  const bic = input.bic.replace(/\s+/g, '').toUpperCase();
  if (!isValidBIC(bic))
    throw new DomainError('invalid_bic', 'Le BIC est invalide (8 ou 11 caractères).', { status: 422, field: 'bic' });
  return { iban, bic };
}

/**
 * What everyone but finance sees of an IBAN: country, key and the last four characters, enough
 * to tell two accounts apart on the phone, not enough to pay into one.
 */
export function maskIban(iban: string): string {
  return `${iban.slice(0, 4)}${'•'.repeat(Math.max(0, iban.length - 8))}${iban.slice(-4)}`;
}
