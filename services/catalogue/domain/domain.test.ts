import { describe, expect, test } from 'vitest';
import { SERVICE_CATEGORIES } from '@aptic/contracts';
import { REFERENTIEL } from './referentiel.ts';
import { checkPrice, checkDuration } from './money.ts';
import { haversineKm } from './geo.ts';
import { isValidOpeningHours, openAt } from './hours.ts';
import { placeIdFromNationalId } from './place-id.ts';
import { resolveCommune } from './communes.ts';
import { formatsOf, placeTypeOf, readServices } from './vocabulary.ts';

describe('référentiel', () => {
  test('the nine national categories are offerable, sub-services belong to one, codes are unique', () => {
    for (const c of SERVICE_CATEGORIES) expect(REFERENTIEL.find((s) => s.code === c.code)?.label).toBe(c.label);
    expect(new Set(REFERENTIEL.map((s) => s.code)).size).toBe(REFERENTIEL.length);
    expect(REFERENTIEL.length).toBeGreaterThan(SERVICE_CATEGORIES.length);
    for (const s of REFERENTIEL) expect(SERVICE_CATEGORIES.some((c) => c.code === s.categoryCode)).toBe(true);
  });
});

describe('money and duration', () => {
  test('a price must be integer cents within bounds', () => {
    expect(checkPrice(1000)).toBe(1000);
    expect(checkPrice(0)).toBe(0);
    expect(() => checkPrice(10.5)).toThrow(expect.objectContaining({ code: 'price_not_cents', field: 'priceCents' }));
    expect(() => checkPrice('1000')).toThrow(expect.objectContaining({ code: 'price_not_cents' }));
    expect(() => checkPrice(-1)).toThrow(expect.objectContaining({ code: 'price_out_of_range' }));
    expect(() => checkDuration(2)).toThrow(expect.objectContaining({ code: 'duration_out_of_range' }));
  });
});

describe('geometry', () => {
  test('Angoulême – Cognac is about 40 km', () => {
    const angouleme = { latitude: 45.6484, longitude: 0.1562 };
    const cognac = { latitude: 45.6958, longitude: -0.3287 };
    expect(haversineKm(angouleme, cognac)).toBeGreaterThan(37);
    expect(haversineKm(angouleme, cognac)).toBeLessThan(40);
  });
});

describe('opening hours', () => {
  const hours = 'Mo-Fr 09:00-12:00,14:00-17:30; PH off';
  test('evaluated in Paris time whatever the server zone', () => {
    expect(isValidOpeningHours(hours)).toBe(true);
    expect(isValidOpeningHours('n’importe quoi')).toBe(false);
    // Monday 8 January 2024, 10:30 in Paris = 09:30 UTC.
    expect(openAt(new Date('2024-01-08T09:30:00Z'))(hours)).toBe(true);
    // 12:30 in Paris: lunch break.
    expect(openAt(new Date('2024-01-08T11:30:00Z'))(hours)).toBe(false);
    // Summer time: 08:30 UTC is 10:30 in Paris, open.
    expect(openAt(new Date('2024-07-08T08:30:00Z'))(hours)).toBe(true);
    // 1 January is a public holiday.
    expect(openAt(new Date('2024-01-01T09:30:00Z'))(hours)).toBe(false);
  });

  test('one search, many places: each value judged at the same instant; unknown or unreadable hours are not open', () => {
    const isOpen = openAt(new Date('2024-01-09T09:00:00Z'));
    expect(
      [hours, 'Mo,We,Fr 14:00-17:30', hours, 'Tu-Sa 10:00-18:00', null, undefined, '', 'n’importe quoi'].map(isOpen),
    ).toEqual([true, false, true, true, false, false, false, false]);
  });
});

describe('place ids and communes', () => {
  test('a national id always gives the same UUID', () => {
    const id = placeIdFromNationalId('mediation-numerique-123');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(placeIdFromNationalId('mediation-numerique-123')).toBe(id);
    expect(placeIdFromNationalId('mediation-numerique-124')).not.toBe(id);
  });
  test('communes resolve by INSEE code, by postal code and name, and CEDEX codes by name in the département', () => {
    expect(resolveCommune({ inseeCode: '16015' })?.commune.name).toBe('Angoulême');
    expect(resolveCommune({ postalCode: '16100', name: 'CHÂTEAUBERNARD' })?.commune.code).toBe('16089');
    expect(resolveCommune({ postalCode: '16016', name: 'ANGOULEME' })?.commune.code).toBe('16015');
    expect(resolveCommune({ postalCode: '16999', name: 'Nulle-Part' })).toBeUndefined();
  });
});

describe('vocabularies', () => {
  test('v1 labels with |, v0 labels with ;, unknown labels reported', () => {
    expect(readServices('Aide aux démarches administratives|Compréhension du monde numérique').categories).toEqual([
      'aide_demarches_administratives',
      'comprehension_monde_numerique',
    ]);
    expect(
      readServices('Prendre en main un ordinateur;Accéder à une connexion internet;Utiliser le numérique au quotidien')
        .categories,
    ).toEqual(['maitrise_outils_numeriques_quotidien', 'acces_internet_materiel_informatique']);
    expect(readServices('Aide aux démarches administratives|Réparer des vélos').unknown).toEqual(['Réparer des vélos']);
  });
  test('types and formats', () => {
    expect(placeTypeOf('CC|CCAS')).toBe('autre');
    expect(placeTypeOf('PIJ_BIJ|TIERS_LIEUX')).toBe('tiers_lieu');
    expect(formatsOf('Accompagnement individuel')).toEqual([false]);
    expect(formatsOf('Dans un atelier collectif|En autonomie')).toEqual([true]);
    expect(formatsOf('')).toEqual([false]);
  });
});
