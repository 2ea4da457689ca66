/**
 * Pricing of a funder's quote (devis): face value, fees, opening fee and complementary services,
 * or a refusal the staff member can read to the funder.
 *
 * Pure: no I/O, no clock, no randomness. Every amount is an integer number of euro cents;
 * rates are in basis points (2000 = 20 %) so that no float ever touches money.
 */
import { DomainError, formatInteger, type Offer } from '@aptic/contracts';

/** No-break space between thousands in messages. */
const NBSP = '\u00a0';

export type CarnetSize = 5 | 10;

export type QuoteRequest = {
  offer: Offer;
  carnetSize: CarnetSize;
  /** number of carnets (chéquiers) ordered */
  carnets: number;
  /** complementary-service codes, as sent by the quote form (not trusted) */
  options: string[];
};

type OptionCode =
  | 'logo_pass'
  | 'logo_cover'
  | 'distribution_network_support'
  | 'journeys_support'
  | 'service_targeting'
  | 'white_label_report';

type QuoteLineCode = 'face_value' | 'contributive_fees' | 'opening_fee' | OptionCode;

export type QuoteLine = {
  code: QuoteLineCode;
  /** French wording, as printed on the quote */
  label: string;
  quantity: number;
  unitPriceCents: number;
  /** quantity × unitPriceCents, excl. VAT */
  amountCents: number;
  /** basis points: 2000 for 20 %, 0 for the face value */
  vatRate: number;
  vatCents: number;
};

export type PricedQuote = {
  lines: QuoteLine[];
  totalExclVatCents: number;
  /** sum of the per-line VAT (each line rounded on its own, as printed) */
  vatCents: number;
  totalInclVatCents: number;
  faceValueCents: number;
  passCount: number;
};

/** Face value of one pass, in cents (DOMAIN.md); an avoir gives back exactly this per unused pass. */
export const PASS_FACE_VALUE_CENTS = 1_000;
const NO_VAT = 0;
const STANDARD_VAT_RATE = 2_000;
const BASIS_POINTS_PER_UNIT = 10_000;
/** frais contributifs: 4 % of the face value, excl. VAT */
const CONTRIBUTIVE_FEE_RATE = 400;
/** frais d'ouverture de compte, first order only */
const OPENING_FEE_CENTS = 15_000;
/** services complémentaires are only sold from this many passes (seed 000) */
const OPTIONS_MINIMUM_PASSES = 2_000;
/** A sanity cap, far above any real order, that keeps every amount a safe integer. */
const MAX_CARNETS = 100_000;

type OfferTerms = {
  name: string;
  carnetSizes: readonly CarnetSize[];
  minimumPasses: number;
};

const OFFERS: Record<Offer, OfferTerms> = {
  standard: { name: 'Standard', carnetSizes: [10], minimumPasses: 1_000 },
  plus: { name: 'Plus', carnetSizes: [5, 10], minimumPasses: 2_000 },
  premium: { name: 'Premium', carnetSizes: [5, 10], minimumPasses: 2_000 },
};

/**
 * Commande minimale by carnet size (seed 000), a scheme rule of its own: the order must meet
 * both this and its offer's minimum.
 */
const MINIMUM_PASSES_BY_CARNET_SIZE: Record<CarnetSize, number> = { 5: 2_000, 10: 1_000 };

type CatalogueOption = {
  code: OptionCode;
  label: string;
  priceCents: number;
  offers: readonly Offer[];
};

const PLUS_AND_PREMIUM: readonly Offer[] = ['plus', 'premium'];
const PREMIUM_ONLY: readonly Offer[] = ['premium'];

/**
 * Services complémentaires, in the order they are printed on a quote. Labels and prices of the
 * first four are the seed's reference quote. Standard takes no option (DOMAIN.md settles the seeds'
 * disagreement); the cover logo is open to Plus too, as seed 003's text allows it.
 */
