/**
 * The `services` vocabularies of the national schema. v1 (1.0, 2023): the nine categories, word
 * for word, separated by `|`. v0 (the cartographie nationale's earlier list, separated by `;`):
 * finer labels, each mapped here to the v1 category the national migration put it in.
 */
import type { PlaceTypeCode, ServiceCategoryCode } from '@aptic/contracts';
import { categoryOfLabel } from './referentiel.ts';
import { normaliseName } from './communes.ts';

const V0: Record<string, ServiceCategoryCode> = {
  'Devenir autonome dans les démarches administratives': 'aide_demarches_administratives',
  'Réaliser des démarches administratives avec un accompagnement': 'aide_demarches_administratives',
  'Accompagner les démarches de santé': 'aide_demarches_administratives',
  'Prendre en main un smartphone ou une tablette': 'maitrise_outils_numeriques_quotidien',
  'Prendre en main un ordinateur': 'maitrise_outils_numeriques_quotidien',
  'Utiliser le numérique au quotidien': 'maitrise_outils_numeriques_quotidien',
  'Favoriser mon insertion professionnelle': 'insertion_professionnelle_numerique',
  'Créer et développer mon entreprise': 'insertion_professionnelle_numerique',
  'Promouvoir la citoyenneté numérique': 'utilisation_securisee_numerique',
  'Soutenir la parentalité et l’éducation avec le numérique': 'parentalite_education_numerique',
  'Créer avec le numérique': 'loisirs_creations_numeriques',
  'Approfondir ma culture numérique': 'comprehension_monde_numerique',
  'Accéder à une connexion internet': 'acces_internet_materiel_informatique',
  'Accéder à du matériel': 'acces_internet_materiel_informatique',
  'Équiper en matériel informatique': 'acquisition_materiel_prix_solidaire',
};
// Files differ in accents, case and apostrophes: compare normalised labels.
const V0_NORMALISED = new Map(Object.entries(V0).map(([label, code]) => [normaliseName(label), code]));

export type ServicesReading = { categories: ServiceCategoryCode[]; unknown: string[] };

/** Reads a `services` value in either vocabulary (either separator). */
export function readServices(value: string): ServicesReading {
  const labels = value
    .split(value.includes('|') ? '|' : ';')
    .map((l) => l.trim())
    .filter(Boolean);
  const categories = new Set<ServiceCategoryCode>();
  const unknown: string[] = [];
  for (const label of labels) {
    const code = categoryOfLabel(label) ?? V0_NORMALISED.get(normaliseName(label));
    if (code) categories.add(code);
    else unknown.push(label);
  }
  return { categories: [...categories], unknown };
}

/** National `typologie` codes (several may be given) → our place types; the first known wins. */
const TYPOLOGIES: Record<string, PlaceTypeCode> = {
  RFS: 'france_services',
  MUNI: 'mairie',
  ASSO: 'association',
  TIERS_LIEUX: 'tiers_lieu',
  FABLAB: 'fablab',
  CS: 'centre_social',
  BIB: 'bibliotheque',
  EPN: 'espace_public_numerique',
};

export function placeTypeOf(typologie: string | undefined): PlaceTypeCode {
  for (const code of (typologie ?? '').split(/[|;]/)) {
    const type = TYPOLOGIES[code.trim().toUpperCase()];
    if (type) return type;
  }
  return 'autre';
}

/** `modalites_accompagnement`: a collective workshop adds group offers; individual is the default. */
export function formatsOf(modalites: string | undefined): boolean[] {
  const text = normaliseName(modalites ?? '');
  const group = text.includes('atelier collectif');
  const individual = text.includes('individuel') || !group;
  return [...(individual ? [false] : []), ...(group ? [true] : [])];
}
