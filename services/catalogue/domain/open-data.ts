/**
 * The descriptive fields of the national "lieux de médiation numérique" schema (v1.0) that
 * catalogue keeps as the file said them, so that its export gives them back: contact, fees,
 * appointment link, programmes, publics, labels… Each is read from its v1 column or from the
 * older column it replaced (`labels_nationaux`, `publics_accueillis`, `conditions_acces`,
 * `accessibilite`, `courriel`), `;`- or `|`-separated, normalised to the v1 vocabulary and
 * separator. A value the vocabulary does not know is left out with a warning, never silently.
 */
import { normaliseName } from './communes.ts';

/** Longest text kept from an imported field (the schema sets none but the summary's 280). */
export const MAX_FIELD_LENGTH = 500;

export type OpenData = Partial<Record<OpenDataField, string>>;
export interface FieldWarning {
  code: 'valeur_hors_vocabulaire' | 'champ_tronque' | 'telephone_illisible';
  message: string;
}

interface FieldSpec {
  /** v1 vocabulary (enumerated values); absent for free text */
  values?: readonly string[];
  /** several values separated by `|` */
  multi?: boolean;
  maxLength?: number;
}

const PROGRAMMES = [
  'Aidants Connect',
  'Bibliothèques numérique de référence',
  'Certification PIX',
  'Conseillers numériques',
  'Emmaüs Connect',
  'France Services',
  'Grande école du numérique',
  'La Croix Rouge',
  "Point d'accès numérique CAF",
  'Promeneurs du net',
  'Relais numérique (Emmaüs Connect)',
];
const LABELS = [
  'Formé à « Mon Espace Santé »',
  'Formé à « DUPLEX » (illettrisme)',
  'Arnia/MedNum BFC (Bourgogne-Franche-Comté)',
  'Collectif ressources et acteurs réemploi (Normandie)',
  'Fabriques de Territoire',
  'Les Éclaireurs du numérique (Drôme)',
  'Mes Papiers (Métropole de Lyon)',
  'ORDI 3.0',
  'SUD LABS (PACA)',
];

const FIELDS = {
  telephone: {},
  courriels: { multi: true },
  site_web: { multi: true },
  prise_rdv: {},
  fiche_acces_libre: {},
  frais_a_charge: { multi: true, values: ['Gratuit', 'Gratuit sous condition', 'Payant'] },
  dispositif_programmes_nationaux: { multi: true, values: PROGRAMMES },
  formations_labels: { multi: true, values: LABELS },
  autres_formations_labels: {},
  publics_specifiquement_adresses: {
    multi: true,
    values: ['Jeunes', 'Étudiants', 'Familles et/ou enfants', 'Seniors', 'Femmes'],
  },
  prise_en_charge_specifique: {
    multi: true,
    values: [
      'Surdité',
      'Handicaps moteurs',
      'Handicaps mentaux',
      'Illettrisme',
      'Langues étrangères (anglais)',
      'Langues étrangères (autres)',
      'Déficience visuelle',
    ],
  },
  modalites_acces: {
    multi: true,
    values: [
      'Se présenter',
      'Téléphoner',
      'Contacter par mail',
      'Prendre un RDV en ligne',
      "Ce lieu n'accueille pas de public",
      'Envoyer un mail avec une fiche de prescription',
    ],
  },
  modalites_accompagnement: {
    multi: true,
    values: ['En autonomie', 'Accompagnement individuel', 'Dans un atelier collectif', 'À distance'],
  },
  itinerance: { multi: true, values: ['Itinérant', 'Fixe'] },
  typologie: { multi: true },
  structure_parente: {},
  complement_adresse: {},
  presentation_resume: { maxLength: 280 },
  presentation_detail: {},
} satisfies Record<string, FieldSpec>;
type OpenDataField = keyof typeof FIELDS;
const OPEN_DATA_FIELDS = Object.keys(FIELDS) as OpenDataField[];

/**
 * Older columns and what each value becomes in v1 (`null`: no v1 equivalent, said in a warning).
 * Values already in the v1 vocabulary need no entry.
 */
