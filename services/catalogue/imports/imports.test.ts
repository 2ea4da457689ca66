import { describe, expect, test } from 'vitest';
import { parseCsv } from '@aptic/runtime';
import { readRow } from './row.ts';
import { readFile } from './report.ts';

const good = {
  id: 'lieu-1',
  nom: 'Médiathèque de Cognac',
  services: 'Aide aux démarches administratives|Maîtrise des outils numériques du quotidien',
  pivot: '00000000000000',
  commune: 'Cognac',
  code_postal: '16100',
  adresse: '10 rue du Minage',
  latitude: 45.6958,
  longitude: -0.3287,
  horaires: 'Mo-Fr 09:00-17:00',
  typologie: 'BIB',
  modalites_accompagnement: 'Accompagnement individuel|Dans un atelier collectif',
};

describe('CSV', () => {
  test('comma or semicolon, quotes, embedded separators and line breaks, CRLF', () => {
    const csv = parseCsv('id;nom;services\r\n1;"Lieu ""A""; bis";"a|b"\r\n2;B;"x\ny"\r\n');
    expect(csv).toEqual({
      ok: true,
      rows: [
        { id: '1', nom: 'Lieu "A"; bis', services: 'a|b' },
        { id: '2', nom: 'B', services: 'x\ny' },
      ],
    });
  });
  test('a line with a wrong field count is marked; an unclosed quote is unreadable', () => {
    const csv = parseCsv('id,nom\n1,A,extra\n');
    expect(csv.ok && csv.rows[0]?.__malformed).toBe('3 champs au lieu de 2');
    expect(parseCsv('id,nom\n1,"A\n').ok).toBe(false);
  });
});

describe('a row of the national schema', () => {
  test('a good row becomes a place with its offers (each format)', () => {
    const r = readRow(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.place).toMatchObject({
      nationalId: 'lieu-1',
      type: 'bibliotheque',
      communeCode: '16102',
      departementCode: '16',
      latitude: 45.6958,
      openingHours: 'Mo-Fr 09:00-17:00',
    });
    expect(r.place.services).toHaveLength(4);
  });
  test('CSV text coordinates with a decimal comma; missing coordinates are left for the commune centre', () => {
    const r = readRow({ ...good, latitude: '45,6958', longitude: '-0,3287' });
    expect(r.ok && r.place.latitude).toBe(45.6958);
    const none = readRow({ ...good, latitude: '', longitude: undefined });
    expect(none.ok && none.place.latitude).toBeNull();
  });
  test.each([
    [{ id: '' }, 'champ_obligatoire', 'id'],
    [{ nom: ' ' }, 'champ_obligatoire', 'nom'],
    [{ code_postal: '1610' }, 'code_postal_invalide', 'code_postal'],
    [{ services: 'Réparer des vélos' }, 'service_inconnu', 'services'],
    [{ latitude: 'nord' }, 'coordonnees_invalides', 'latitude'],
    [{ code_insee: '99999' }, 'commune_inconnue', 'code_insee'],
    [{ commune: 'Nulle-Part', code_postal: '16999', latitude: '', longitude: '' }, 'commune_inconnue', 'commune'],
  ])('refused: %o', (change, code, field) => {
    const r = readRow({ ...good, ...change });
    expect(r).toEqual({ ok: false, refusal: expect.objectContaining({ code, field }) });
  });
  test('unreadable hours are dropped with a warning, not a refusal', () => {
    const r = readRow({ ...good, horaires: 'le matin' });
    expect(r.ok && r.place.openingHours).toBeNull();
    expect(r.ok && r.place.warnings[0]).toMatchObject({
      code: 'horaires_illisibles',
      message: expect.stringMatching(/horaires illisibles/),
    });
  });
  test('opening hours past the cap are refused before the hours library reads them (40 KB took it seconds)', () => {
    const started = performance.now();
    const r = readRow({ ...good, horaires: 'Mo-Fr 09:00-12:00,14:00-18:00; '.repeat(1_300).slice(0, 40_000) });
    expect(r).toEqual({
      ok: false,
      refusal: { code: 'champ_trop_long', message: expect.stringContaining('500'), field: 'horaires' },
    });
    expect(performance.now() - started).toBeLessThan(100);
  });

  test('a file: repeats are merged into the first, refusals numbered by row', () => {
    const file = readFile([good, { ...good, nom: 'Doublon' }, { ...good, id: 'lieu-2', services: '' }]);
    expect(file.places).toHaveLength(1);
    expect(file.repeats).toBe(1);
    expect(file.refused).toEqual([expect.objectContaining({ row: 3, id: 'lieu-2', code: 'champ_obligatoire' })]);
  });
});

