/**
 * The kit subscription (barcode reader + communication kit): 7 € HT a month (8.40 € TTC) or
 * 77 € HT a year (one month free). Billing starts at the place's first scan, not at sign-up:
 * subscribed → active (first `pass.redeemed`) → cancelled; or subscribed → cancelled.
 */
export type KitPlan = 'monthly' | 'yearly';
export type KitStatus = 'subscribed' | 'active' | 'cancelled';

const VAT_BP = 2000;

export const KIT_PRICES: Record<KitPlan, { exclVatCents: number; vatCents: number; inclVatCents: number }> = {
  monthly: priced(700),
  yearly: priced(7700),
};

function priced(exclVatCents: number) {
  const vatCents = Math.round((exclVatCents * VAT_BP) / 10_000);
  return { exclVatCents, vatCents, inclVatCents: exclVatCents + vatCents };
}