const OLDER: Record<string, { into: OpenDataField[]; values: Record<string, string | null> }> = {
  courriel: { into: ['courriels'], values: {} },
  accessibilite: { into: ['fiche_acces_libre'], values: {} },
  labels_nationaux: {
    into: ['dispositif_programmes_nationaux'],
    values: {
      CNFS: 'Conseillers numériques',
      'Conseiller numérique': 'Conseillers numériques',
      'Relais numérique': 'Relais numérique (Emmaüs Connect)',
      'Point numérique CAF': "Point d'accès numérique CAF",
      APTIC: null,
    },
  },
  publics_accueillis: {
    into: ['publics_specifiquement_adresses', 'prise_en_charge_specifique'],
    values: {
      'Seniors (+ 65 ans)': 'Seniors',
      'Jeunes (16-26 ans)': 'Jeunes',
      'Familles/enfants': 'Familles et/ou enfants',
      'Uniquement femmes': 'Femmes',
      'Public langues étrangères': 'Langues étrangères (autres)',
      "Personnes en situation d'illettrisme": 'Illettrisme',
      "Handicaps mentaux : déficiences limitant les activités d'une personne": 'Handicaps mentaux',
      'Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales': null,
      Adultes: null,
    },
  },
  conditions_acces: {
    into: ['frais_a_charge'],
    values: {
      Gratuit: 'Gratuit',
      'Gratuit sous condition': 'Gratuit sous condition',
      Payant: 'Payant',
      Adhésion: null,
      'Accepte le Pass numérique': null,
    },
  },
};

/** Every column this module reads, v1 and older (the import report names the others as ignored). */
export const OPEN_DATA_COLUMNS: readonly string[] = [...OPEN_DATA_FIELDS, ...Object.keys(OLDER)];

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const key = (label: string) => normaliseName(label.split(' : ')[0]!);
const byKey = (values: readonly string[]) => new Map(values.map((v) => [key(v), v]));
const VOCABULARIES = new Map(
  Object.entries(FIELDS).map(([name, spec]) => [name, 'values' in spec ? byKey(spec.values) : undefined]),
);

/** A French number as the schema wants it: +33 then the digits without the leading zero. */
function internationalPhone(raw: string): string | undefined {
  const digits = raw.replace(/[\s.\-()]/g, '');
  const national = /^0[1-9][0-9]{8}$/.test(digits) ? `+33${digits.slice(1)}` : digits.replace(/^0033/, '+33');
  return /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)[0-9]{6,9}$/.test(national)
    ? national
    : undefined;
}

/** The values of a multi-valued cell, either separator. */
const split = (value: string) =>
  value
    .split(/[|;]/)
    .map((v) => v.trim())
    .filter(Boolean);

function capped(name: string, value: string, limit: number, warnings: FieldWarning[]): string {
  if (value.length <= limit) return value;
  warnings.push({ code: 'champ_tronque', message: `${name} tronqué à ${limit} caractères` });
  return value.slice(0, limit);
}

/** Reads the kept fields of one row; what is left out is in the warnings. */
export function readOpenData(row: Record<string, unknown>): { data: OpenData; warnings: FieldWarning[] } {
  const collected = new Map<OpenDataField, string[]>();
  const warnings: FieldWarning[] = [];
  const add = (field: OpenDataField, values: string[]) =>
    collected.set(field, [...(collected.get(field) ?? []), ...values]);
  for (const [column, older] of Object.entries(OLDER)) {
    for (const raw of split(text(row[column]))) {
      const mapped = raw in older.values ? older.values[raw] : raw;
      const target = older.into.find(
        (f) => mapped !== null && mapped !== undefined && (VOCABULARIES.get(f)?.has(key(mapped)) ?? true),
      );
      if (mapped && target) add(target, [mapped]);
      else
        warnings.push({
          code: 'valeur_hors_vocabulaire',
          message: `${column} : « ${raw} » n’a pas d’équivalent dans le schéma v1, non repris`,
        });
    }
  }
  for (const field of OPEN_DATA_FIELDS) {
    const raw = text(row[field]);
    if (raw) add(field, (FIELDS[field] as FieldSpec).multi ? split(raw) : [raw]);
  }
  const data: OpenData = {};
  for (const [field, raws] of collected) {
    const spec: FieldSpec = FIELDS[field];
    const vocabulary = VOCABULARIES.get(field);
    const values: string[] = [];
    for (const raw of raws) {
      const value = vocabulary ? vocabulary.get(key(raw)) : raw;
      if (value === undefined)
        warnings.push({
          code: 'valeur_hors_vocabulaire',
          message: `${field} : « ${raw} » inconnu du schéma v1, non repris`,
        });
      else if (!values.includes(value)) values.push(value);
    }
    if (values.length === 0) continue;
    if (field === 'telephone') {
      const phone = internationalPhone(values[0]!);
      if (phone) data.telephone = phone;
      else
        warnings.push({
          code: 'telephone_illisible',
          message: `téléphone « ${values[0]} » illisible (format +33… attendu), non repris`,
        });
      continue;
    }
    data[field] = capped(field, values.join('|'), spec.maxLength ?? MAX_FIELD_LENGTH, warnings);
  }
  return { data, warnings };
}
