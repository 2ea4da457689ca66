import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { catalogue } from '@aptic/catalogue';
import { placeIdFromNationalId } from '@aptic/catalogue/domain/place-id.ts';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { expandPerimeter, territory } from '@aptic/contracts';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { lieuJsonSchema, placeQualified, postFile, standardModelRefusal } from './support.ts';

let infra: Isolated;
let node: RunningPlatform;
let publisher: RawPublisher;
let url: string;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [catalogue]);
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await publisher?.close();
  await node?.stop();
  await infra?.cleanup();
});

/** ajv over the national schema's constraints (see lieuJsonSchema). */
function schemaValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(lieuJsonSchema());
}

const placeCount = async () =>
  (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM catalogue.place`))[0]!.n;
const snapshot = async () =>
  JSON.stringify(await queryRows(node.database.db, sql`SELECT * FROM catalogue.place ORDER BY id`)) +
  JSON.stringify(await queryRows(node.database.db, sql`SELECT * FROM catalogue.offer ORDER BY id`));

/** v1 vocabulary, JSON, two bad rows. */
const v1 = [
  {
    id: 'fx-v1-cognac',
    nom: 'Médiathèque de Cognac',
    services: 'Aide aux démarches administratives|Maîtrise des outils numériques du quotidien',
    pivot: '21160102300011',
    commune: 'Cognac',
    code_postal: '16100',
    adresse: '10 rue du Minage',
    latitude: 45.6958,
    longitude: -0.3287,
    horaires: 'Mo-Sa 09:00-19:00',
    typologie: 'BIB',
    modalites_accompagnement: 'Accompagnement individuel',
  },
  {
    id: 'fx-v1-angouleme',
    nom: 'Espace numérique d’Angoulême',
    services: 'Compréhension du monde numérique',
    pivot: '00000000000000',
    commune: 'Angoulême',
    code_postal: '16000',
    code_insee: '16015',
    adresse: '1 place de l’Hôtel de ville',
    latitude: 45.6484,
    longitude: 0.1562,
    typologie: 'MUNI',
    modalites_accompagnement: 'Dans un atelier collectif',
  },
  {
    id: 'fx-v1-bad-service',
    nom: 'Lieu X',
    services: 'Réparation de vélos',
    commune: 'Cognac',
    code_postal: '16100',
    adresse: '2 rue',
    latitude: 45.7,
    longitude: -0.33,
  },
  {
    id: 'fx-v1-bad-coordinates',
    nom: 'Lieu Y',
    services: 'Aide aux démarches administratives',
    commune: 'Cognac',
    code_postal: '16100',
    adresse: '3 rue',
    latitude: 'nord',
    longitude: -0.33,
  },
];
/** v0 vocabulary, CSV with `;`, a place without coordinates, a malformed line, a missing name. */
const v0 = [
  'id;nom;services;commune;code_postal;adresse;latitude;longitude;horaires',
  'fx-v0-cognac-2;Centre social de Cognac;"Prendre en main un ordinateur;Réaliser des démarches administratives avec un accompagnement";Cognac;16100;5 rue de Pons;;;Mo-Fr 14:00-18:00',
  'fx-v0-ruelle;Médiathèque de Ruelle;Accéder à une connexion internet;Ruelle-sur-Touvre;16600;2 rue;45,6800;0,2300;',
  'fx-v0-broken;Ligne cassée;Accéder à du matériel',
  'fx-v0-noname;;Créer avec le numérique;Cognac;16100;4 rue;45.69;-0.33;',
].join('\r\n');

describe('open-data import', () => {
  test('strict (default): a file with bad rows answers 422 with the reasons and changes nothing', async () => {
    const before = await snapshot();
    const json = await postFile(`${url}/imports`, JSON.stringify(v1), 'application/json');
    expect(json.status).toBe(422);
    expect(json.body.code).toBe('import_refused');
    expect(json.body.report.refused).toEqual([
      expect.objectContaining({ row: 3, id: 'fx-v1-bad-service', code: 'service_inconnu', field: 'services' }),
      expect.objectContaining({
        row: 4,
        id: 'fx-v1-bad-coordinates',
        code: 'coordonnees_invalides',
        field: 'latitude',
      }),
    ]);
    const csv = await postFile(`${url}/imports`, v0, 'text/csv');
    expect(csv.status).toBe(422);
    expect(csv.body.report.refused.map((r: { code: string }) => r.code)).toEqual([
      'ligne_mal_formee',
      'champ_obligatoire',
    ]);
    expect((await postFile(`${url}/imports`, '{"not":"an array"}', 'application/json')).body.code).toBe(
      'import_unreadable',
    );
    expect((await postFile(`${url}/imports`, '{oops', 'application/json')).status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  test('partial: both vocabularies import their good rows into places and offers, with a report', async () => {
    const json = await postFile(`${url}/imports?mode=partial`, JSON.stringify(v1), 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ rows: 4, kept: 2, merged: 0, changed: 0, offersPublished: 3 });
    expect(json.body.refused).toHaveLength(2);
    const csv = await postFile(`${url}/imports?mode=partial`, v0, 'text/csv');
    expect(csv.body).toMatchObject({ rows: 4, kept: 2, merged: 0, offersPublished: 3 });
    const cognac2 = await call(`${url}/places/${placeIdFromNationalId('fx-v0-cognac-2')}`);
    // No coordinates: put at its commune's centre (the mean of Cognac's located places).
    expect(cognac2.body).toMatchObject({
      status: 'not_qualified',
      source: 'import',
      communeCode: '16102',
      positionSource: 'commune',
      latitude: 45.6958,
      longitude: -0.3287,
    });
    const ruelle = await call(`${url}/places/${placeIdFromNationalId('fx-v0-ruelle')}`);
    expect(ruelle.body).toMatchObject({ latitude: 45.68, longitude: 0.23, communeCode: '16291' });
    const offers = await call(`${url}/places/${placeIdFromNationalId('fx-v0-cognac-2')}/offers`);
    expect(offers.body.map((o: { serviceCode: string }) => o.serviceCode).sort()).toEqual([
      'aide_demarches_administratives',
      'maitrise_outils_numeriques_quotidien',
    ]);
  });

  test('again: idempotent on the place id; a changed row is merged', async () => {
    const before = await snapshot();
    const again = await postFile(`${url}/imports?mode=partial`, JSON.stringify(v1), 'application/json');
    expect(again.body).toMatchObject({ kept: 0, merged: 2, changed: 0, offersPublished: 0 });
    expect(await snapshot()).toBe(before);
    const renamed = [{ ...v1[0], nom: 'Bibliothèque de Cognac' }];
    expect((await postFile(`${url}/imports`, JSON.stringify(renamed), 'application/json')).body).toMatchObject({
      kept: 0,
      merged: 1,
      changed: 1,
    });
  });

  test('a place is qualified in catalogue once place.qualified arrives for its placeId; export lists qualified places only', async () => {
    const placeId = placeIdFromNationalId('fx-v1-angouleme');
    await publisher.publish(
      placeQualified({
        placeId,
        name: 'Espace numérique d’Angoulême',
        type: 'mairie',
        communeCode: '16015',
        openingHours: 'Mo-Fr 09:00-12:00',
      }),
    );
    await eventually(
      async () => (await call(`${url}/places/${placeId}`)).body.status,
      (s) => s === 'qualified',
    );
    const exported = await call(`${url}/exports/lieux.json`);
    expect(exported.status).toBe(200);
    expect(exported.body).toEqual([
      expect.objectContaining({
        id: 'fx-v1-angouleme',
        nom: 'Espace numérique d’Angoulême',
        code_insee: '16015',
        code_postal: '16000',
        services: 'Compréhension du monde numérique',
        horaires: 'Mo-Fr 09:00-12:00',
        latitude: 45.6484,
        modalites_accompagnement: 'Dans un atelier collectif',
      }),
    ]);
  });
});

describe('nearby search', () => {
  const near = (params: Record<string, unknown>) =>
    node.services[0]!.context.broker.call('catalogue.nearbyPlaces', params) as Promise<{
      method: string;
      places: { placeId: string; name: string; distanceKm: number | null; openNow: boolean }[];
    }>;

  beforeAll(async () => {
    const communes = { 'fx-v1-cognac': '16102', 'fx-v0-cognac-2': '16102', 'fx-v0-ruelle': '16291' };
    for (const [id, communeCode] of Object.entries(communes))
      await publisher.publish(placeQualified({ placeId: placeIdFromNationalId(id), name: id, communeCode }));
    await eventually(
      async () => (await call(`${url}/places?status=qualified`)).body.length,
      (n) => n === 4,
    );
  });

  test('from coordinates: nearest first, with distances; filters by service and type', async () => {
    const all = await near({ latitude: 45.69, longitude: -0.33, limit: 10 });
    expect(all.method).toBe('distance');
    expect(all.places.map((p) => p.distanceKm)).toEqual(
      [...all.places.map((p) => p.distanceKm)].sort((a, b) => a! - b!),
    );
    expect(all.places).toHaveLength(4);
    const two = await near({ latitude: 45.69, longitude: -0.33, limit: 2 });
    expect(two.places.map((p) => p.placeId)).toEqual(all.places.slice(0, 2).map((p) => p.placeId));
    const internet = await near({
      latitude: 45.69,
      longitude: -0.33,
      serviceCode: 'acces_internet_materiel_informatique',
    });
    expect(internet.places.map((p) => p.placeId)).toEqual([placeIdFromNationalId('fx-v0-ruelle')]);
    const mairies = await near({ latitude: 45.69, longitude: -0.33, placeType: 'mairie' });
    expect(mairies.places.map((p) => p.placeId)).toEqual([placeIdFromNationalId('fx-v1-angouleme')]);
  });

  test('from a commune: its centre from the places known there; a commune without any falls back to the département', async () => {
    const cognac = await near({ communeCode: '16102', limit: 2 });
    expect(cognac.method).toBe('distance');
    expect(cognac.places[0]!.distanceKm).toBeLessThan(1);
    const elsewhere = await near({ communeCode: '16070', limit: 3 });
    expect(elsewhere).toMatchObject({ method: 'territory' });
    expect(elsewhere.places).toHaveLength(3);
    expect(elsewhere.places[0]!.distanceKm).toBeNull();
  });

  test('open now is evaluated from the hours, at the instant asked (HTTP, Paris time)', async () => {
    const answer = await call(`${url}/nearby?latitude=45.69&longitude=-0.33&openNow=true&limit=10`);
    expect(answer.status).toBe(200);
    for (const p of answer.body.places) expect(p.openNow).toBe(true);
    expect((await call(`${url}/nearby?communeCode=99999`)).body).toMatchObject({
      code: 'unknown_commune',
      field: 'communeCode',
    });
    expect((await call(`${url}/nearby?latitude=45`)).status).toBe(422);
    await expect(near({ communeCode: 'x' })).rejects.toMatchObject({ code: 400 });
  });
});

describe('rows that are good but doubtful, older columns, and an export that round-trips', () => {
  const rows = [
    {
      id: 'fx-marseille-1er',
      nom: 'Espace numérique du 1er',
      services: 'Aide aux démarches administratives',
      pivot: '00000000000000',
      commune: 'Marseille',
      code_postal: '13001',
      code_insee: '13201',
      adresse: '1 rue de la République',
      latitude: 43.2999,
      longitude: 5.3768,
      source: 'dora',
      date_maj: '2023-03-01',
      telephone: '+33491000000',
      site_web: 'https://exemple.fr',
      frais_a_charge: 'Gratuit',
      prise_rdv: 'https://rdv.exemple.fr',
    },
    {
      id: 'fx-mistyped',
      nom: 'Centre social de Villeurbanne',
      services: 'Maîtrise des outils numériques du quotidien',
      pivot: '00000000000000',
      commune: 'Villeurbanne',
      code_postal: '06100',
      adresse: '2 rue',
      latitude: 45.7719,
      longitude: 4.8902,
      date_maj: '2022-01-01',
    },
    {
      id: 'fx-centre-france',
      nom: 'Lieu mal géocodé',
      services: 'Loisirs et créations numériques',
      pivot: '00000000000000',
      commune: 'Cognac',
      code_postal: '16100',
      adresse: '3 rue',
      latitude: 46.227638,
      longitude: 2.213749,
      date_maj: '2022-01-01',
    },
    {
      id: 'fx-older',
      nom: 'France Services de Cognac',
      services: 'Aide aux démarches administratives',
      pivot: '00000000000000',
      commune: 'Cognac',
      code_postal: '16100',
      adresse: '4 rue',
      latitude: 45.6958,
      longitude: -0.3287,
      labels_nationaux: 'CNFS;France Services;Aidants Connect',
      publics_accueillis: 'Seniors (+ 65 ans);Jeunes (16-26 ans)',
      courriel: 'contact@exemple.fr',
      accessibilite: 'https://acceslibre.beta.gouv.fr/x',
      cle_ban: '16102_0001',
      source: 'conseiller-numerique',
      date_maj: '2023-02-22',
    },
  ];
  const ids = Object.fromEntries(rows.map((r) => [r.id, placeIdFromNationalId(r.id)]));

  test('good rows are kept, doubtful ones warned about (typed, listed for staff), ignored columns named', async () => {
    const report = await postFile(`${url}/imports`, JSON.stringify(rows), 'application/json');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ kept: 4, refused: [], ignoredColumns: ['cle_ban'] });
    expect(report.body.warnings.map((w: { id: string; code: string }) => [w.id, w.code])).toEqual([
      ['fx-mistyped', 'code_postal_incoherent'],
      ['fx-centre-france', 'position_centre_france'],
    ]);
    const marseille = await call(`${url}/places/${ids['fx-marseille-1er']}`);
    expect(marseille.body).toMatchObject({
      communeCode: '13055',
      arrondissementCode: '13201',
      departementCode: '13',
      sourceName: 'dora',
      sourceDate: '2023-03-01',
    });
    const mistyped = await call(`${url}/places/${ids['fx-mistyped']}`);
    expect(mistyped.body).toMatchObject({
      communeCode: '69266',
      departementCode: '69',
      warnings: [expect.objectContaining({ code: 'code_postal_incoherent' })],
    });
    const older = await call(`${url}/places/${ids['fx-older']}`);
    expect(older.body.openData).toMatchObject({
      dispositif_programmes_nationaux: 'Conseillers numériques|France Services|Aidants Connect',
      publics_specifiquement_adresses: 'Seniors|Jeunes',
      courriels: 'contact@exemple.fr',
      fiche_acces_libre: 'https://acceslibre.beta.gouv.fr/x',
    });
    const listed = await call(`${url}/places?warning=true&limit=500`);
    expect(listed.body.map((p: { id: string }) => p.id).sort()).toEqual(
      [ids['fx-centre-france'], ids['fx-mistyped']].sort(),
    );
  });

  test('a perimeter rule on Marseille covers the place of its 1st arrondissement', async () => {
    const rules = territory();
    const resolved = expandPerimeter({ communes: ['13055'], epcis: [], departements: [] }, rules);
    const marseille = await call(`${url}/places/${ids['fx-marseille-1er']}`);
    expect(resolved).toContain(marseille.body.communeCode);
  });

  test('the directory export keeps what the import read, validates against the national schema, and re-imports with no change', async () => {
    const exported = await call(`${url}/exports/lieux.json?scope=directory`);
    expect(exported.status).toBe(200);
    const valid = schemaValidator();
    for (const lieu of exported.body)
      expect({
        id: lieu.id,
        ok: valid(lieu),
        errors: valid.errors ?? null,
        standardModel: standardModelRefusal(lieu) ?? 'read',
      }).toEqual({ id: lieu.id, ok: true, errors: null, standardModel: 'read' });
    const marseille = exported.body.find((l: { id: string }) => l.id === 'fx-marseille-1er');
    expect(marseille).toMatchObject({
      code_insee: '13201',
      telephone: '+33491000000',
      site_web: 'https://exemple.fr',
      frais_a_charge: 'Gratuit',
      prise_rdv: 'https://rdv.exemple.fr',
      source: 'dora',
      date_maj: '2023-03-01',
    });
    const before = await snapshot();
    const again = await postFile(`${url}/imports`, JSON.stringify(exported.body), 'application/json');
    expect(again.body).toMatchObject({ kept: 0, changed: 0, offersPublished: 0, refused: [] });
    expect(await snapshot()).toBe(before);
  });

  test('the platform’s own change dates the place: qualification after import', async () => {
    const placeId = ids['fx-marseille-1er']!;
    await publisher.publish(
      placeQualified(
        { placeId, name: 'Espace numérique du 1er', communeCode: '13055', departementCode: '13' },
        new Date('2026-11-30T10:00:00Z'),
      ),
    );
    await eventually(
      async () => (await call(`${url}/places/${placeId}`)).body.status,
      (s) => s === 'qualified',
    );
    const exported = await call(`${url}/exports/lieux.json`);
    expect(exported.body.find((l: { id: string }) => l.id === 'fx-marseille-1er')).toMatchObject({
      source: 'dora',
      date_maj: '2026-11-30',
    });
    const before = await snapshot();
    const again = await postFile(`${url}/imports`, JSON.stringify(exported.body), 'application/json');
    expect(again.body).toMatchObject({ kept: 0, changed: 0 });
    expect(await snapshot()).toBe(before);
  });
});

describe('the real Charente file', () => {
  const file = new URL('../../../shared/data/lieux-mediation-numerique-charente-2023.json', import.meta.url);
  const present = existsSync(file);
  if (!present)
    console.warn(
      `SKIPPED: ${file.pathname} is absent (the ../shared/data folder beside the repository); the real-file import test did not run.`,
    );

  test.skipIf(!present)('imports 188 places; the second run changes nothing', async () => {
    const body = readFileSync(file, 'utf8');
    const first = await postFile(`${url}/imports`, body, 'application/json');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ rows: 188, kept: 188, merged: 0, refused: [] });
    const before = await snapshot();
    const places = await placeCount();
    const second = await postFile(`${url}/imports`, body, 'application/json');
    expect(second.body).toMatchObject({ rows: 188, kept: 0, merged: 188, changed: 0, offersPublished: 0, refused: [] });
    expect(await snapshot()).toBe(before);
    expect(places).toBeGreaterThanOrEqual(188);
    // Its export validates against the national schema and comes back unchanged.
    const exported = (await call(`${url}/exports/lieux.json?scope=directory`)).body as { id: string }[];
    const valid = schemaValidator();
    const conforms = (lieu: unknown): boolean => valid(lieu);
    expect(exported.filter((lieu) => !conforms(lieu)).map((lieu) => ({ id: lieu.id, errors: valid.errors }))).toEqual(
      [],
    );
    expect(exported.flatMap((lieu) => standardModelRefusal(lieu) ?? [])).toEqual([]);
    const third = await postFile(`${url}/imports`, JSON.stringify(exported), 'application/json');
    expect(third.body).toMatchObject({ kept: 0, changed: 0, offersPublished: 0, refused: [] });
    expect(await snapshot()).toBe(before);
  });
});
