/**
 * The funder's documents end to end: pricing → HTML → real headless Chromium → PDF, read back with
 * poppler's pdftotext the way an accountant's tools would read it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../runtime/config.ts';
import { PdfRenderer } from '@aptic/runtime';
import { readPdf, saveFirstPage } from '../../../test/support/pdf.ts';
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
import { creditNoteData, facturX, invoiceData } from './factur-x.ts';

const run = promisify(execFile);

/** What a Factur-X reader finds in the PDF: its attachments, its XMP metadata and factur-x.xml. */
async function readFacturX(pdf: Buffer): Promise<{ attachments: string; xmp: string; xml: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'aptic-facturx-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const [{ stdout: attachments }, { stdout: xmp }] = await Promise.all([
      run('pdfdetach', ['-list', file]),
      run('pdfinfo', ['-meta', file]),
    ]);
    const index = /^(\d+): factur-x\.xml$/m.exec(attachments)?.[1];
    if (!index) throw new Error(`no factur-x.xml among the attachments: ${attachments}`);
    await run('pdfdetach', ['-save', index, '-o', join(dir, 'factur-x.xml'), file]);
    return { attachments, xmp, xml: await readFile(join(dir, 'factur-x.xml'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A document-level amount of the CII XML (the header's, after the lines), as cents. */
function ciiAmount(xml: string, element: string): number {
  const found = [...xml.matchAll(new RegExp(`<ram:${element}(?: [^>]*)?>([-\\d.]+)</ram:${element}>`, 'g'))].at(-1);
  if (!found) throw new Error(`no ram:${element} in factur-x.xml`);
  return Math.round(Number(found[1]) * 100);
}

/** "26 540,00 €" as printed (pdftotext, spaces made plain) → cents. */
function printedCents(text: string, label: string): number {
  const found = new RegExp(`${label} (-?[\\d ]+,\\d\\d) €`).exec(text);
  if (!found) throw new Error(`no "${label}" amount in the PDF`);
  return Number(found[1]!.replace(/ /g, '').replace(',', ''));
}

/** The EN 16931 totals rules the XML must keep (BR-CO-10, -13, -15, -16), and the same totals as the PDF. */
function expectConsistentTotals(xml: string, text: string, labels: { total: string; due: string }): void {
  const lines = [...xml.matchAll(/<ram:LineTotalAmount>([\d.]+)<\/ram:LineTotalAmount>/g)];
  const lineSum = lines.slice(0, -1).reduce((t, m) => t + Math.round(Number(m[1]) * 100), 0);
  expect(lineSum).toBe(ciiAmount(xml, 'LineTotalAmount'));
  expect(ciiAmount(xml, 'TaxBasisTotalAmount')).toBe(ciiAmount(xml, 'LineTotalAmount'));
  expect(ciiAmount(xml, 'GrandTotalAmount')).toBe(
    ciiAmount(xml, 'TaxBasisTotalAmount') + ciiAmount(xml, 'TaxTotalAmount'),
  );
  const prepaid = /<ram:TotalPrepaidAmount>/.test(xml) ? ciiAmount(xml, 'TotalPrepaidAmount') : 0;
  expect(ciiAmount(xml, 'DuePayableAmount')).toBe(ciiAmount(xml, 'GrandTotalAmount') - prepaid);
  expect(ciiAmount(xml, 'GrandTotalAmount')).toBe(printedCents(text, labels.total));
  expect(ciiAmount(xml, 'DuePayableAmount')).toBe(printedCents(text, labels.due));
}

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

  it('carries every mandatory mention on a rendered invoice: client address and SIREN, order references, nature of the operation, SPÉCIMEN', async () => {
    const pdf = await renderer.render(invoiceHtml(FACE_VALUE_INVOICE, ISSUER));
    const { text, flow } = await readPdf(pdf);
    // Read in reading order: the client box sits beside the references.
    const mentions = [
      '42 rue Jules Ferry Service des finances 33500 Libourne',
      'SIREN 200 040 184 · SIRET 200 040 184 00015',
      'Code service : FACTURES_PUBLIQUES',
      'Votre bon de commande n° BC-2026-331',
      'Engagement juridique n° 1300012345',
      "Nature de l'opération : prestation de services.",
      'Échéance 25/12/2026',
      PENALTIES,
      // The watermark is drawn as an image (it must not mix with the text a reader extracts); its note is text.
      "Spécimen sans valeur : l'identité de l'émetteur est fictive.",
    ];
    for (const mention of mentions) expect(flow).toContain(mention);
    for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
  });

  it('makes invoices Factur-X: factur-x.xml embedded in a PDF/A-3, EN 16931, the buyer’s references, totals equal to the PDF’s', async () => {
    for (const doc of [FACE_VALUE_INVOICE, SERVICES_INVOICE]) {
      const html = invoiceHtml(doc, ISSUER);
      const pdf = await facturX(await renderer.render(html), invoiceData(doc, ISSUER), `${doc.number}.pdf`);
      const { attachments, xmp, xml } = await readFacturX(pdf);
      expect(attachments).toContain('factur-x.xml');
      expect(xmp).toMatch(/pdfaid:part(>|=")3/);
      expect(xmp).toContain('urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#');
      expect(xml).toContain('<ram:ID>urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended</ram:ID>');
      expect(xml).toContain(`<ram:ID>${doc.number}</ram:ID>`);
      expect(xml).toContain('<ram:TypeCode>380</ram:TypeCode>');
      expect(xml).toContain('schemeID="0009">20004018400015<');
      expectConsistentTotals(xml, (await readPdf(pdf)).text, { total: 'Total TTC', due: 'Net à payer' });
    }
    const { xml } = await readFacturX(
      await facturX(
        await renderer.render(invoiceHtml(FACE_VALUE_INVOICE, ISSUER)),
        invoiceData(FACE_VALUE_INVOICE, ISSUER),
        'f.pdf',
      ),
    );
    // Chorus Pro reads the service code as the buyer reference, the engagement juridique as the order reference.
    expect(xml).toContain('<ram:BuyerReference>FACTURES_PUBLIQUES</ram:BuyerReference>');
    expect(xml).toMatch(
      /<ram:BuyerOrderReferencedDocument>\s*<ram:IssuerAssignedID>1300012345<\/ram:IssuerAssignedID>/,
    );
    // The face value is outside the scope of VAT: category O, with its reason, and no seller VAT number.
    expect(xml).toContain('<ram:CategoryCode>O</ram:CategoryCode>');
    expect(xml).not.toContain('schemeID="VA"');
  });

  it('makes credit notes Factur-X too (type 381), and refuses data the library’s EN 16931 schema refuses', async () => {
    const pdf = await facturX(
      await renderer.render(creditNoteHtml(CREDIT_NOTE, ISSUER)),
      creditNoteData(CREDIT_NOTE, ISSUER),
      'AV-2027-0003.pdf',
    );
    const { attachments, xml } = await readFacturX(pdf);
    expect(attachments).toContain('factur-x.xml');
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(xml).toContain('<ram:BuyerReference>FACTURES_PUBLIQUES</ram:BuyerReference>');
    expectConsistentTotals(xml, (await readPdf(pdf)).text, { total: "Montant de l'avoir", due: "Montant de l'avoir" });

    const data = invoiceData(FACE_VALUE_INVOICE, ISSUER);
    const broken = structuredClone(data);
    (broken['ubl:Invoice'] as Record<string, unknown>)['cbc:DocumentCurrencyCode'] = 'EURO';
    await expect(
      facturX(await renderer.render(invoiceHtml(FACE_VALUE_INVOICE, ISSUER)), broken, 'x.pdf'),
    ).rejects.toThrow();
  });

  it('leaves the first page of each funder document as a PNG for review', async () => {
    const documents = {
      quote: quoteHtml(QUOTE, ISSUER),
      'invoice-face-value': invoiceHtml(FACE_VALUE_INVOICE, ISSUER),
      'invoice-services': invoiceHtml(SERVICES_INVOICE, ISSUER),
      'credit-note': creditNoteHtml(CREDIT_NOTE, ISSUER),
    };
    for (const [name, html] of Object.entries(documents)) {
      const png = await saveFirstPage(await renderer.render(html), name);
      expect((await readFile(png)).subarray(1, 4).toString('latin1')).toBe('PNG');
    }
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
    expect(text).toContain('Devis n° DEV-2026-0042');
    expect(text).toContain('Votre bon de commande n° BC-2026-331');
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
    expect(text).toContain("Facture d'origine n° FAC-2026-0100");
    expect(text).toContain('1 234 pass de la commande DEV-2026-0042');
    expect(text).toContain("Montant de l'avoir 12 340,00 €");
    expect(text).toContain('Avoir à valoir sur une prochaine commande');
    for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
  });
});
