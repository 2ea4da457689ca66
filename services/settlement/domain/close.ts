/**
 * A place's figures at a monthly close (endossement): its passes, their face value (gross), the
 * 4 % downstream fee (the sum of each pass's fee), the territorial fund's 1 %, the kit
 * subscription due, a negative net carried from an earlier month, and the net to pay.
 * Pure: the close hands it the sums it read.
 */
import { TERRITORIAL_FUND_BASIS_POINTS, share } from './accounts.ts';
import type { KitCharge } from './kit.ts';

export interface PlaceSums {
  passCount: number;
  latePassCount: number;
  grossCents: number;
  feeCents: number;
}

export interface Carried {
  payableCents: number;
  kitCents: number;
}

export interface PlaceFigures extends PlaceSums {
  territorialFundCents: number;
  kitCents: number;
  kitExclVatCents: number;
  kitVatCents: number;
  kitSponsored: boolean;
  carriedCents: number;
  /** Owed to the place for this period and what was carried: gross − fee (+ carried payable). */
  payableCents: number;
  /** Kit deducted: this period's and what was carried. */
  deductedKitCents: number;
  netCents: number;
}

export const NO_SUMS: PlaceSums = { passCount: 0, latePassCount: 0, grossCents: 0, feeCents: 0 };

export function placeFigures(sums: PlaceSums, kit: KitCharge, carried: Carried | undefined): PlaceFigures {
  const kitCents = kit.exclVatCents + kit.vatCents;
  const carriedPayable = carried?.payableCents ?? 0;
  const carriedKit = carried?.kitCents ?? 0;
  const payableCents = sums.grossCents - sums.feeCents + carriedPayable;
  const deductedKitCents = kitCents + carriedKit;
  return {
    ...sums,
    territorialFundCents: share(sums.grossCents, TERRITORIAL_FUND_BASIS_POINTS),
    kitCents,
    kitExclVatCents: kit.exclVatCents,
    kitVatCents: kit.vatCents,
    kitSponsored: kit.sponsored,
    carriedCents: carriedPayable - carriedKit,
    payableCents,
    deductedKitCents,
    netCents: payableCents - deductedKitCents,
  };
}
