import type { Questionnaire } from './questionnaire-shape.ts';

/** Four-level answer scale shared by most questions (points 0–4). */
const scale = (none: string, little: string, much: string, full: string) => [
  { code: 'non', label: none, points: 0 },
  { code: 'peu', label: little, points: 1 },
  { code: 'oui', label: much, points: 3 },
  { code: 'tout_a_fait', label: full, points: 4 },
];
const yesNo = [
  { code: 'non', label: 'Non', points: 0 },
  { code: 'oui', label: 'Oui', points: 4 },
];

/**
 * First version of the #APTIC eligibility questionnaire (five themes of seed 002). A version is
 * never edited once used: assessments keep the version they were scored with; a change is a new
 * file (questionnaire-v2.ts) registered in questionnaire.ts.
 *
 * Threshold: overall ≥ 60/100 and no theme below 25 → proposed `qualified`; overall < 40 or an
 * eliminatory answer → `refused`; otherwise `to_review`. Staff confirm or override.
 */
export const questionnaireV1: Questionnaire = {
  version: '2025-01',
  title: 'Questionnaire d’éligibilité #APTIC — version 2025-01',
  thresholds: { qualified: 60, refused: 40, themeFloor: 25 },
  themes: [
    {
      code: 'aptitudes',
      label: 'Aptitudes',
      weight: 25,
      questions: [
        {
          id: 'apt_accueil',
          label: 'La structure accueille-t-elle du public dans un lieu ouvert à heures fixes ?',
          weight: 3,
          options: [
            { code: 'non', label: 'Non, pas d’accueil physique', points: 0, eliminatory: true },
            { code: 'rdv', label: 'Sur rendez-vous uniquement', points: 2 },
            { code: 'oui', label: 'Oui, sur des plages d’ouverture régulières', points: 4 },
          ],
        },
        {
          id: 'apt_mediateurs',
          label: 'Combien de personnes assurent la médiation numérique (en équivalent temps plein) ?',
          weight: 3,
          options: [
            { code: 'aucun', label: 'Aucune personne dédiée', points: 0 },
            { code: 'moins_un', label: 'Moins d’un ETP', points: 2 },
            { code: 'un_deux', label: 'Un à deux ETP', points: 3 },
            { code: 'plus_deux', label: 'Plus de deux ETP', points: 4 },
          ],
        },
        {
          id: 'apt_equipement',
          label: 'Le lieu met-il à disposition des postes, une connexion internet et une imprimante ?',
          weight: 2,
          options: scale('Non', 'En partie', 'Oui', 'Oui, avec du matériel adapté (handicap, mobilité)'),
        },
        {
          id: 'apt_formation',
          label:
            'Les médiateurs sont-ils formés ou certifiés (Pix, CCP « Responsable d’espace de médiation numérique »…) ?',
          weight: 2,
          options: scale('Non', 'En cours', 'Oui, en partie', 'Oui, tous'),
        },
      ],
    },
    {
      code: 'publics',
      label: 'Publics',
      weight: 25,
      questions: [
        {
          id: 'pub_eloignes',
          label:
            'Accompagnez-vous des personnes éloignées du numérique (seniors, demandeurs d’emploi, allocataires de minima sociaux…) ?',
          weight: 3,
          options: scale('Non', 'Occasionnellement', 'Régulièrement', 'C’est notre public principal'),
        },
        {
          id: 'pub_volume',
          label: 'Combien de personnes différentes accompagnez-vous par mois ?',
          weight: 2,
          options: [
            { code: 'moins_10', label: 'Moins de 10', points: 0 },
            { code: '10_50', label: 'De 10 à 50', points: 2 },
            { code: '50_200', label: 'De 50 à 200', points: 3 },
            { code: 'plus_200', label: 'Plus de 200', points: 4 },
          ],
        },
        {
          id: 'pub_prescripteurs',
          label:
            'Travaillez-vous avec des prescripteurs (CCAS, France Travail, travailleurs sociaux…) qui vous orientent des personnes ?',
          weight: 2,
          options: scale('Non', 'Ponctuellement', 'Oui, régulièrement', 'Oui, par convention'),
        },
        {
          id: 'pub_accessibilite',
          label: 'Le lieu est-il accessible aux personnes à mobilité réduite ?',
          weight: 1,
          options: yesNo,
        },
      ],
    },
    {
      code: 'territoires',
      label: 'Territoires',
      weight: 15,
      questions: [
        {
          id: 'ter_prioritaire',
          label: 'Intervenez-vous en quartier prioritaire de la ville ou en zone rurale peu dotée en services ?',
          weight: 2,
          options: scale('Non', 'Un peu', 'Oui', 'Exclusivement'),
        },
        {
          id: 'ter_itinerance',
          label: 'Proposez-vous des permanences hors les murs ou une offre itinérante ?',
          weight: 1,
          options: scale('Non', 'Rarement', 'Régulièrement', 'C’est un axe fort de notre action'),
        },
        {
          id: 'ter_reseau',
          label: 'Êtes-vous membre d’un réseau local de médiation numérique (hub, Hinaura, PIX, France Services…) ?',
          weight: 2,
          options: yesNo,
        },
      ],
    },
    {
      code: 'innovation',
      label: 'Innovation',
      weight: 15,
      questions: [
        {
          id: 'inn_ateliers',
          label:
            'Proposez-vous des ateliers collectifs ou des formats nouveaux (fabrication numérique, jeux, pair-à-pair) ?',
          weight: 2,
          options: scale('Non', 'Ponctuellement', 'Régulièrement', 'Oui, et nous les essaimons'),
        },
        {
          id: 'inn_evaluation',
          label: 'Mesurez-vous les progrès des personnes accompagnées (évaluation, suivi, retour d’expérience) ?',
          weight: 1,
          options: scale('Non', 'De manière informelle', 'Oui', 'Oui, avec un outil partagé'),
        },
        {
          id: 'inn_partenariats',
          label: 'Menez-vous des projets avec d’autres acteurs (entreprises, collectivités, tiers-lieux) ?',
          weight: 1,
          options: scale('Non', 'Un projet', 'Plusieurs projets', 'C’est notre mode de fonctionnement'),
        },
      ],
    },
    {
      code: 'competences_specifiques',
      label: 'Compétences spécifiques',
      weight: 20,
      questions: [
        {
          id: 'cmp_demarches',
          label:
            'Accompagnez-vous les démarches administratives en ligne (habilitation Aidants Connect, sensibilisation au secret professionnel) ?',
          weight: 3,
          options: scale(
            'Non',
            'Sans habilitation',
            'Oui, avec une personne habilitée',
            'Oui, toute l’équipe est habilitée',
          ),
        },
        {
          id: 'cmp_securite',
          label: 'Sensibilisez-vous à la sécurité en ligne et à la protection des données personnelles ?',
          weight: 2,
          options: scale('Non', 'Ponctuellement', 'Régulièrement', 'Oui, avec des ateliers dédiés'),
        },
        {
          id: 'cmp_pro',
          label: 'Accompagnez-vous l’insertion professionnelle par le numérique (CV, candidatures, outils des TPE) ?',
          weight: 2,
          options: scale('Non', 'Ponctuellement', 'Régulièrement', 'C’est une spécialité du lieu'),
        },
      ],
    },
  ],
};
