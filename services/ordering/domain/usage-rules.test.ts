import { beforeAll, describe, expect, it } from 'vitest';
import {
  DomainError,
  PLACE_TYPES,
  PUBLICS,
  SERVICE_CATEGORIES,
  UsageRules,
  territory,
  validate,
  type Offer,
} from '@aptic/contracts';
import { resolveUsageRules, type UsageRulesInput } from './usage-rules.ts';

const ISSUED = { issuedOn: '2026-03-10' };
/** SIREN of the CA du Grand Angoulême (38 communes, millésime 2026). */
const GRAND_ANGOULEME = '200071827';
const ANGOULEME = '16015';

// The data files are read once, by the first call; later calls share the lookup.
beforeAll(() => {
  territory();
});

function resolve(input: UsageRulesInput, offer: Offer = 'premium', context = ISSUED): UsageRules {
  return resolveUsageRules(input, offer, context);
}

/** The refusal resolveUsageRules throws, or a failure when it resolves instead. */
function refusalOf(input: UsageRulesInput, offer: Offer = 'premium', context = ISSUED): DomainError {
  try {
    resolveUsageRules(input, offer, context);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal, got usage rules');
}

function expectRefusal(error: DomainError, code: string, field: string): void {
  expect(error.code).toBe(code);
  expect(error.field).toBe(field);
  expect(error.status).toBe(422);
  expect(error.message).toMatch(/\S/);
}

describe('territory lookup', () => {
  it('knows current communes, with their département and EPCI', () => {
    expect(territory().commune(ANGOULEME)).toEqual({
      code: ANGOULEME,
      nom: 'Angoulême',
      departement: '16',
      epci: GRAND_ANGOULEME,
    });
    expect(territory().epciNom(GRAND_ANGOULEME)).toBe('CA du Grand Angoulême');
    expect(territory().departementNom('16')).toBe('Charente');
  });

  it('counts only communes actuelles, not arrondissements municipaux nor communes déléguées', () => {
    expect(territory().commune('75056')?.nom).toBe('Paris');
    expect(territory().commune('75112')).toBeUndefined();
    expect(territory().commune('13201')).toBeUndefined();
    // Cordieux, commune associée of Montluel
    expect(territory().commune('01120')).toBeUndefined();
    expect(territory().currentCommuneOf('75112')).toBe('75056');
    expect(territory().currentCommuneOf('01120')).toBe('01262');
    expect(territory().counts.communes).toBeGreaterThan(34_000);
    expect(territory().counts.communes).toBeLessThan(36_000);
  });

  it('is built once and shared', () => {
    expect(territory()).toBe(territory());
  });
});

describe('perimeter', () => {
  it('resolves a single commune', () => {
    const rules = resolve({ perimeter: { communes: [ANGOULEME] } });
    expect(rules.perimeter).toEqual({ communes: [ANGOULEME], epcis: [], departements: [] });
    expect(rules.resolvedCommunes).toEqual([ANGOULEME]);
  });

  it('expands an EPCI to its member communes', () => {
    const rules = resolve({ perimeter: { epcis: [GRAND_ANGOULEME] } });
    expect(rules.perimeter.epcis).toEqual([GRAND_ANGOULEME]);
    expect(rules.resolvedCommunes).toHaveLength(38);
    expect(rules.resolvedCommunes).toContain(ANGOULEME);
    expect(rules.resolvedCommunes.every((code) => code.startsWith('16'))).toBe(true);
  });

  it('expands a département to all its current communes', () => {
    const rules = resolve({ perimeter: { departements: ['16'] } });
    // Charente has 359 communes actuelles in the 2026 COG (package v6); counting the communes
    // déléguées or associées as well would give more.
    expect(rules.resolvedCommunes).toHaveLength(359);
    expect(rules.resolvedCommunes.length).toBeGreaterThan(300);
    expect(rules.resolvedCommunes.every((code) => code.startsWith('16'))).toBe(true);
    expect(rules.resolvedCommunes).toContain(ANGOULEME);
  });

  it('handles Corsica (2A, 2B)', () => {
    const rules = resolve({ perimeter: { departements: ['2A'], communes: ['2B033'] } });
    expect(rules.resolvedCommunes).toHaveLength(124 + 1);
    expect(rules.resolvedCommunes).toContain('2A004'); // Ajaccio
    expect(rules.resolvedCommunes).toContain('2B033'); // Bastia
    expect(rules.resolvedCommunes.filter((code) => !code.startsWith('2A'))).toEqual(['2B033']);
  });

  it('handles overseas départements (971)', () => {
    const rules = resolve({ perimeter: { departements: ['971'], communes: ['97411'] } });
    expect(rules.resolvedCommunes).toHaveLength(32 + 1);
    expect(rules.resolvedCommunes).toContain('97105'); // Basse-Terre
    expect(rules.resolvedCommunes).toContain('97411'); // Saint-Denis (La Réunion)
  });

  it('takes the union of communes, EPCIs and départements, without duplicates, sorted', () => {
    const rules = resolve({
      perimeter: {
        communes: ['17300', ANGOULEME, '17300', ANGOULEME],
        epcis: [GRAND_ANGOULEME, GRAND_ANGOULEME],
        departements: ['16', '16'],
      },
    });
    expect(rules.perimeter).toEqual({ communes: [ANGOULEME, '17300'], epcis: [GRAND_ANGOULEME], departements: ['16'] });
    expect(rules.resolvedCommunes).toHaveLength(359 + 1); // Charente + La Rochelle
    expect(rules.resolvedCommunes).toEqual([...new Set(rules.resolvedCommunes)].sort());
  });

  it('means "anywhere" when empty', () => {
    for (const perimeter of [undefined, {}, { communes: [], epcis: [], departements: [] }]) {
      const rules = resolve(perimeter === undefined ? {} : { perimeter });
      expect(rules.perimeter).toEqual({ communes: [], epcis: [], departements: [] });
      expect(rules.resolvedCommunes).toEqual([]);
    }
  });

  it('refuses an unknown commune, naming it', () => {
    const error = refusalOf({ perimeter: { communes: [ANGOULEME, '16999'] } });
    expectRefusal(error, 'unknown_commune', 'perimeter.communes');
    expect(error.message).toContain('16999');
    expect(error.message).not.toContain(ANGOULEME);
    expectRefusal(refusalOf({ perimeter: { communes: ['abc'] } }), 'unknown_commune', 'perimeter.communes');
  });

  it('refuses an arrondissement municipal or a former commune, naming the code to use', () => {
    const error = refusalOf({ perimeter: { communes: ['75112'] } });
    expectRefusal(error, 'unknown_commune', 'perimeter.communes');
    expect(error.message).toContain('75112');
    expect(error.message).toContain('Paris');
    expect(error.message).toContain('75056');
  });

  it('names every unknown commune, up to a limit', () => {
    const error = refusalOf({ perimeter: { communes: ['16998', '16999'] } });
    expect(error.message).toContain('16998');
    expect(error.message).toContain('16999');
    const many = Array.from({ length: 15 }, (_, index) => `99${String(index).padStart(3, '0')}`);
    expect(refusalOf({ perimeter: { communes: many } }).message).toContain('et 5 autres');
  });

  it('refuses an unknown EPCI', () => {
    const error = refusalOf({ perimeter: { epcis: ['123456789'] } });
    expectRefusal(error, 'unknown_epci', 'perimeter.epcis');
    expect(error.message).toContain('123456789');
    // a commune's own SIREN is not an EPCI's
    expectRefusal(refusalOf({ perimeter: { epcis: ['211600150'] } }), 'unknown_epci', 'perimeter.epcis');
  });

  it('refuses an unknown département, with a hint for Corsica and the collectivités d’outre-mer', () => {
    const error = refusalOf({ perimeter: { departements: ['99'] } });
    expectRefusal(error, 'unknown_departement', 'perimeter.departements');
    expect(error.message).toContain('99');
    const corsica = refusalOf({ perimeter: { departements: ['20'] } });
    expectRefusal(corsica, 'unknown_departement', 'perimeter.departements');
    expect(corsica.message).toContain('2A');
    // Saint-Barthélemy is in the data but is no département; its commune can be listed.
    expectRefusal(refusalOf({ perimeter: { departements: ['977'] } }), 'unknown_departement', 'perimeter.departements');
    expect(resolve({ perimeter: { communes: ['97701'] } }).resolvedCommunes).toEqual(['97701']);
  });

  it('refuses more listed communes than the contract carries', () => {
    const northernDepartements = ['59', '62', '80', '02', '60', '76', '27', '14'];
    const codes = northernDepartements.flatMap((code) => territory().departement(code) ?? []);
    const fiveThousandAndOne = codes.slice(0, 5_001);
    expect(fiveThousandAndOne).toHaveLength(5_001);
    expectRefusal(
      refusalOf({ perimeter: { communes: fiveThousandAndOne } }),
      'too_many_communes',
      'perimeter.communes',
    );
    expect(resolve({ perimeter: { communes: fiveThousandAndOne.slice(0, 5_000) } }).resolvedCommunes).toHaveLength(
      5_000,
    );
  });
});

describe('validity', () => {
  it('defaults to the issue date until 31 December of that year', () => {
    const rules = resolve({});
    expect(rules.validFrom).toBe('2026-03-10');
    expect(rules.validUntil).toBe('2026-12-31');
  });

  it('ends by default on 31 December of the year of validFrom', () => {
    expect(resolve({ validFrom: '2026-06-01' })).toMatchObject({ validFrom: '2026-06-01', validUntil: '2026-12-31' });
    expect(resolve({ validFrom: '2027-01-15' })).toMatchObject({ validFrom: '2027-01-15', validUntil: '2027-12-31' });
  });

  it('starts by default on the issue date when only the end is set', () => {
    expect(resolve({ validUntil: '2026-09-30' })).toMatchObject({ validFrom: '2026-03-10', validUntil: '2026-09-30' });
  });

  it('accepts a one-day validity, the issue date and 31 December', () => {
    expect(resolve({ validFrom: '2026-03-10', validUntil: '2026-03-10' })).toMatchObject({
      validFrom: '2026-03-10',
      validUntil: '2026-03-10',
    });
    expect(resolve({ validFrom: '2026-12-31' }).validUntil).toBe('2026-12-31');
  });

  it('refuses an end before the start', () => {
    const error = refusalOf({ validFrom: '2026-06-01', validUntil: '2026-05-31' });
    expectRefusal(error, 'invalid_validity', 'validUntil');
    expect(error.message).toContain('31/05/2026');
    // with the default start, the issue date
    expectRefusal(refusalOf({ validUntil: '2026-03-09' }), 'invalid_validity', 'validUntil');
  });

  it('refuses a validity beyond 31 December of its year (the January grace is for redemption)', () => {
    const error = refusalOf({ validFrom: '2026-06-01', validUntil: '2027-01-31' });
    expectRefusal(error, 'validity_too_long', 'validUntil');
    expect(error.message).toContain('31/12/2026');
  });

  it('refuses a start before the issue date', () => {
    const error = refusalOf({ validFrom: '2026-03-09' });
    expectRefusal(error, 'validity_in_past', 'validFrom');
    expect(error.message).toContain('09/03/2026');
  });

  it('refuses dates that are not calendar dates', () => {
    expectRefusal(refusalOf({ validFrom: '2026-02-30' }), 'invalid_date', 'validFrom');
    expectRefusal(refusalOf({ validUntil: '2026-13-01' }), 'invalid_date', 'validUntil');
    expectRefusal(refusalOf({ validUntil: '31/12/2026' }), 'invalid_date', 'validUntil');
    expect(resolve({}, 'premium', { issuedOn: '2028-02-29' }).validUntil).toBe('2028-12-31');
  });

  it('insists on a real issue date from its caller', () => {
    expect(() => resolve({}, 'premium', { issuedOn: '2026-02-29' })).toThrow(TypeError);
  });
});

describe('service categories, types of places, publics', () => {
  it('lists the nine categories of the national référentiel', () => {
    expect(SERVICE_CATEGORIES).toHaveLength(9);
    for (const list of [SERVICE_CATEGORIES, PLACE_TYPES, PUBLICS]) {
      const codes = list.map((entry) => entry.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
    }
    expect(SERVICE_CATEGORIES.map((entry) => entry.label)).toContain('Aide aux démarches administratives');
    expect(PLACE_TYPES).toHaveLength(9);
    expect(PUBLICS).toHaveLength(8);
  });

  it('targets service categories on Premium, without duplicates, sorted', () => {
    const rules = resolve({
      serviceCategories: [
        'utilisation_securisee_numerique',
        'aide_demarches_administratives',
        'utilisation_securisee_numerique',
      ],
    });
    expect(rules.serviceCategories).toEqual(['aide_demarches_administratives', 'utilisation_securisee_numerique']);
  });

  it('reserves service targeting to Premium', () => {
    for (const offer of ['standard', 'plus'] as const) {
      const error = refusalOf({ serviceCategories: ['aide_demarches_administratives'] }, offer);
      expectRefusal(error, 'service_targeting_requires_premium', 'serviceCategories');
      expect(error.message).toContain('Premium');
      expect(resolve({ serviceCategories: [] }, offer).serviceCategories).toEqual([]);
    }
  });

  it('refuses an unknown service category', () => {
    const error = refusalOf({ serviceCategories: ['aide_demarches_administratives', 'jardinage'] });
    expectRefusal(error, 'unknown_service_category', 'serviceCategories');
    expect(error.message).toContain('jardinage');
  });

  it('restricts types of places and publics, without duplicates, sorted', () => {
    const rules = resolve(
      { placeTypes: ['mairie', 'fablab', 'mairie'], publics: ['seniors', 'jeunes', 'seniors'] },
      'standard',
    );
    expect(rules.placeTypes).toEqual(['fablab', 'mairie']);
    expect(rules.publics).toEqual(['jeunes', 'seniors']);
  });

  it('refuses an unknown type of place', () => {
    const error = refusalOf({ placeTypes: ['fablab', 'piscine'] });
    expectRefusal(error, 'unknown_place_type', 'placeTypes');
    expect(error.message).toContain('piscine');
  });

  it('refuses an unknown public', () => {
    const error = refusalOf({ publics: ['martiens'] });
    expectRefusal(error, 'unknown_public', 'publics');
    expect(error.message).toContain('martiens');
  });
});

describe('the resolved rules', () => {
  it('match the UsageRules contract', () => {
    const rules = resolve({
      validFrom: '2026-04-01',
      validUntil: '2026-10-31',
      perimeter: { communes: ['2B033', '97105'], epcis: [GRAND_ANGOULEME], departements: ['2A', '971'] },
      placeTypes: ['espace_public_numerique'],
      serviceCategories: ['acces_internet_materiel_informatique'],
      publics: ['tous_publics'],
    });
    expect(validate(UsageRules, rules)).toEqual({ ok: true, value: rules });
    expect(validate(UsageRules, resolve({})).ok).toBe(true);
  });

  it('activate the passes at hand-out only when asked, and only for an offer with a distribution network', () => {
    expect(resolve({}).activation).toBeUndefined();
    expect(resolve({ activation: 'delivery' }).activation).toBeUndefined();
    expect(resolve({ activation: 'hand_out' }, 'plus').activation).toBe('hand_out');
    expect(() => resolve({ activation: 'hand_out' }, 'standard')).toThrowError(
      expect.objectContaining({ code: 'activation_requires_network', field: 'activation' }),
    );
  });
});
