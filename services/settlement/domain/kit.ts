/**
 * The kit subscription a place's payout bears for a period (DOMAIN.md: 7 € HT a month, or 77 € HT a
 * year, from the first scan). Monthly: every month from the month of the first scan until the
 * month it is cancelled, both included. Yearly: the month of the first scan and every twelfth month
 * after. VAT 20 % on top. A month a funder sponsors (any day of it) is not deducted: the funder is
 * invoiced for it by ordering.
 */
import { share } from './accounts.ts';
import { lastDay, monthOf } from './periods.ts';

const KIT_MONTHLY_EXCL_VAT_CENTS = 700;
const KIT_YEARLY_EXCL_VAT_CENTS = 7_700;
const KIT_VAT_BASIS_POINTS = 2_000;

export interface Kit {
  plan: 'monthly' | 'yearly';
  activatedOn: string;
  cancelledOn: string | null;
}
export interface Sponsorship {
  from: string;
  until: string;
}
export interface KitCharge {
  exclVatCents: number;
  vatCents: number;
  sponsored: boolean;
}

const NONE: KitCharge = { exclVatCents: 0, vatCents: 0, sponsored: false };
const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;

export function kitCharge(kit: Kit | undefined, month: string, sponsorships: readonly Sponsorship[]): KitCharge {
  if (!kit) return NONE;
  const first = monthOf(kit.activatedOn);
  if (month < first || (kit.cancelledOn !== null && month > monthOf(kit.cancelledOn))) return NONE;
  if (kit.plan === 'yearly' && (monthIndex(month) - monthIndex(first)) % 12 !== 0) return NONE;
  if (sponsorships.some((s) => s.from <= lastDay(month) && s.until >= `${month}-01`))
    return { ...NONE, sponsored: true };
  const exclVatCents = kit.plan === 'monthly' ? KIT_MONTHLY_EXCL_VAT_CENTS : KIT_YEARLY_EXCL_VAT_CENTS;
  return { exclVatCents, vatCents: share(exclVatCents, KIT_VAT_BASIS_POINTS), sponsored: false };
}
