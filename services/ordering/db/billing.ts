import { createHash, randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { DomainError, frenchDate } from '@aptic/contracts';
import { addDays, type Emit, type Queryable, type Tx } from '@aptic/runtime';
import {
  PAYMENT_TERM_DAYS,
  allocatePayments,
  applyCredits,
  closing,
  type Allocation,
  type FinalCount,
} from '../domain/billing.ts';
import type { QuoteLine } from '../domain/pricing.ts';
import { findOrder, lockFunder, moveOrder, type Order } from './orders.ts';
import { assertMove } from '../domain/lifecycle.ts';
import { audit, nextDocumentNumber } from './records.ts';
import { creditApplications, creditNotes, funders, invoices, payments, signedQuotes } from './schema.ts';

export type Invoice = typeof invoices.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type CreditNote = typeof creditNotes.$inferSelect;

export type Acceptance =
  | { method: 'signature'; signedPdf: Buffer }
  | { method: 'purchase_order'; reference: string; engagementNumber: string | null };

const sum = (lines: QuoteLine[], pick: (l: QuoteLine) => number) => lines.reduce((total, l) => total + pick(l), 0);

/** Credit notes of a funder with what is left on them, oldest first. */
export async function creditBalances(
  db: Queryable,
  funderId: string,
): Promise<Array<CreditNote & { remainingCents: number }>> {
  const rows = await db
    .select({
      note: creditNotes,
      used: sql<number>`coalesce((SELECT sum(${creditApplications.amountCents}) FROM ${creditApplications} WHERE ${creditApplications.creditNoteId} = ${creditNotes.id}), 0)::bigint`,
    })
    .from(creditNotes)
    .where(eq(creditNotes.funderId, funderId))
    .orderBy(asc(creditNotes.issuedOn), asc(creditNotes.number));
  return rows.map((r) => ({ ...r.note, remainingCents: r.note.amountCents - Number(r.used) }));
}

async function issueInvoice(
  tx: Tx,
  order: Order,
  kind: Invoice['kind'],
  lines: QuoteLine[],
  today: string,
  creditCents: number,
): Promise<Invoice> {
  const totalExclVatCents = sum(lines, (l) => l.amountCents);
  const vatCents = sum(lines, (l) => l.vatCents);
  const [invoice] = await tx
    .insert(invoices)
    .values({
      id: randomUUID(),
      number: await nextDocumentNumber(tx, 'FA', today),
      orderId: order.id,
      funderId: order.funderId,
      kind,
      issuedOn: today,
      dueOn: addDays(today, PAYMENT_TERM_DAYS),
      lines,
      totalExclVatCents,
      vatCents,
      totalInclVatCents: totalExclVatCents + vatCents,
      creditAppliedCents: creditCents,
      amountDueCents: totalExclVatCents + vatCents - creditCents,
    })
    .returning();
  return invoice!;
}

/**
 * Acceptance (signed quote or public purchase order) opens the account on a first order, and
 * issues the two invoices: the face value (no VAT, less the funder's credit notes) and the rest.
 */
export async function acceptQuote(
  tx: Tx,
  emit: Emit,
  id: string,
  acceptance: Acceptance,
  today: string,
  actor: string,
): Promise<{ order: Order; invoices: Invoice[] }> {
  const quote = await findOrder(tx, id, { lock: true });
  // The funder row is locked too: two quotes of one funder are never accepted at once (opening fee, credit).
  const funder = await lockFunder(tx, quote.funderId);
  assertMove(quote.status, 'accepted');
  if (today > quote.quoteValidUntil) {
    throw new DomainError(
      'quote_expired',
      `Ce devis n'est plus valable depuis le ${frenchDate(quote.quoteValidUntil)} : établir un nouveau devis.`,
      { status: 422 },
    );
  }
  if (!funder.billingAddress) {
    // Acceptance issues the invoices, and an invoice names the client's postal address.
    throw new DomainError(
      'billing_address_missing',
      'L’adresse de facturation du commanditaire est obligatoire sur ses factures : renseignez-la avant d’accepter le devis.',
      { status: 422, field: 'billingAddress' },
    );
  }
  if (quote.firstOrder && funder.openedAt) {
    throw new DomainError(
      'quote_outdated',
      'Le compte a été ouvert par une autre commande depuis ce devis (frais d’ouverture) : établir un nouveau devis.',
      { status: 409 },
    );
  }
  let order = await moveOrder(
    tx,
    quote,
    'accepted',
    actor,
    acceptance.method === 'purchase_order' ? { purchaseOrder: acceptance.reference } : { signed: true },
    {
      acceptance: acceptance.method,
      purchaseOrderReference: acceptance.method === 'purchase_order' ? acceptance.reference : null,
      engagementNumber: acceptance.method === 'purchase_order' ? acceptance.engagementNumber : null,
      acceptedAt: new Date(),
    },
  );
  if (acceptance.method === 'signature') {
    const sha256 = createHash('sha256').update(acceptance.signedPdf).digest('hex');
    await tx.insert(signedQuotes).values({
      orderId: id,
      sha256,
      size: acceptance.signedPdf.length,
      content: acceptance.signedPdf,
      uploadedBy: actor,
    });
  }
  if (!funder.openedAt) await tx.update(funders).set({ openedAt: new Date() }).where(eq(funders.id, funder.id));

  const faceValueLines = order.lines.filter((l) => l.code === 'face_value');
  const credit = applyCredits(
    sum(faceValueLines, (l) => l.amountCents),
    await creditBalances(tx, order.funderId).then((c) =>
      c.map((n) => ({ creditNoteId: n.id, remainingCents: n.remainingCents })),
    ),
  );
  const creditUsed = credit.applications.reduce((total, a) => total + a.amountCents, 0);
  const faceValueInvoice = await issueInvoice(tx, order, 'face_value', faceValueLines, today, creditUsed);
  const servicesInvoice = await issueInvoice(
    tx,
    order,
    'services',
    order.lines.filter((l) => l.code !== 'face_value'),
    today,
    0,
  );
  for (const application of credit.applications) {
    await tx.insert(creditApplications).values({ ...application, invoiceId: faceValueInvoice.id });
  }
  for (const invoice of [faceValueInvoice, servicesInvoice]) {
    await audit(tx, {
      entity: 'invoice',
      entityId: invoice.id,
      scopeId: order.id,
      action: 'issue',
      actor,
      details: { number: invoice.number, amountDueCents: invoice.amountDueCents },
    });
  }
  order = await moveOrder(tx, order, 'invoiced', actor, {
    invoices: [faceValueInvoice.number, servicesInvoice.number],
  });
  // A credit note may cover the whole face value: nothing to wait for.
  if (faceValueInvoice.amountDueCents === 0) order = await markPaid(tx, emit, order, actor);
  return { order, invoices: [faceValueInvoice, servicesInvoice] };
}

async function markPaid(tx: Tx, emit: Emit, order: Order, actor: string): Promise<Order> {
  const paid = await moveOrder(tx, order, 'paid', actor, undefined, { paidAt: new Date() });
  const [funder] = await tx.select({ name: funders.name }).from(funders).where(eq(funders.id, paid.funderId));
  await emit('order.paid', {
    orderId: paid.id,
    funderId: paid.funderId,
    funderName: funder!.name,
    offer: paid.offer as 'standard' | 'plus' | 'premium',
    carnetSize: paid.carnetSize as 5 | 10,
    carnets: paid.carnets,
    faceValueCents: paid.faceValueCents,
    options: paid.options,
    rules: paid.rules,
  });
  return paid;
}

export async function orderInvoices(db: Queryable, orderId: string): Promise<Invoice[]> {
  return db.select().from(invoices).where(eq(invoices.orderId, orderId)).orderBy(asc(invoices.number));
}

export async function orderPayments(db: Queryable, orderId: string): Promise<Payment[]> {
  return db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.recordedAt));
}

