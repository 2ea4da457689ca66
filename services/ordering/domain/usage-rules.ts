/**
 * Usage rules (règles d'usage) a funder sets on the passes of an order: geographic perimeter,
 * validity dates, types of places, categories of payable services (Premium) and target publics.
 *
 * `resolveUsageRules` checks what the funder asked for and returns the `UsageRules` value that
 * travels on `order.paid`, with the perimeter expanded to commune codes so that redemption can
 * enforce it without any lookup; or it throws the DomainError a staff member reads to the funder.
 *
 * Pure but for the territory lookup, which reads its data files once on first use.
 * Dates are `YYYY-MM-DD` strings compared as strings: that order is the calendar order, and no
 * `Date` (nor its time zone) is involved.
 */
import {
  CommuneCode,
  DepartementCode,
  DomainError,
  EpciCode,
  expandPerimeter,
  formatInteger,
  frenchDate,
  isCalendarDate,
  PLACE_TYPES,
  PUBLICS,
  SERVICE_CATEGORIES,
  territory,
  type Offer,
  type Territory,
  type UsageRules,
} from '@aptic/contracts';

/** No-break space between thousands in messages. */
const NBSP = '\u00a0';

/** What the funder asked for (not trusted): every field is optional, every list may repeat. */
export type UsageRulesInput = {
  validFrom?: string;
  validUntil?: string;
  perimeter?: { communes?: string[]; epcis?: string[]; departements?: string[] };
  placeTypes?: string[];
  serviceCategories?: string[];
  publics?: string[];
  activation?: 'delivery' | 'hand_out';
};

export type UsageRulesContext = {
  /** the business date (Europe/Paris) the rules are set on, `YYYY-MM-DD`: the default start of validity */
  issuedOn: string;
};

/** The contract caps the listed communes (Perimeter.communes maxItems). */
const MAX_PERIMETER_COMMUNES = 5_000;
/** How many offending codes a message names before summing up the rest. */
const MAX_CODES_IN_MESSAGE = 10;

const COMMUNE_FORMAT = new RegExp(CommuneCode.pattern ?? '');
const EPCI_FORMAT = new RegExp(EpciCode.pattern ?? '');
const DEPARTEMENT_FORMAT = new RegExp(DepartementCode.pattern ?? '');

/** Checks the funder's usage rules for an order of this offer and resolves them, or throws a DomainError. */
export function resolveUsageRules(input: UsageRulesInput, offer: Offer, context: UsageRulesContext): UsageRules {
  if (!isCalendarDate(context.issuedOn)) {
    throw new TypeError(
      `resolveUsageRules: issuedOn must be a YYYY-MM-DD date, got ${JSON.stringify(context.issuedOn)}`,
    );
  }
  const { validFrom, validUntil } = resolveValidity(input.validFrom, input.validUntil, context.issuedOn);
  const serviceCategories = resolveServiceCategories(input.serviceCategories ?? [], offer);
  const placeTypes = resolveCodes(input.placeTypes ?? [], PLACE_TYPES, 'unknown_place_type', 'placeTypes', {
    one: 'Le type de lieu',
    many: 'Les types de lieux',
  });
  const publics = resolveCodes(input.publics ?? [], PUBLICS, 'unknown_public', 'publics', {
    one: 'Le public',
    many: 'Les publics',
  });
  const { perimeter, resolvedCommunes } = resolvePerimeter(input.perimeter ?? {}, territory());
  const rules = { validFrom, validUntil, perimeter, resolvedCommunes, placeTypes, serviceCategories, publics };
  return input.activation === 'hand_out' ? { ...rules, activation: activationAtHandOut(offer) } : rules;
}

/**
 * Activation at hand-out (the passes redeemable only once a prescripteur hands their carnet out):
 * for the offers that distribute through a network (Plus, Premium); a Standard funder distributes
 * its carnets itself, with no prescripteur to record the hand-out.
 */
function activationAtHandOut(offer: Offer): 'hand_out' {
  if (offer !== 'standard') return 'hand_out';
  throw refusal(
    'activation_requires_network',
    'L’activation des pass à leur remise par un prescripteur demande un réseau de distribution : offre Plus ou Premium.',
    'activation',
  );
}

