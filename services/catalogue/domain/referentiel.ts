/**
 * The national service référentiel as catalogue seeds it. Version 1: the nine categories of the
 * national "lieux de médiation numérique" schema (each offerable as such, which is what an
 * imported place offers) and the sub-services a place may list instead. Codes are stable: a later
 * version may add services or retire some (`retiredIn`), never change what a code means.
 */
import { SERVICE_CATEGORIES, type ServiceCategoryCode } from '@aptic/contracts';

export const REFERENTIEL_VERSION = 1;

export interface ReferentielService {
  code: string;
  categoryCode: ServiceCategoryCode;
  label: string;
  /** Usual format: a group workshop or an individual session. */
  group: boolean;
  durationMinutes: number;
  introducedIn: number;
}

const sub = (
  categoryCode: ServiceCategoryCode,
  code: string,
  label: string,
  group: boolean,
  durationMinutes: number,
): ReferentielService => ({
  code: `${categoryCode}.${code}`,
  categoryCode,
  label,
  group,
  durationMinutes,
  introducedIn: 1,
});

const SUB_SERVICES: ReferentielService[] = [
  sub(
    'aide_demarches_administratives',
    'accompagnement_individuel',
    'Accompagnement individuel à une démarche en ligne',
    false,
    60,
  ),
  sub(
    'aide_demarches_administratives',
    'comptes_en_ligne',
    'Création et gestion des comptes en ligne (impôts, CAF, ANTS, Ameli)',
    false,
    45,
  ),
  sub('maitrise_outils_numeriques_quotidien', 'seance_individuelle', 'Séance individuelle de prise en main', false, 60),
  sub('maitrise_outils_numeriques_quotidien', 'atelier_collectif', 'Atelier collectif d’initiation', true, 120),
  sub('maitrise_outils_numeriques_quotidien', 'smartphone', 'Prise en main du smartphone et de la tablette', false, 60),
  sub('insertion_professionnelle_numerique', 'cv_candidature', 'CV et candidature en ligne', false, 60),
  sub(
    'insertion_professionnelle_numerique',
    'atelier_emploi',
    'Atelier collectif recherche d’emploi en ligne',
    true,
    120,
  ),
  sub(
    'utilisation_securisee_numerique',
    'atelier_securite',
    'Atelier collectif sécurité et arnaques en ligne',
    true,
    90,
  ),
  sub('parentalite_education_numerique', 'atelier_familles', 'Atelier parents-enfants autour des écrans', true, 90),
  sub(
    'loisirs_creations_numeriques',
    'atelier_creation',
    'Atelier de création numérique (photo, vidéo, impression 3D)',
    true,
    120,
  ),
  sub('comprehension_monde_numerique', 'atelier_decouverte', 'Atelier découverte de la culture numérique', true, 90),
  sub('acces_internet_materiel_informatique', 'poste_libre_service', 'Accès accompagné à un poste connecté', false, 60),
  sub('acquisition_materiel_prix_solidaire', 'conseil_achat', 'Conseil à l’achat de matériel reconditionné', false, 30),
];

const CATEGORY_SERVICES: ReferentielService[] = SERVICE_CATEGORIES.map((c) => ({
  code: c.code,
  categoryCode: c.code,
  label: c.label,
  group: false,
  durationMinutes: 60,
  introducedIn: 1,
}));

export const REFERENTIEL: readonly ReferentielService[] = [...CATEGORY_SERVICES, ...SUB_SERVICES];

/** The category of a national schema `services` label (v1 vocabulary, word for word). */
export function categoryOfLabel(label: string): ServiceCategoryCode | undefined {
  return SERVICE_CATEGORIES.find((c) => c.label === label)?.code;
}