describe('rows that are good but doubtful, and older columns', () => {
  const warningCodes = (r: ReturnType<typeof readRow>) => (r.ok ? r.place.warnings.map((w) => w.code) : ['refused']);

  test('an arrondissement municipal is accepted: its commune for perimeters, the arrondissement kept', () => {
    const marseille = {
      ...good,
      commune: 'Marseille',
      code_postal: '13001',
      code_insee: '13201',
      latitude: 43.2999,
      longitude: 5.3841,
    };
    const r = readRow(marseille);
    expect(r.ok && r.place).toMatchObject({
      communeCode: '13055',
      arrondissementCode: '13201',
      communeName: 'Marseille',
      departementCode: '13',
    });
    expect(warningCodes(r)).toEqual([]);
    const lyon = readRow({ ...good, commune: 'Lyon', code_postal: '69003', latitude: 45.76, longitude: 4.85 });
    expect(lyon.ok && lyon.place).toMatchObject({ communeCode: '69123', arrondissementCode: '69383' });
  });

  test('a mistyped postal code: the named commune, with a warning; with an INSEE code too', () => {
    const r = readRow({ ...good, commune: 'Villeurbanne', code_postal: '06100', latitude: 45.7719, longitude: 4.8902 });
    expect(r.ok && r.place).toMatchObject({ communeCode: '69266', departementCode: '69' });
    expect(warningCodes(r)).toEqual(['code_postal_incoherent']);
    const insee = readRow({
      ...good,
      commune: 'Villeurbanne',
      code_insee: '69266',
      code_postal: '06100',
      latitude: 45.7719,
      longitude: 4.8902,
    });
    expect(warningCodes(insee)).toEqual(['code_postal_incoherent']);
  });

  test('a geocoder’s centre-of-France answer is not trusted: warned, and the place left to its commune’s centre', () => {
    const r = readRow({ ...good, latitude: 46.227638, longitude: 2.213749 });
    expect(warningCodes(r)).toEqual(['position_centre_france']);
    expect(r.ok && r.place.latitude).toBeNull();
    expect(warningCodes(readRow({ ...good, latitude: 48.85, longitude: 2.35 }))).toEqual([]);
    expect(warningCodes(readRow({ ...good, latitude: -21.1, longitude: 55.5 }))).toEqual(['position_hors_territoire']);
  });

  test('older `;` columns are read into the v1 fields; a value without equivalent is said', () => {
    const r = readRow({
      ...good,
      labels_nationaux: 'CNFS;France Services',
      publics_accueillis: 'Seniors (+ 65 ans);Adultes;Surdité',
      courriel: 'a@b.fr',
      telephone: '05 45 00 00 00',
      frais_a_charge: 'Gratuit',
      source: 'dora',
      date_maj: '2023-02-22',
    });
    expect(r.ok && r.place.openData).toEqual({
      dispositif_programmes_nationaux: 'Conseillers numériques|France Services',
      publics_specifiquement_adresses: 'Seniors',
      prise_en_charge_specifique: 'Surdité',
      courriels: 'a@b.fr',
      telephone: '+33545000000',
      frais_a_charge: 'Gratuit',
      typologie: 'BIB',
      modalites_accompagnement: 'Accompagnement individuel|Dans un atelier collectif',
    });
    expect(r.ok && r.place).toMatchObject({ sourceName: 'dora', sourceDate: '2023-02-22' });
    expect(r.ok && r.place.warnings).toEqual([
      expect.objectContaining({ code: 'valeur_hors_vocabulaire', message: expect.stringContaining('Adultes') }),
    ]);
  });

  test('field lengths are capped; the placeholder pivot is no pivot; unknown columns are named', () => {
    const r = readRow({ ...good, adresse: 'x'.repeat(2000), presentation_resume: 'y'.repeat(400) });
    expect(r.ok && r.place.address).toHaveLength(500);
    expect(r.ok && r.place.openData.presentation_resume).toHaveLength(280);
    expect(r.ok && r.place.pivot).toBeNull();
    expect(readFile([{ ...good, cle_ban: '16102_1', colonne_maison: 'x' }]).ignoredColumns).toEqual([
      'cle_ban',
      'colonne_maison',
    ]);
  });
});
