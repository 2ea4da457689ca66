import { Type, type Static } from '@sinclair/typebox';
import { BusinessDate, CarnetSize, Offer, Uuid, UsageRules } from '@aptic/contracts';
import { pick } from '@aptic/runtime';
import type { Allocation } from './domain/billing.ts';
import type { Invoice, Payment } from './db/billing.ts';
import type { Order } from './db/orders.ts';

const Int = Type.Integer();

const QuoteLineView = Type.Object({
  code: Type.String(),
  label: Type.String(),
  quantity: Int,
  unitPriceCents: Int,
  amountCents: Int,
  vatRate: Type.Integer({ description: 'basis points: 2000 = 20 %' }),
  vatCents: Int,
});

export const QuoteView = Type.Object({
  id: Uuid,
  number: Type.String(),
  funderId: Uuid,
  status: Type.String(),
  offer: Offer,
  carnetSize: CarnetSize,
  carnets: Int,
  passCount: Int,
  options: Type.Array(Type.String()),
  firstOrder: Type.Boolean(),
  lines: Type.Array(QuoteLineView),
  faceValueCents: Int,
  totalExclVatCents: Int,
  vatCents: Int,
  totalInclVatCents: Int,
  issuedOn: BusinessDate,
  validUntil: BusinessDate,
  rules: UsageRules,
});

const InvoiceView = Type.Object({
  id: Uuid,
  number: Type.String(),
  kind: Type.Union([Type.Literal('face_value'), Type.Literal('services')]),
  issuedOn: BusinessDate,
  dueOn: BusinessDate,
  lines: Type.Array(QuoteLineView),
  totalExclVatCents: Int,
  vatCents: Int,
  totalInclVatCents: Int,
  creditAppliedCents: Int,
  amountDueCents: Int,
});

const PaymentView = Type.Object({
  id: Uuid,
  amountCents: Int,
  receivedOn: BusinessDate,
  reference: Type.String(),
  recordedBy: Type.String(),
});

const AllocationView = Type.Object({
  faceValuePaidCents: Int,
  servicesPaidCents: Int,
  overpaidCents: Int,
  faceValueCovered: Type.Boolean(),
});

export const OrderView = Type.Composite([
  QuoteView,
  Type.Object({
    acceptance: Type.Union([Type.Literal('signature'), Type.Literal('purchase_order'), Type.Null()]),
    purchaseOrderReference: Type.Union([Type.String(), Type.Null()]),
    invoices: Type.Array(InvoiceView),
    payments: Type.Array(PaymentView),
    allocation: AllocationView,
    redeemedPasses: Int,
  }),
]);

export function quoteView(order: Order): Static<typeof QuoteView> {
  return {
    id: order.id,
    number: order.quoteNumber,
    funderId: order.funderId,
    status: order.status,
    offer: order.offer as Static<typeof Offer>,
    carnetSize: order.carnetSize as 5 | 10,
    carnets: order.carnets,
    passCount: order.passCount,
    options: order.options,
    firstOrder: order.firstOrder,
    lines: order.lines,
    faceValueCents: order.faceValueCents,
    totalExclVatCents: order.totalExclVatCents,
    vatCents: order.vatCents,
    totalInclVatCents: order.totalInclVatCents,
    issuedOn: order.quotedOn,
    validUntil: order.quoteValidUntil,
    rules: order.rules,
  };
}

/** What an order's view shows of each of its invoices (not the order and funder it already names). */
const invoiceView = (invoice: Invoice): Static<typeof InvoiceView> =>
  pick(invoice, [
    'id',
    'number',
    'kind',
    'issuedOn',
    'dueOn',
    'lines',
    'totalExclVatCents',
    'vatCents',
    'totalInclVatCents',
    'creditAppliedCents',
    'amountDueCents',
  ]);

export function orderView(
  order: Order,
  invoices: Invoice[],
  payments: Payment[],
  allocation: Allocation,
  redeemedPasses: number,
): Static<typeof OrderView> {
  return {
    ...quoteView(order),
    acceptance: order.acceptance,
    purchaseOrderReference: order.purchaseOrderReference,
    invoices: invoices.map(invoiceView),
    payments: payments.map(({ id, amountCents, receivedOn, reference, recordedBy }) => ({
      id,
      amountCents,
      receivedOn,
      reference,
      recordedBy,
    })),
    allocation,
    redeemedPasses,
  };
}
