import { and, eq } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Queryable, ServiceContext } from '@aptic/runtime';
import { findFunder, type Funder } from '../db/funders.ts';
import { findOrder } from '../db/orders.ts';
import { creditNotes, invoices } from '../db/schema.ts';
import { issuerFromEnv } from './issuer.ts';
import { creditNoteData, facturX, invoiceData } from './factur-x.ts';
import {
  creditNoteHtml,
  invoiceHtml,
  quoteHtml,
  type CreditNoteDocument,
  type FunderParty,
  type InvoiceDocument,
} from './render.ts';

export interface PrintedDocument {
  funderId: string;
  filename: string;
  pdf: Buffer;
}

const party = (funder: Funder): FunderParty => ({
  name: funder.name,
  siret: funder.siret,
  ...(funder.billingAddress ? { billingAddress: funder.billingAddress as FunderParty['billingAddress'] } : {}),
  ...(funder.serviceCode ? { serviceCode: funder.serviceCode } : {}),
});

/**
 * Quotes, invoices and credit notes as French PDFs, rendered on demand from their immutable
 * records, with the service's Chromium; invoices and credit notes as Factur-X (factur-x.ts).
 */
export function documentPrinter(ctx: ServiceContext) {
  // A malformed APTIC_ISSUER_* stops the start: a wrong SIRET or IBAN must never be printed.
  const issuer = issuerFromEnv();
  const render = async (html: string) => (await ctx.pdf()).render(html);
  const db: Queryable = ctx.db;

  return {
    async quote(id: string): Promise<PrintedDocument> {
      const order = await findOrder(db, id);
      const funder = await findFunder(db, order.funderId);
      const html = quoteHtml(
        {
          number: order.quoteNumber,
          issuedOn: order.quotedOn,
          validUntil: order.quoteValidUntil,
          funder: party(funder),
          offer: order.offer as 'standard' | 'plus' | 'premium',
          carnetSize: order.carnetSize as 5 | 10,
          carnets: order.carnets,
          lines: order.lines,
          totalExclVatCents: order.totalExclVatCents,
          vatCents: order.vatCents,
          totalInclVatCents: order.totalInclVatCents,
        },
        issuer,
      );
      return { funderId: funder.id, filename: `${order.quoteNumber}.pdf`, pdf: await render(html) };
    },

    async invoice(id: string): Promise<PrintedDocument> {
      const [invoice] = await db.select().from(invoices).where(eq(invoices.id, id));
      if (!invoice) throw new DomainError('unknown_invoice', 'Facture inconnue.', { status: 404 });
      const order = await findOrder(db, invoice.orderId);
      const funder = await findFunder(db, invoice.funderId);
      const doc: InvoiceDocument = {
        number: invoice.number,
        kind: invoice.kind,
        issuedOn: invoice.issuedOn,
        dueOn: invoice.dueOn,
        quoteNumber: order.quoteNumber,
        ...(order.purchaseOrderReference ? { purchaseOrderReference: order.purchaseOrderReference } : {}),
        ...(order.engagementNumber ? { engagementNumber: order.engagementNumber } : {}),
        funder: party(funder),
        lines: invoice.lines,
        totalExclVatCents: invoice.totalExclVatCents,
        vatCents: invoice.vatCents,
        totalInclVatCents: invoice.totalInclVatCents,
        creditAppliedCents: invoice.creditAppliedCents,
        amountDueCents: invoice.amountDueCents,
      };
      const filename = `${invoice.number}.pdf`;
      const pdf = await facturX(await render(invoiceHtml(doc, issuer)), invoiceData(doc, issuer), filename);
      return { funderId: funder.id, filename, pdf };
    },

    async creditNote(id: string): Promise<PrintedDocument> {
      const [note] = await db.select().from(creditNotes).where(eq(creditNotes.id, id));
      if (!note) throw new DomainError('unknown_credit_note', 'Avoir inconnu.', { status: 404 });
      const order = await findOrder(db, note.orderId);
      const funder = await findFunder(db, note.funderId);
      // The credit note gives back face value: it corrects the order's face-value invoice.
      const [invoice] = await db
        .select({ number: invoices.number })
        .from(invoices)
        .where(and(eq(invoices.orderId, note.orderId), eq(invoices.kind, 'face_value')));
      const doc: CreditNoteDocument = {
        number: note.number,
        issuedOn: note.issuedOn,
        orderNumber: order.quoteNumber,
        invoiceNumber: invoice!.number,
        funder: party(funder),
        passCount: note.unusedPasses,
        amountCents: note.amountCents,
        reason: 'Pass non utilisés à la fin de leur validité',
      };
      const filename = `${note.number}.pdf`;
      const pdf = await facturX(await render(creditNoteHtml(doc, issuer)), creditNoteData(doc, issuer), filename);
      return { funderId: funder.id, filename, pdf };
    },
  };
}