const OPTION_CATALOGUE: readonly CatalogueOption[] = [
  { code: 'logo_pass', label: 'Ajout de logo(s) couleur sur les pass', priceCents: 50_000, offers: PLUS_AND_PREMIUM },
  {
    code: 'logo_cover',
    label: 'Ajout de logo(s) couleur sur la couverture',
    priceCents: 60_000,
    offers: PLUS_AND_PREMIUM,
  },
  {
    code: 'distribution_network_support',
    label: 'Appui à la définition, la préconisation et l’identification de réseaux de distribution',
    priceCents: 290_000,
    offers: PLUS_AND_PREMIUM,
  },
  {
    code: 'journeys_support',
    label: 'Appui à la définition et la préconisation des parcours types pour les bénéficiaires ciblés',
    priceCents: 50_000,
    offers: PLUS_AND_PREMIUM,
  },
  // The seeds list these two as features of the Premium offer and never price them: they are
  // included in Premium, hence 0 €, and still printed so the funder sees what was ordered.
  { code: 'service_targeting', label: 'Ciblage des services payables', priceCents: 0, offers: PREMIUM_ONLY },
  {
    code: 'white_label_report',
    label: 'Exportation des rapports de suivi en marque blanche',
    priceCents: 0,
    offers: PREMIUM_ONLY,
  },
];

/**
 * amountCents × basisPoints / 10 000, rounded half-up to the cent, in integer arithmetic: the
 * remainder is taken off before dividing, so the division is exact and no float is ever rounded.
 */
export function applyBasisPoints(amountCents: number, basisPoints: number): number {
  const halfUp = amountCents * basisPoints + BASIS_POINTS_PER_UNIT / 2;
  if (![amountCents, basisPoints, halfUp].every(isNonNegativeSafeInteger)) {
    throw new RangeError(`cannot apply ${basisPoints} bp to ${amountCents} cents exactly`);
  }
  return (halfUp - (halfUp % BASIS_POINTS_PER_UNIT)) / BASIS_POINTS_PER_UNIT;
}

function isNonNegativeSafeInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Prices a quote, or throws the DomainError a staff member reads to the funder. */
export function priceQuote(request: QuoteRequest, context: { firstOrder: boolean }): PricedQuote {
  refuseQuantityOutOfRange(request.carnets);
  refuseCarnetSizeOfOffer(request.offer, request.carnetSize);
  const passCount = request.carnets * request.carnetSize;
  // Options are checked before the order minimum: an undersized order with options is told the
  // options rule, whose remedy (reach 2,000 passes) also meets every option-taking offer's minimum.
  const options = resolveOptions(request.options, request.offer, passCount);
  refuseBelowMinimum(request.offer, request.carnetSize, passCount);

  const lines = [
    faceValueLine(request.carnets, request.carnetSize),
    contributiveFeesLine(passCount),
    ...(context.firstOrder ? [openingFeeLine()] : []),
    ...options.map(optionLine),
  ];
  return totalise(lines, passCount);
}

function refuseQuantityOutOfRange(carnets: number): void {
  if (Number.isInteger(carnets) && carnets >= 1 && carnets <= MAX_CARNETS) return;
  throw refusal(
    'quantity_out_of_range',
    `Le nombre de carnets doit être un nombre entier compris entre 1 et ${formatInteger(MAX_CARNETS, NBSP)} (valeur reçue : ${String(carnets)}).`,
    'carnets',
  );
}

function refuseCarnetSizeOfOffer(offer: Offer, carnetSize: CarnetSize): void {
  const terms = OFFERS[offer];
  if (terms.carnetSizes.includes(carnetSize)) return;
  throw refusal(
    'carnet_size_not_allowed',
    `L’offre ${terms.name} se commande en carnets de ${terms.carnetSizes.join(' ou ')} pass, pas en carnets de ${carnetSize}.`,
    'carnetSize',
  );
}

function refuseBelowMinimum(offer: Offer, carnetSize: CarnetSize, passCount: number): void {
  const terms = OFFERS[offer];
  const minimum = Math.max(terms.minimumPasses, MINIMUM_PASSES_BY_CARNET_SIZE[carnetSize]);
  if (passCount >= minimum) return;
  throw refusal(
    'below_minimum',
    `La commande minimale est de ${formatInteger(minimum, NBSP)} pass pour l’offre ${terms.name} en carnets de ${carnetSize} ; cette commande en compte ${formatInteger(passCount, NBSP)}.`,
    'carnets',
  );
}

/** The requested options, in catalogue order, once every option rule is met. */
function resolveOptions(codes: readonly string[], offer: Offer, passCount: number): CatalogueOption[] {
  const requested = codes.map(findOption);
  refuseDuplicates(requested);
  for (const option of requested) refuseOptionForOffer(option, offer);
  if (requested.length > 0 && passCount < OPTIONS_MINIMUM_PASSES) {
    throw refusal(
      'options_require_2000_passes',
      `Les services complémentaires ne sont accessibles qu’à partir de ${formatInteger(OPTIONS_MINIMUM_PASSES, NBSP)} pass ; cette commande en compte ${formatInteger(passCount, NBSP)}.`,
      'options',
    );
  }
  return OPTION_CATALOGUE.filter((option) => requested.includes(option));
}

