import { expect, test } from 'vitest';
import { perimeterLabel, type TerritoryNames } from './perimeter-label.ts';

const names: TerritoryNames = {
  departementNom: (code) => ({ '16': 'Charente', '17': 'Charente-Maritime' })[code],
  epciNom: (code) => ({ '200071827': 'CA du Grand Angoulême' })[code],
  communeNom: (code) => ({ '16015': 'Angoulême', '16102': 'Cognac' })[code],
};
const perimeter = (departements: string[], epcis: string[] = [], communes: string[] = []) => ({
  departements,
  epcis,
  communes,
});

test('a perimeter reads as the names of its territories, départements with their number', () => {
  expect(perimeterLabel(perimeter(['16']), names)).toBe('Charente (16)');
  expect(perimeterLabel(perimeter([], ['200071827'], ['16102']), names)).toBe('CA du Grand Angoulême, Cognac');
  expect(perimeterLabel(perimeter([], [], []), names)).toBe('partout en France');
});

test('past three names, the rest is counted; an unnamed code stays readable', () => {
  expect(perimeterLabel(perimeter(['16', '17'], ['200071827'], ['16015', '16102']), names)).toBe(
    'Charente (16), Charente-Maritime (17), CA du Grand Angoulême et 2 autres territoires',
  );
  expect(perimeterLabel(perimeter(['99']), names)).toBe('Département (99)');
});
