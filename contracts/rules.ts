import { Type, type Static } from '@sinclair/typebox';
import { BusinessDate } from './primitives.ts';

/** INSEE codes: commune (5 chars, Corsica 2A/2B), EPCI SIREN (9 digits), département (2–3 chars). */
export const CommuneCode = Type.String({ pattern: '^(?:[0-9]{2}|2A|2B)[0-9]{3}$' });
export const EpciCode = Type.String({ pattern: '^[0-9]{9}$' });
export const DepartementCode = Type.String({ pattern: '^(?:[0-9]{2}|2A|2B|97[1-6])$' });

/** The geographic perimeter a funder allows; an empty perimeter means "anywhere". */
export const Perimeter = Type.Object({
  communes: Type.Array(CommuneCode, { maxItems: 5000 }),
  epcis: Type.Array(EpciCode, { maxItems: 2000 }),
  departements: Type.Array(DepartementCode, { maxItems: 110 }),
});
export type Perimeter = Static<typeof Perimeter>;

/**
 * Usage rules a funder sets on the passes of one order (règles d'usage), carried by `order.paid`
 * so that redemption can enforce them without asking ordering.
 * Empty lists mean "no restriction" on that dimension.
 */
export const UsageRules = Type.Object({
  validFrom: BusinessDate,
  validUntil: BusinessDate,
  perimeter: Perimeter,
  /** Communes the perimeter resolves to (EPCI and départements expanded), for checks without lookups. */
  resolvedCommunes: Type.Array(CommuneCode, { maxItems: 40000 }),
  placeTypes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }),
  serviceCategories: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }),
  publics: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }),
  /**
   * When the passes become redeemable: absent, when their carnets reach the delivery point;
   * `hand_out`, only once a prescripteur has handed each carnet out (activation à la remise).
   */
  activation: Type.Optional(Type.Literal('hand_out')),
});
export type UsageRules = Static<typeof UsageRules>;

/**
 * The last day a pass may be redeemed. Passes valid to 31 December are still accepted until
 * 31 January of the next year (the operator's rule); an earlier end set by the funder is strict.
 */
export function lastRedemptionDay(validUntil: string): string {
  return validUntil.endsWith('-12-31') ? `${Number(validUntil.slice(0, 4)) + 1}-01-31` : validUntil;
}
