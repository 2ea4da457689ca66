/**
 * The funder's documents end to end: pricing → HTML → real headless Chromium → PDF, read back with
 * poppler's pdftotext the way an accountant's tools would read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../runtime/config.ts';
import { PdfRenderer } from '@aptic/runtime';
import { readPdf } from '../../../test/support/pdf.ts';
import {
  CREDIT_NOTE,
  FACE_VALUE_INVOICE,
  FACE_VALUE_MENTION,
  ISSUER,
  ISSUER_IDENTITY,
  PENALTIES,
  PRICED,
  QUOTE,
  SERVICES_INVOICE,
} from './fixtures.ts';
import { creditNoteHtml, invoiceHtml, quoteHtml } from './render.ts';

describe('funder documents rendered to PDF by Chromium', () => {
  let renderer: PdfRenderer;

  beforeAll(async () => {
    renderer = await PdfRenderer.launch(readConfig().chromiumPath);
  });

  afterAll(async () => {
    await renderer?.close();
  });

  it('prices the seed quote as the seed does: 25 450 € HT, 1 090 € VAT, 26 540 € TTC', () => {
    expect(PRICED.totalExclVatCents).toBe(2_545_000);
    expect(PRICED.vatCents).toBe(109_000);
    expect(PRICED.totalInclVatCents).toBe(2_654_000);
  });

  it('renders the seed quote on one A4 page with its totals, legal mentions and signature block', async () => {
    const pdf = await renderer.render(quoteHtml(QUOTE, ISSUER));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const { text, flow, pages, fonts } = await readPdf(pdf);
    expect(pages).toBe(1);
    expect(fonts).toMatch(/DejaVuSans\s.*\byes\b/);
    expect(text).toContain('DEVIS');
    expect(text).toContain('N° DEV-2026-0042');
    expect(text).toContain('22/11/2026');
    expect(flow).toContain("Devis valable jusqu'au 22/12/2026");
    expect(text).toContain('200 carnets de 10 pass 200 100,00 € Non soumis 20 000,00 €');
    expect(text).toContain('Frais contributifs 2 000 0,40 € 20 % 800,00 €');
    expect(text).toContain('2 900,00 €');
    expect(text).toContain('Total HT 25 450,00 €');
    expect(text).toContain('TVA 1 090,00 €');
    expect(text).toContain('Total TTC 26 540,00 €');
    expect(flow).toContain(FACE_VALUE_MENTION);
    expect(flow).toContain('Bon pour accord');
    expect(flow).toContain('Date : ....../....../..........');
    expect(flow).toContain('précédés de la mention manuscrite « lu et approuvé »');
    expect(flow).toContain('rappelant le numéro de ce devis (DEV-2026-0042)');
    for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
    expect(text).toContain('Communauté de communes <Test> & Co');
    expect(text).toContain('SIRET 200 040 184 00015');
    expect(text).toContain('42 rue Jules Ferry Service des finances 33500 Libourne');
  });

  it('renders the face-value invoice of a public buyer: purchase order, no VAT, due date, transfer details, penalties', async () => {
    const { text, pages } = await readPdf(await renderer.render(invoiceHtml(FACE_VALUE_INVOICE, ISSUER)));
    expect(pages).toBe(1);
    expect(text).toContain('FACTURE');
    expect(text).toContain('N° FAC-2026-0100');
    expect(text).toContain('Échéance 25/12/2026');
    expect(text).toContain('Commande n° CMD-2026-0007');
    expect(text).toContain('Devis n° DEV-2026-0042');
    expect(text).toContain('Bon de commande n° BC-2026-331');
    expect(text).toContain('Total HT 20 000,00 €');
    expect(text).toContain('TVA 0,00 €');
    expect(text).toContain('Net à payer 20 000,00 €');
    expect(text).toContain(FACE_VALUE_MENTION);
    expect(text).toContain('IBAN : FR76 3000 6000 0112 3456 7890 189');
    expect(text).toContain('BIC : APTIFRP0XXX');
    expect(text).toContain(PENALTIES);
    for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
  });

  it('renders the services invoice with an avoir deducted', async () => {
    const { text, pages } = await readPdf(await renderer.render(invoiceHtml(SERVICES_INVOICE, ISSUER)));
    expect(pages).toBe(1);
    expect(text).toContain('Total HT 5 450,00 €');
    expect(text).toContain('TVA 1 090,00 €');
    expect(text).toContain('Total TTC 6 540,00 €');
    expect(text).toContain('Avoir déduit -120,00 €');
    expect(text).toContain('Net à payer 6 420,00 €');
    expect(text).not.toContain('Bon de commande n°');
    expect(text).toContain(PENALTIES);
  });

  it('renders the credit note for the passes never redeemed', async () => {
    const { text, pages } = await readPdf(await renderer.render(creditNoteHtml(CREDIT_NOTE, ISSUER)));
    expect(pages).toBe(1);
    expect(text).toContain('AVOIR');
    expect(text).toContain('N° AV-2027-0003');
    expect(text).toContain('Commande n° CMD-2026-0007');
    expect(text).toContain('1 234 pass de la commande CMD-2026-0007');
    expect(text).toContain("Montant de l'avoir 12 340,00 €");
    expect(text).toContain('Avoir à valoir sur une prochaine commande');
    for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
  });
});
