import { expect, test } from 'vitest';
import { openDataCsv } from './open-data.ts';

test('open-data CSV: a commune name starting like a formula is neutralised', () => {
  const csv = openDataCsv([
    {
      mois: '2026-11',
      code_commune: '16015',
      nom_commune: '@Angoulême',
      service: 'tous',
      type_lieu: 'tous',
      nombre_pass: 12,
      secret_statistique: false,
    },
  ]);
  expect(csv.split('\r\n')[1]).toBe("2026-11;16015;'@Angoulême;tous;tous;12;false");
});