export function allocation(invoiceList: Invoice[], paymentList: Payment[]): Allocation {
  const due = (kind: Invoice['kind']) => invoiceList.find((i) => i.kind === kind)?.amountDueCents ?? 0;
  return allocatePayments(
    due('face_value'),
    due('services'),
    paymentList.reduce((total, p) => total + p.amountCents, 0),
  );
}

/**
 * Records a bank transfer; the order becomes paid (and printing may start) once the face value is
 * covered. A transfer arriving after the order closed is recorded too: it settles what is still owed.
 */
export async function recordPayment(
  tx: Tx,
  emit: Emit,
  orderId: string,
  input: { amountCents: number; receivedOn: string; reference: string },
  today: string,
  actor: string,
): Promise<{ order: Order; payment: Payment; allocation: Allocation }> {
  const order = await findOrder(tx, orderId, { lock: true });
  // A closed order's invoices may still be owed (the fees invoice paid late): the payment settles them.
  if (order.status !== 'invoiced' && order.status !== 'paid' && order.status !== 'closed') {
    throw new DomainError('order_not_invoiced', 'Un paiement ne peut être enregistré que sur une commande facturée.', {
      status: 409,
    });
  }
  if (input.receivedOn > today) {
    throw new DomainError('payment_in_future', 'La date de réception du virement ne peut pas être dans le futur.', {
      status: 422,
      field: 'receivedOn',
    });
  }
  const [payment] = await tx
    .insert(payments)
    .values({
      id: randomUUID(),
      orderId,
      amountCents: input.amountCents,
      receivedOn: input.receivedOn,
      reference: input.reference.trim(),
      recordedBy: actor,
    })
    .onConflictDoNothing()
    .returning();
  if (!payment)
    throw new DomainError(
      'payment_already_recorded',
      'Ce virement (même référence) est déjà enregistré pour cette commande.',
      { status: 409, field: 'reference' },
    );
  await audit(tx, {
    entity: 'payment',
    entityId: payment.id,
    scopeId: orderId,
    action: 'record',
    actor,
    details: { orderId, amountCents: input.amountCents, reference: payment.reference },
  });
  const split = allocation(await orderInvoices(tx, orderId), await orderPayments(tx, orderId));
  const updated =
    order.status === 'invoiced' && split.faceValueCovered ? await markPaid(tx, emit, order, actor) : order;
  return { order: updated, payment, allocation: split };
}