// ---------------------------------------------------------------------------------------------
// Validity

function resolveValidity(
  requestedFrom: string | undefined,
  requestedUntil: string | undefined,
  issuedOn: string,
): { validFrom: string; validUntil: string } {
  if (requestedFrom !== undefined) refuseNonDate(requestedFrom, 'validFrom', 'de début de validité');
  if (requestedUntil !== undefined) refuseNonDate(requestedUntil, 'validUntil', 'de fin de validité');

  const validFrom = requestedFrom ?? issuedOn;
  // Passes are valid until 31 December of their year of issue. The scheme still accepts them until
  // 31 January of the next year (one month of grace): that grace is applied at redemption, on top
  // of validUntil, never folded in here, so validUntil stays the date printed on the pass.
  const endOfYear = `${validFrom.slice(0, 4)}-12-31`;
  const validUntil = requestedUntil ?? endOfYear;

  if (validFrom < issuedOn) {
    throw refusal(
      'validity_in_past',
      `La date de début de validité (${frenchDate(validFrom)}) ne peut pas précéder la date d’émission des pass (${frenchDate(issuedOn)}).`,
      'validFrom',
    );
  }
  if (validUntil < validFrom) {
    throw refusal(
      'invalid_validity',
      `La date de fin de validité (${frenchDate(validUntil)}) précède la date de début de validité (${frenchDate(validFrom)}).`,
      'validUntil',
    );
  }
  if (validUntil > endOfYear) {
    throw refusal(
      'validity_too_long',
      `Les pass sont valables au plus tard jusqu’au 31 décembre de leur année de validité : la date de fin ne peut pas dépasser le ${frenchDate(endOfYear)} (demandée : ${frenchDate(validUntil)}).`,
      'validUntil',
    );
  }
  return { validFrom, validUntil };
}

function refuseNonDate(value: string, field: string, what: string): void {
  if (isCalendarDate(value)) return;
  throw refusal('invalid_date', `La date ${what} « ${value} » n’est pas une date valide (format AAAA-MM-JJ).`, field);
}

// ---------------------------------------------------------------------------------------------
// Categories of services, types of places, publics

function resolveServiceCategories(codes: readonly string[], offer: Offer): string[] {
  if (codes.length > 0 && offer !== 'premium') {
    throw refusal(
      'service_targeting_requires_premium',
      `Le ciblage des catégories de services payables est réservé à l’offre Premium ; cette commande relève de l’offre ${offer === 'plus' ? 'Plus' : 'Standard'}.`,
      'serviceCategories',
    );
  }
  return resolveCodes(codes, SERVICE_CATEGORIES, 'unknown_service_category', 'serviceCategories', {
    one: 'La catégorie de services',
    many: 'Les catégories de services',
  });
}

/** Checks every code against its list; returns them without duplicates, sorted. */
function resolveCodes(
  codes: readonly string[],
  list: readonly { code: string; label: string }[],
  errorCode: string,
  field: string,
  subject: { one: string; many: string },
): string[] {
  const requested = uniqueSorted(codes);
  const unknown = requested.filter((code) => !list.some((entry) => entry.code === code));
  if (unknown.length === 0) return requested;
  const known = list.map((entry) => `${entry.code} (${entry.label})`).join(', ');
  const named =
    unknown.length === 1
      ? `${subject.one} ${quoted(unknown)} n’existe pas.`
      : `${subject.many} ${quoted(unknown)} n’existent pas.`;
  throw refusal(errorCode, `${named} Valeurs possibles : ${known}.`, field);
}

// ---------------------------------------------------------------------------------------------
// Perimeter

