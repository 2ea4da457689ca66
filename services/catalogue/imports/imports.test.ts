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
    expect(csv).toEqual({ ok: true, rows: [{ id: '1', nom: 'Lieu "A"; bis', services: 'a|b' }, { id: '2', nom: 'B', services: 'x\ny' }] });
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
    expect(r.place).toMatchObject({ nationalId: 'lieu-1', type: 'bibliotheque', communeCode: '16102', departementCode: '16', latitude: 45.6958, openingHours: 'Mo-Fr 09:00-17:00' });
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
    expect(r.ok && r.place.warnings[0]).toMatch(/horaires illisibles/);
  });
  test('a file: repeats are merged into the first, refusals numbered by row', () => {
    const file = readFile([good, { ...good, nom: 'Doublon' }, { ...good, id: 'lieu-2', services: '' }]);
    expect(file.places).toHaveLength(1);
    expect(file.repeats).toBe(1);
    expect(file.refused).toEqual([expect.objectContaining({ row: 3, id: 'lieu-2', code: 'champ_obligatoire' })]);
  });
});
