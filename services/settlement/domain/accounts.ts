/**
 * The ledger's chart of accounts and the postings each cause makes. Double entry in integer
 * cents: a line is signed, debit positive, credit negative, and a transaction's lines sum to zero.
 *
 * Accounts (kind, and the owner it is kept per):
 *   bank                  debit  the operator's bank account (face values in, payouts out)
 *   funder_held           credit per order (and its funder): face value paid, not yet redeemed nor credited
 *   place_payable         credit per place: what the operator owes a place for its redemptions
 *   platform_fees         credit the 4 % downstream fees, less the territorial fund's share
 *   territorial_fund      credit 1 % of the passes' value, set aside at each monthly close
 *   kit_receivable        debit  per place: kit subscriptions due, incl. VAT, deducted from payouts
 *   kit_revenue           credit kit subscriptions excl. VAT
 *   vat_collected         credit VAT on kit subscriptions (20 %)
 *   payouts_in_transit    credit per place: transfers sent to the bank, not yet confirmed
 *   credit_notes          credit per order (and its funder): unused face value owed back as credit (avoir)
 */
export const AccountKinds = [
  'bank',
  'funder_held',
  'place_payable',
  'platform_fees',
  'territorial_fund',
  'kit_receivable',
  'kit_revenue',
  'vat_collected',
  'payouts_in_transit',
  'credit_notes',
] as const;
export type AccountKind = (typeof AccountKinds)[number];

/** Debit-normal accounts never go below zero; credit-normal ones never above (per owner). */
const debitNormal: ReadonlySet<AccountKind> = new Set(['bank', 'kit_receivable']);
const isDebitNormal = (kind: AccountKind): boolean => debitNormal.has(kind);

const AccountLabels: Record<AccountKind, string> = {
  bank: 'Banque',
  funder_held: 'Fonds des commanditaires détenus',
  place_payable: 'Dû aux lieux',
  platform_fees: 'Frais aval de la plateforme',
  territorial_fund: 'Fonds territorial d’innovation',
  kit_receivable: 'Abonnements kit à recevoir',
  kit_revenue: 'Abonnements kit (HT)',
  vat_collected: 'TVA collectée',
  payouts_in_transit: 'Virements en cours',
  credit_notes: 'Avoirs',
};

export interface Line {
  account: AccountKind;
  owner?: string;
  funderId?: string;
  amountCents: number;
}

export interface Posting {
  kind: string;
  /** Names the cause once (a redemption, an order, a payout and its step). */
  ref: string;
  period?: string;
  memo: string;
  lines: Line[];
}

/** Downstream fee: 4 % of face value (DOMAIN.md), per pass, rounded half up to the cent. */
const FEE_BASIS_POINTS = 400;
/** The territorial fund's share: 1 % of the passes' value, taken from the downstream fees. */
export const TERRITORIAL_FUND_BASIS_POINTS = 100;

/** `cents × basisPoints / 10,000`, rounded half up, in integer arithmetic (negative amounts mirror positive ones). */
export function share(cents: number, basisPoints: number): number {
  const sign = cents < 0 ? -1 : 1;
  const abs = Math.abs(cents) * basisPoints;
  return sign * Math.floor((abs + 5_000) / 10_000);
}

export const feeOf = (faceValueCents: number): number => share(faceValueCents, FEE_BASIS_POINTS);

/** Refuses a posting that does not balance or holds a non-integer amount: nothing is booked then. */
export function assertBalanced(posting: Posting): void {
  let sum = 0;
  for (const line of posting.lines) {
    if (!Number.isSafeInteger(line.amountCents))
      throw new Error(`${posting.kind} ${posting.ref}: ${line.amountCents} is not integer cents`);
    sum += line.amountCents;
  }
  if (sum !== 0) throw new Error(`${posting.kind} ${posting.ref} does not balance (${sum} cents)`);
}

const dr = (account: AccountKind, amountCents: number, owner?: string, funderId?: string): Line => ({
  account,
  amountCents,
  owner,
  funderId,
});
const cr = (account: AccountKind, amountCents: number, owner?: string, funderId?: string): Line =>
  dr(account, -amountCents, owner, funderId);

/** A redemption as it is booked, and its lines (a cancellation books their reverse). */
interface Redemption {
  redemptionId: string;
  orderId: string;
  funderId: string;
  placeId: string;
  faceValueCents: number;
  feeCents: number;
  period: string;
}
const redemptionLines = (p: Redemption): Line[] => [
  dr('funder_held', p.faceValueCents, p.orderId, p.funderId),
  cr('place_payable', p.faceValueCents - p.feeCents, p.placeId),
  cr('platform_fees', p.feeCents),
];