function resolvePerimeter(
  requested: NonNullable<UsageRulesInput['perimeter']>,
  lookup: Territory,
): { perimeter: UsageRules['perimeter']; resolvedCommunes: string[] } {
  const communes = uniqueSorted(requested.communes ?? []);
  const epcis = uniqueSorted(requested.epcis ?? []);
  const departements = uniqueSorted(requested.departements ?? []);

  refuseUnknownCommunes(communes, lookup);
  refuseUnknownEpcis(epcis, lookup);
  refuseUnknownDepartements(departements, lookup);
  if (communes.length > MAX_PERIMETER_COMMUNES) {
    throw refusal(
      'too_many_communes',
      `Le périmètre ne peut pas lister plus de ${formatInteger(MAX_PERIMETER_COMMUNES, NBSP)} communes (${formatInteger(communes.length, NBSP)} demandées) : indiquez plutôt leurs EPCI ou leurs départements.`,
      'perimeter.communes',
    );
  }

  const perimeter = { communes, epcis, departements };
  return { perimeter, resolvedCommunes: expandPerimeter(perimeter, lookup) };
}

function refuseUnknownCommunes(codes: readonly string[], lookup: Territory): void {
  const unknown = codes.filter((code) => !COMMUNE_FORMAT.test(code) || lookup.commune(code) === undefined);
  if (unknown.length === 0) return;
  const named =
    unknown.length === 1
      ? `Le code commune ${quoted(unknown)} ne correspond à aucune commune actuelle du Code officiel géographique.`
      : `Les codes commune ${quoted(unknown)} ne correspondent à aucune commune actuelle du Code officiel géographique.`;
  // A former commune, commune déléguée or arrondissement municipal: name the code to use instead.
  const hints = unknown.slice(0, MAX_CODES_IN_MESSAGE).flatMap((code) => {
    const current = lookup.currentCommuneOf(code);
    const commune = current === undefined ? undefined : lookup.commune(current);
    return commune ? [`« ${code} » relève de la commune ${commune.nom} : indiquez le code « ${commune.code} ».`] : [];
  });
  throw refusal('unknown_commune', [named, ...hints].join(' '), 'perimeter.communes');
}

function refuseUnknownEpcis(codes: readonly string[], lookup: Territory): void {
  const unknown = codes.filter((code) => !EPCI_FORMAT.test(code) || lookup.epci(code) === undefined);
  if (unknown.length === 0) return;
  const named =
    unknown.length === 1
      ? `Le numéro SIREN ${quoted(unknown)} ne correspond à aucun EPCI à fiscalité propre.`
      : `Les numéros SIREN ${quoted(unknown)} ne correspondent à aucun EPCI à fiscalité propre.`;
  throw refusal('unknown_epci', named, 'perimeter.epcis');
}

function refuseUnknownDepartements(codes: readonly string[], lookup: Territory): void {
  const unknown = codes.filter((code) => !DEPARTEMENT_FORMAT.test(code) || lookup.departement(code) === undefined);
  if (unknown.length === 0) return;
  const named =
    unknown.length === 1
      ? `Le code département ${quoted(unknown)} ne correspond à aucun département.`
      : `Les codes département ${quoted(unknown)} ne correspondent à aucun département.`;
  const hints = unknown.slice(0, MAX_CODES_IN_MESSAGE).flatMap((code) => {
    if (code === '20')
      return ['La Corse compte deux départements : indiquez « 2A » (Corse-du-Sud) ou « 2B » (Haute-Corse).'];
    // Collectivités d'outre-mer outside the contract's département codes (Saint-Barthélemy…):
    // their communes can still be listed one by one.
    const nom = lookup.departement(code) === undefined ? undefined : lookup.departementNom(code);
    return nom ? [`« ${code} » (${nom}) n’est pas un département : indiquez ses communes.`] : [];
  });
  throw refusal('unknown_departement', [named, ...hints].join(' '), 'perimeter.departements');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function uniqueSorted(codes: readonly string[]): string[] {
  return [...new Set(codes)].sort();
}

/** « a », « b », … and N autres: names the offending codes without an endless message. */
function quoted(codes: readonly string[]): string {
  const shown = codes.slice(0, MAX_CODES_IN_MESSAGE).map((code) => `« ${code} »`);
  const rest = codes.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} et ${rest} autre${rest > 1 ? 's' : ''}` : shown.join(', ');
}

function refusal(code: string, message: string, field: string): DomainError {
  return new DomainError(code, message, { status: 422, field });
}
