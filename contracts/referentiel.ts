/**
 * The shared référentiel: codes every service uses for service categories, place types and
 * target publics (funders' rules, places' types, offers' categories, redemption's checks).
 */

/**
 * The nine service categories of the national référentiel, as listed by the national data schema
 * of the lieux de médiation numérique (field `services`). Codes are ours and stable; labels are
 * the schema's values, word for word.
 */
export const SERVICE_CATEGORIES = [
  { code: 'aide_demarches_administratives', label: 'Aide aux démarches administratives' },
  { code: 'maitrise_outils_numeriques_quotidien', label: 'Maîtrise des outils numériques du quotidien' },
  { code: 'insertion_professionnelle_numerique', label: 'Insertion professionnelle via le numérique' },
  { code: 'utilisation_securisee_numerique', label: 'Utilisation sécurisée du numérique' },
  { code: 'parentalite_education_numerique', label: 'Parentalité et éducation avec le numérique' },
  { code: 'loisirs_creations_numeriques', label: 'Loisirs et créations numériques' },
  { code: 'comprehension_monde_numerique', label: 'Compréhension du monde numérique' },
  { code: 'acces_internet_materiel_informatique', label: 'Accès internet et matériel informatique' },
  { code: 'acquisition_materiel_prix_solidaire', label: 'Acquisition de matériel informatique à prix solidaire' },
] as const;
export type ServiceCategoryCode = (typeof SERVICE_CATEGORIES)[number]['code'];

/** Types of médiation places a funder may restrict its passes to. */
export const PLACE_TYPES = [
  { code: 'espace_public_numerique', label: 'Espace public numérique (EPN)' },
  { code: 'fablab', label: 'Fablab' },
  { code: 'bibliotheque', label: 'Bibliothèque, médiathèque' },
  { code: 'centre_social', label: 'Centre social' },
  { code: 'france_services', label: 'France services' },
  { code: 'tiers_lieu', label: 'Tiers-lieu' },
  { code: 'association', label: 'Association' },
  { code: 'mairie', label: 'Mairie' },
  { code: 'autre', label: 'Autre' },
] as const;
export type PlaceTypeCode = (typeof PLACE_TYPES)[number]['code'];

/** Target publics (publics cibles) a funder may restrict its passes to. */
export const PUBLICS = [
  { code: 'jeunes', label: 'Jeunes' },
  { code: 'seniors', label: 'Seniors' },
  { code: 'demandeurs_emploi', label: 'Demandeurs d’emploi' },
  { code: 'familles', label: 'Familles' },
  { code: 'personnes_handicap', label: 'Personnes en situation de handicap' },
  { code: 'allocataires_minima_sociaux', label: 'Allocataires des minima sociaux' },
  { code: 'tpe_independants', label: 'TPE et indépendants' },
  { code: 'tous_publics', label: 'Tous publics' },
] as const;
export type PublicCode = (typeof PUBLICS)[number]['code'];