function findOption(code: string): CatalogueOption {
  const option = OPTION_CATALOGUE.find((candidate) => candidate.code === code);
  if (option) return option;
  throw refusal('unknown_option', `Le service complémentaire « ${code} » n’existe pas.`, 'options');
}

function refuseDuplicates(requested: readonly CatalogueOption[]): void {
  const duplicate = requested.find((option, index) => requested.indexOf(option) !== index);
  if (!duplicate) return;
  const message = `Le service complémentaire « ${duplicate.label} » est demandé plusieurs fois.`;
  throw refusal('duplicate_option', message, 'options');
}

function refuseOptionForOffer(option: CatalogueOption, offer: Offer): void {
  if (option.offers.includes(offer)) return;
  const offerName = OFFERS[offer].name;
  const allowedNames = option.offers.map((allowed) => OFFERS[allowed].name).join(' ou ');
  if (!offerTakesOptions(offer)) {
    throw refusal(
      'option_not_allowed_for_offer',
      `L’offre ${offerName} ne comprend aucun service complémentaire : « ${option.label} » est proposé avec l’offre ${allowedNames}.`,
      'options',
    );
  }
  // Among offers that take options, the only restriction left is the Premium-only features.
  throw refusal(
    'option_requires_premium',
    `« ${option.label} » n’est pas disponible avec l’offre ${offerName} : ce service est réservé à l’offre ${allowedNames}.`,
    'options',
  );
}

function offerTakesOptions(offer: Offer): boolean {
  return OPTION_CATALOGUE.some((option) => option.offers.includes(offer));
}

/** valeur faciale: passes are sold by the carnet, with no VAT on their face value */
function faceValueLine(carnets: number, carnetSize: CarnetSize): QuoteLine {
  // every valid order has at least 100 carnets, so the label is always plural
  const label = `${formatInteger(carnets, NBSP)} carnets de ${carnetSize} pass`;
  return line('face_value', label, carnets, carnetSize * PASS_FACE_VALUE_CENTS, NO_VAT);
}

/**
 * frais contributifs: 4 % of the face value, billed per pass; 4 % of 10 € is exactly 0.40 €,
 * so the per-pass price times the pass count is exactly 4 % of the total face value.
 */
function contributiveFeesLine(passCount: number): QuoteLine {
  const perPassCents = applyBasisPoints(PASS_FACE_VALUE_CENTS, CONTRIBUTIVE_FEE_RATE);
  return line('contributive_fees', 'Frais contributifs', passCount, perPassCents, STANDARD_VAT_RATE);
}

/** frais d'ouverture de compte: gives the funder its console, so it is charged once */
function openingFeeLine(): QuoteLine {
  return line('opening_fee', 'Ouverture du compte commanditaire', 1, OPENING_FEE_CENTS, STANDARD_VAT_RATE);
}

function optionLine(option: CatalogueOption): QuoteLine {
  return line(option.code, option.label, 1, option.priceCents, STANDARD_VAT_RATE);
}

function line(
  code: QuoteLineCode,
  label: string,
  quantity: number,
  unitPriceCents: number,
  vatRate: number,
): QuoteLine {
  const amountCents = quantity * unitPriceCents;
  const vatCents = applyBasisPoints(amountCents, vatRate);
  return { code, label, quantity, unitPriceCents, amountCents, vatRate, vatCents };
}

function totalise(lines: QuoteLine[], passCount: number): PricedQuote {
  const totalExclVatCents = sum(lines.map((each) => each.amountCents));
  const vatCents = sum(lines.map((each) => each.vatCents));
  return {
    lines,
    totalExclVatCents,
    vatCents,
    totalInclVatCents: totalExclVatCents + vatCents,
    faceValueCents: passCount * PASS_FACE_VALUE_CENTS,
    passCount,
  };
}

function sum(amounts: readonly number[]): number {
  return amounts.reduce((total, amount) => total + amount, 0);
}

function refusal(code: string, message: string, field: string): DomainError {
  return new DomainError(code, message, { status: 422, field });
}
