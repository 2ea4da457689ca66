import { expect, test } from 'vitest';
import { assertMayEdit, checkPlace, patched, type PlaceInput } from './place.ts';
import { maskIban } from './bank.ts';
import { KIT_PRICES } from './kit.ts';

const valid: PlaceInput = {
  name: ' Espace numérique de Basseau ',
  siret: '73282932000074',
  type: 'espace_public_numerique',
  address: { line1: '12 rue de Basseau', postalCode: '16000', city: 'Angoulême' },
  communeCode: '16015',
  latitude: 45.65,
  longitude: 0.15,
  openingHours: 'Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00',
  iban: 'fr76 3000 6000 0112 3456 7890 189',
  bic: 'agrifrpp',
};

test('a valid place is normalised and placed in its EPCI and département', () => {
  const place = checkPlace(valid);
  expect(place).toMatchObject({
    name: 'Espace numérique de Basseau',
    pivot: '73282932000074',
    pivotKind: 'siret',
    bank: { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' },
  });
  expect(place.commune).toEqual({ code: '16015', nom: 'Angoulême', departement: '16', epci: '200071827' });
});

test('an association may give its RNA number instead of a SIRET, never both', () => {
  const { siret: _, ...noSiret } = valid;
  expect(checkPlace({ ...noSiret, rna: 'w161000123' })).toMatchObject({ pivot: 'W161000123', pivotKind: 'rna' });
  expect(() => checkPlace({ ...valid, rna: 'W161000123' })).toThrowError(
    expect.objectContaining({ code: 'pivot_required' }),
  );
  expect(() => checkPlace(noSiret)).toThrowError(expect.objectContaining({ code: 'pivot_required' }));
});

test.each([
  [{ siret: '73282932000075' }, 'invalid_siret', 'siret'],
  [{ type: 'cafe' }, 'unknown_place_type', 'type'],
  [{ communeCode: '16999' }, 'unknown_commune', 'communeCode'],
  [{ openingHours: 'Mo-Fr 25:00-99' }, 'invalid_opening_hours', 'openingHours'],
  [{ openingHours: 'tous les jours' }, 'invalid_opening_hours', 'openingHours'],
  [{ iban: 'FR7630006000011234567890188' }, 'invalid_iban', 'iban'],
  [{ iban: 'FR76' }, 'invalid_iban', 'iban'],
  [{ bic: 'AGRI' }, 'invalid_bic', 'bic'],
  [{ bic: undefined }, 'incomplete_bank_details', 'bic'],
])('%j is refused: %s', (change, code, field) => {
  expect(() => checkPlace({ ...valid, ...change } as PlaceInput)).toThrowError(
    expect.objectContaining({ code, field, status: 422 }),
  );
});

test('an edit: the patch over the place; SIRET and RNA replace each other, IBAN and BIC come together', () => {
  expect(patched(valid, { name: 'EPN de Basseau', latitude: 45.7 })).toEqual({
    ...valid,
    name: 'EPN de Basseau',
    latitude: 45.7,
  });
  const association = patched(valid, { rna: 'W161000123' });
  expect([association.siret, association.rna]).toEqual([undefined, 'W161000123']);
  expect(checkPlace(association)).toMatchObject({ pivot: 'W161000123', pivotKind: 'rna' });
  expect(() => checkPlace(patched(valid, { iban: 'FR1420041010050500013M02606' }))).toThrowError(
    expect.objectContaining({ code: 'incomplete_bank_details', field: 'bic' }),
  );
});

test('support edits a place, finance its IBAN and BIC, admin both', () => {
  expect(() => assertMayEdit('support', { name: 'X', openingHours: 'Mo 10:00-12:00' })).not.toThrow();
  expect(() => assertMayEdit('support', { name: 'X', bic: 'AGRIFRPP' })).toThrowError(
    expect.objectContaining({ code: 'bank_details_finance_only', field: 'bic', status: 403 }),
  );
  expect(() => assertMayEdit('finance', { iban: 'FR76', bic: 'AGRIFRPP' })).not.toThrow();
  expect(() => assertMayEdit('finance', { iban: 'FR76', bic: 'AGRIFRPP', name: 'X' })).toThrowError(
    expect.objectContaining({ code: 'place_details_support_only', field: 'name', status: 403 }),
  );
  expect(() => assertMayEdit('admin', { iban: 'FR76', bic: 'AGRIFRPP', name: 'X' })).not.toThrow();
});

test('the IBAN is masked to its country, key and last four characters', () => {
  expect(maskIban('FR7630006000011234567890189')).toBe('FR76•••••••••••••••••••0189');
});

test('kit prices: 7 € HT (8.40 € TTC) a month, 77 € HT a year', () => {
  expect(KIT_PRICES.monthly).toEqual({ exclVatCents: 700, vatCents: 140, inclVatCents: 840 });
  expect(KIT_PRICES.yearly).toEqual({ exclVatCents: 7700, vatCents: 1540, inclVatCents: 9240 });
});