/**
 * Closes an order on redemption's final count (`order.redemption_closed`): the face value of the
 * passes never redeemed becomes a credit note (avoir) for the funder's next order. An order closes
 * once: the same count announced again finds it closed and changes nothing.
 */
export async function closeOrder(
  tx: Tx,
  emit: Emit,
  orderId: string,
  final: FinalCount,
  today: string,
  actor: string,
): Promise<{ order: Order; creditNote: CreditNote | null }> {
  const order = await findOrder(tx, orderId, { lock: true });
  if (order.status === 'closed') return { order, creditNote: null };
  const result = closing(order.passCount, final);
  let creditNote: CreditNote | null = null;
  if (result.creditCents > 0) {
    [creditNote] = (await tx
      .insert(creditNotes)
      .values({
        id: randomUUID(),
        number: await nextDocumentNumber(tx, 'AV', today),
        funderId: order.funderId,
        orderId,
        issuedOn: today,
        unusedPasses: result.unusedPasses,
        amountCents: result.creditCents,
      })
      .returning()) as [CreditNote];
    await audit(tx, {
      entity: 'credit_note',
      entityId: creditNote.id,
      scopeId: orderId,
      action: 'issue',
      actor,
      details: { number: creditNote.number, amountCents: creditNote.amountCents },
    });
    await emit('credit_note.issued', {
      creditNoteId: creditNote.id,
      funderId: order.funderId,
      orderId,
      number: creditNote.number,
      amountCents: creditNote.amountCents,
    });
  }
  const details = {
    redeemedPasses: final.redeemedCount,
    unusedPasses: result.unusedPasses,
    creditCents: result.creditCents,
  };
  const closed = await moveOrder(tx, order, 'closed', actor, details, { closedAt: new Date() });
  return { order: closed, creditNote };
}