/** A transfer of a place's payout, as it is booked. */
interface Transfer {
  transferId: string;
  placeId: string;
  period: string;
  payableCents: number;
  kitCents: number;
}
const transferLines = (p: Transfer): Line[] => [
  dr('place_payable', p.payableCents, p.placeId),
  cr('kit_receivable', p.kitCents, p.placeId),
  cr('payouts_in_transit', p.payableCents - p.kitCents, p.placeId),
];

/** The same lines, each on the other side: what undoes their booking. */
const reversal = (lines: Line[]): Line[] => lines.map((l) => ({ ...l, amountCents: -l.amountCents }));

export const postings = {
  /** The face value reached the bank: it is the funder's money, held until redemption or credit. */
  orderPaid: (p: { orderId: string; funderId: string; faceValueCents: number }): Posting => ({
    kind: 'order_paid',
    ref: p.orderId,
    memo: 'Valeur faciale reçue',
    lines: [dr('bank', p.faceValueCents), cr('funder_held', p.faceValueCents, p.orderId, p.funderId)],
  }),
  /** A pass redeemed: its face value leaves the funder's money, owed to the place less the fee. */
  redeemed: (p: Redemption): Posting => ({
    kind: 'redemption',
    ref: p.redemptionId,
    period: p.period,
    memo: 'Pass encaissé par le lieu',
    lines: redemptionLines(p),
  }),
  /** A redemption cancelled: the exact reverse of its booking. */
  cancelled: (p: Redemption): Posting => ({
    kind: 'cancellation',
    ref: p.redemptionId,
    period: p.period,
    memo: 'Encaissement annulé',
    lines: reversal(redemptionLines(p)),
  }),
  /** The final count of an order: its unredeemed face value becomes the funder's credit (avoir). */
  credited: (p: { orderId: string; funderId: string; amountCents: number }): Posting => ({
    kind: 'credit',
    ref: p.orderId,
    memo: 'Valeur non utilisée rendue en avoir',
    lines: [
      dr('funder_held', p.amountCents, p.orderId, p.funderId),
      cr('credit_notes', p.amountCents, p.orderId, p.funderId),
    ],
  }),
  /** At a place's monthly close: 1 % of its passes' value from the fees to the territorial fund. */
  territorialFund: (p: { placePeriodId: string; period: string; amountCents: number }): Posting => ({
    kind: 'territorial_fund',
    ref: p.placePeriodId,
    period: p.period,
    memo: 'Dotation du fonds territorial (1 %)',
    lines: [dr('platform_fees', p.amountCents), cr('territorial_fund', p.amountCents)],
  }),
  /** At a place's monthly close: its kit subscription due, VAT included. */
  kitDue: (p: {
    placePeriodId: string;
    placeId: string;
    period: string;
    exclVatCents: number;
    vatCents: number;
  }): Posting => ({
    kind: 'kit_due',
    ref: p.placePeriodId,
    period: p.period,
    memo: 'Abonnement kit dû',
    lines: [
      dr('kit_receivable', p.exclVatCents + p.vatCents, p.placeId),
      cr('kit_revenue', p.exclVatCents),
      cr('vat_collected', p.vatCents),
    ],
  }),
  /** A transfer sent: what the place is owed, less its kit, leaves for the bank. */
  payoutSent: (p: Transfer): Posting => ({
    kind: 'payout_sent',
    ref: p.transferId,
    period: p.period,
    memo: 'Virement émis',
    lines: transferLines(p),
  }),
  /** The bank rejected the transfer: back to what the place is owed, kit included (its lines last to first). */
  payoutRejected: (p: Transfer): Posting => ({
    kind: 'payout_rejected',
    ref: p.transferId,
    period: p.period,
    memo: 'Virement rejeté par la banque',
    lines: reversal(transferLines(p)).reverse(),
  }),
  /** The bank executed the transfer: the money left the operator's account. */
  payoutExecuted: (p: { transferId: string; placeId: string; period: string; netCents: number }): Posting => ({
    kind: 'payout_executed',
    ref: p.transferId,
    period: p.period,
    memo: 'Virement exécuté',
    lines: [dr('payouts_in_transit', p.netCents, p.placeId), cr('bank', p.netCents)],
  }),
};

export interface Balance {
  account: AccountKind;
  owner: string | null;
  balanceCents: number;
}

export interface Violation {
  code: 'unbalanced_transaction' | 'wrong_side';
  message: string;
  account?: AccountKind;
  owner?: string | null;
  txId?: string;
  cents: number;
}

/** Accounts on the side they may not go (a place's payable below zero, a funder's held money below zero…). */
export function wrongSide(balances: Balance[]): Violation[] {
  return balances
    .filter((b) => (isDebitNormal(b.account) ? b.balanceCents < 0 : b.balanceCents > 0))
    .map((b) => ({
      code: 'wrong_side' as const,
      account: b.account,
      owner: b.owner,
      cents: b.balanceCents,
      message: `${AccountLabels[b.account]} ${b.owner ?? ''} est du mauvais côté (${b.balanceCents} centimes)`,
    }));
}
