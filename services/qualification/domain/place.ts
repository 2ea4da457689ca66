import { DomainError, PLACE_TYPES, checkPivot, type PlaceTypeCode, type Role } from '@aptic/contracts';
import { checkBankDetails, type BankDetails } from './bank.ts';
import { territory, type TerritoryCommune } from '@aptic/contracts';
import { checkOpeningHours } from './opening-hours.ts';

export interface PlaceAddress {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
}

export interface PlaceInput {
  name: string;
  siret?: string;
  rna?: string;
  type: string;
  address: PlaceAddress;
  communeCode: string;
  latitude: number;
  longitude: number;
  openingHours: string;
  iban?: string;
  bic?: string;
}

/** What the database stores, every field checked. */
export interface CheckedPlace {
  name: string;
  /** The identifier of the national schema ("pivot"): a SIRET, or an RNA number for associations without one. */
  pivot: string;
  pivotKind: 'siret' | 'rna';
  type: PlaceTypeCode;
  address: PlaceAddress;
  commune: TerritoryCommune;
  latitude: number;
  longitude: number;
  openingHours: string;
  bank: BankDetails | undefined;
}

const TYPES = new Set<string>(PLACE_TYPES.map((t) => t.code));
function checkPlaceType(type: string): PlaceTypeCode {
  if (!TYPES.has(type))
    throw new DomainError('unknown_place_type', `Type de lieu inconnu : ${type}.`, { status: 422, field: 'type' });
  return type as PlaceTypeCode;
}

function checkCommune(code: string): TerritoryCommune {
  const commune = territory().commune(code);
  if (!commune)
    throw new DomainError('unknown_commune', `Code commune INSEE inconnu : ${code}.`, {
      status: 422,
      field: 'communeCode',
    });
  return commune;
}

function checkBank(input: PlaceInput): BankDetails | undefined {
  if (input.iban === undefined && input.bic === undefined) return undefined;
  if (input.iban === undefined || input.bic === undefined)
    throw new DomainError('incomplete_bank_details', 'L’IBAN et le BIC vont ensemble.', {
      status: 422,
      field: input.iban === undefined ? 'iban' : 'bic',
    });
  return checkBankDetails({ iban: input.iban, bic: input.bic });
}

/** Checks everything the schema cannot, in the order staff fill the form. */
export function checkPlace(input: PlaceInput): CheckedPlace {
  return {
    name: input.name.trim(),
    ...checkPivot(input, 'du lieu'),
    type: checkPlaceType(input.type),
    address: input.address,
    commune: checkCommune(input.communeCode),
    latitude: input.latitude,
    longitude: input.longitude,
    openingHours: checkOpeningHours(input.openingHours).value,
    bank: checkBank(input),
  };
}

/** An edit: any of the application's fields. */
export type PlacePatch = Partial<PlaceInput>;

/**
 * The place's input once edited, to be checked whole by `checkPlace` (an edit never leaves a place
 * a new application would be refused with). SIRET and RNA replace each other; IBAN and BIC come
 * together, as in an application (one alone is refused).
 */
export function patched(current: PlaceInput, patch: PlacePatch): PlaceInput {
  const pivot =
    patch.siret !== undefined || patch.rna !== undefined
      ? { siret: patch.siret, rna: patch.rna }
      : { siret: current.siret, rna: current.rna };
  const bank =
    patch.iban !== undefined || patch.bic !== undefined
      ? { iban: patch.iban, bic: patch.bic }
      : { iban: current.iban, bic: current.bic };
  return { ...current, ...patch, ...pivot, ...bank };
}

const BANK_FIELDS = new Set<string>(['iban', 'bic']);

/** Support edits a place; its payout account is finance's only, as reading it in full is (admin may do both). */
/** Bank details are finance's alone (and admin's): given at a place's creation as at its edits. */
export function assertMayChangeBank(role: Role | undefined, fields: readonly string[]): void {
  const bank = fields.find((f) => BANK_FIELDS.has(f));
  if (bank && role !== 'finance' && role !== 'admin') {
    throw new DomainError(
      'bank_details_finance_only',
      'Seule la finance saisit ou modifie l’IBAN et le BIC d’un lieu.',
      { status: 403, field: bank },
    );
  }
}

export function assertMayEdit(role: Role | undefined, patch: PlacePatch): void {
  const fields = Object.keys(patch);
  assertMayChangeBank(role, fields);
  const detail = fields.find((f) => !BANK_FIELDS.has(f));
  if (detail && role !== 'support' && role !== 'admin') {
    throw new DomainError(
      'place_details_support_only',
      'Seul le support modifie la fiche d’un lieu (la finance : son IBAN et son BIC).',
      { status: 403, field: detail },
    );
  }
}
