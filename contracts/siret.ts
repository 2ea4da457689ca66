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
