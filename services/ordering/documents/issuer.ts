/**
 * The legal identity of the operator of #APTIC, printed on every quote, invoice and credit note
 * (Code de commerce R123-237 and L441-9, CGI art. 242 nonies A).
 *
 * !! The defaults below are FICTITIOUS placeholders: the seeds give none of the operator's legal
 * details. They are well-formed (Luhn-valid SIRET, VAT key computed from the SIREN, mod-97-valid
 * IBAN, a SWIFT *test* BIC) so that documents look right, but they MUST be replaced by the
 * operator's real details, through the APTIC_ISSUER_* environment variables, before any document
 * is sent to a funder.
 */
import { isValidBIC, isValidIBAN } from 'ibantools';
import { isValidSiret } from '@aptic/contracts';

export type Issuer = {
  /** raison sociale */
  name: string;
  /** forme juridique, e.g. "SAS" */
  legalForm: string;
  /** capital social, in whole euros */
  shareCapitalEuros: number;
  /** postal address, one entry per printed line */
  address: string[];
  /** 14 digits; the SIREN is its first 9 */
  siret: string;
  /** numéro de TVA intracommunautaire, e.g. FR11123456782 */
  vatNumber: string;
  /** city of the greffe where the company is registered (RCS <city> <SIREN>) */
  rcsCity: string;
  /** bank details for transfers, IBAN without spaces */
  iban: string;
  bic: string;
  /** contact email printed on documents */
  email: string;
};

type Env = Record<string, string | undefined>;

/** FICTITIOUS: replace by the operator's real SIRET (APTIC_ISSUER_SIRET). */
const PLACEHOLDER_SIRET = '12345678200010';

const PLACEHOLDER: Issuer = {
  name: '#APTIC',
  legalForm: 'SAS',
  shareCapitalEuros: 10_000,
  address: ['12 rue de l’Exemple', '33000 Bordeaux'],
  siret: PLACEHOLDER_SIRET,
  vatNumber: frenchVatNumber(sirenOf(PLACEHOLDER_SIRET)), // FR11123456782
  rcsCity: 'Bordeaux',
  // a well-known test IBAN (bank 30006, RIB key 89), not an account of the operator
  iban: 'FR7630006000011234567890189',
  // SWIFT test-and-training BIC: a '0' as the 2nd character of the location code
  bic: 'APTIFRP0XXX',
  email: 'facturation@aptic.example',
};

/**
 * The issuer, each field overridable by an environment variable:
 * APTIC_ISSUER_NAME, APTIC_ISSUER_LEGAL_FORM, APTIC_ISSUER_SHARE_CAPITAL (whole euros),
 * APTIC_ISSUER_ADDRESS (lines separated by "\n" or "|"), APTIC_ISSUER_SIRET, APTIC_ISSUER_VAT
 * (derived from the SIRET when only the SIRET is set), APTIC_ISSUER_RCS_CITY, APTIC_ISSUER_IBAN,
 * APTIC_ISSUER_BIC, APTIC_ISSUER_EMAIL.
 *
 * Throws when an override is malformed: a wrong SIRET or IBAN on an invoice is worse than a
 * service that refuses to start.
 */
export function issuerFromEnv(env: Env = process.env): Issuer {
  const siret = compact(value(env, 'APTIC_ISSUER_SIRET')) ?? PLACEHOLDER.siret;
  if (!isValidSiret(siret)) throw new Error(`APTIC_ISSUER_SIRET is not a valid SIRET: "${siret}"`);
  const siren = sirenOf(siret);

  const vatNumber = compact(value(env, 'APTIC_ISSUER_VAT'))?.toUpperCase() ?? frenchVatNumber(siren);
  if (vatNumber !== frenchVatNumber(siren)) {
    throw new Error(
      `APTIC_ISSUER_VAT "${vatNumber}" does not match the SIREN ${siren} (expected ${frenchVatNumber(siren)})`,
    );
  }

  const iban = compact(value(env, 'APTIC_ISSUER_IBAN'))?.toUpperCase() ?? PLACEHOLDER.iban;
  if (!isValidIBAN(iban)) throw new Error(`APTIC_ISSUER_IBAN is not a valid IBAN: "${iban}"`);

  const bic = compact(value(env, 'APTIC_ISSUER_BIC'))?.toUpperCase() ?? PLACEHOLDER.bic;
  if (!isValidBIC(bic)) throw new Error(`APTIC_ISSUER_BIC is not a valid BIC: "${bic}"`);

  const capital = value(env, 'APTIC_ISSUER_SHARE_CAPITAL');
  const shareCapitalEuros = capital === undefined ? PLACEHOLDER.shareCapitalEuros : Number(capital);
  if (!Number.isSafeInteger(shareCapitalEuros) || shareCapitalEuros < 0) {
    throw new Error(`APTIC_ISSUER_SHARE_CAPITAL must be a whole number of euros, got "${capital}"`);
  }

  const address = value(env, 'APTIC_ISSUER_ADDRESS')
    ?.split(/\n|\|/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

  return {
    name: value(env, 'APTIC_ISSUER_NAME') ?? PLACEHOLDER.name,
    legalForm: value(env, 'APTIC_ISSUER_LEGAL_FORM') ?? PLACEHOLDER.legalForm,
    shareCapitalEuros,
    address: address && address.length > 0 ? address : PLACEHOLDER.address,
    siret,
    vatNumber,
    rcsCity: value(env, 'APTIC_ISSUER_RCS_CITY') ?? PLACEHOLDER.rcsCity,
    iban,
    bic,
    email: value(env, 'APTIC_ISSUER_EMAIL') ?? PLACEHOLDER.email,
  };
}

/**
 * Whether the issuer is still (in part) the fictitious placeholder: its documents then carry a
 * SPÉCIMEN watermark and the start warns. The SIRET and the IBAN are what make a document real.
 */
export function isPlaceholderIssuer(issuer: Issuer): boolean {
  return issuer.siret === PLACEHOLDER.siret || issuer.iban === PLACEHOLDER.iban;
}

export function sirenOf(siret: string): string {
  return siret.slice(0, 9);
}

/** French intra-community VAT number: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function frenchVatNumber(siren: string): string {
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Identifiers are often pasted grouped ("FR76 3000 …", "123 456 782 00010"). */
function compact(raw: string | undefined): string | undefined {
  return raw?.replace(/[\s\u00a0\u202f]/g, '');
}
