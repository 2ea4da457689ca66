/**
 * The funder's documents end to end: pricing → HTML → real headless Chromium → PDF, read back with
 * poppler's pdftotext the way an accountant's tools would read it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../runtime/config.ts';
import { PdfRenderer } from '@aptic/runtime';
import { priceQuote, type QuoteLine } from '../domain/pricing.ts';
import { issuerFromEnv } from './issuer.ts';
import { creditNoteHtml, invoiceHtml, quoteHtml, type FunderParty, type InvoiceDocument } from './render.ts';

const run = promisify(execFile);

type Extracted = {
  /** pdftotext -layout: table rows read across, as printed */
  text: string;
  /** pdftotext in reading order: side-by-side blocks (the quote's mentions and signature box) read one after the other */
  flow: string;
  pages: number;
  fonts: string;
};

/** Both pdftotext readings, every kind of space collapsed and typographic apostrophes made plain. */
async function extract(pdf: Buffer): Promise<Extracted> {
  const dir = await mkdtemp(join(tmpdir(), 'aptic-documents-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const [{ stdout: layout }, { stdout: flow }, { stdout: fonts }] = await Promise.all([
      run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']),
      run('pdftotext', ['-enc', 'UTF-8', file, '-']),
      run('pdffonts', [file]),
    ]);
    const pages = layout.split('\f').filter((page) => page.trim() !== '').length;
    return { text: normalise(layout), flow: normalise(flow), pages, fonts };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function normalise(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').replace(/’/g, "'");
}

const ISSUER = issuerFromEnv({});

const FUNDER: FunderParty = {
  name: 'Communauté de communes <Test> & Co',
  siret: '20004018400015',
  billingAddress: { line1: '42 rue Jules Ferry', postalCode: '33500', city: 'Libourne' },
};

/** The reference quote of seed 000 (offer Plus, first order, 200 carnets of 10, four options). */
const PRICED = priceQuote(
  {
    offer: 'plus',
    carnetSize: 10,
    carnets: 200,
    options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
  },
  { firstOrder: true },
);

function invoiceOf(lines: QuoteLine[], fields: Omit<InvoiceDocument, 'lines' | 'totalExclVatCents' | 'vatCents' | 'totalInclVatCents' | 'amountDueCents'>): InvoiceDocument {
  const totalExclVatCents = lines.reduce((total, line) => total + line.amountCents, 0);
  const vatCents = lines.reduce((total, line) => total + line.vatCents, 0);
  const totalInclVatCents = totalExclVatCents + vatCents;
  return { ...fields, lines, totalExclVatCents, vatCents, totalInclVatCents, amountDueCents: totalInclVatCents - (fields.creditAppliedCents ?? 0) };
}

const IDENTITY = ['#APTIC', 'SAS au capital de 10 000 €', 'RCS Bordeaux 123 456 782', 'SIRET 123 456 782 00010', 'FR11123456782', '33000 Bordeaux'];
const PENALTIES =
  "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de 3 fois le taux d'intérêt légal, ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € (articles L441-10 et D441-5 du Code de commerce). Pas d'escompte pour paiement anticipé.";

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
    const html = quoteHtml(
      {
        number: 'DEV-2026-0042',
        issuedOn: '2026-11-22',
        validUntil: '2026-12-22',
        funder: FUNDER,
        offer: 'plus',
        carnetSize: 10,
        carnets: 200,
        lines: PRICED.lines,
        totalExclVatCents: PRICED.totalExclVatCents,
        vatCents: PRICED.vatCents,
        totalInclVatCents: PRICED.totalInclVatCents,
      },
      ISSUER,
    );
    const pdf = await renderer.render(html);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const { text, flow, pages, fonts } = await extract(pdf);
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
    expect(flow).toContain('Valeur faciale des pass : opération non soumise à la TVA');
    expect(flow).toContain('Bon pour accord');
    expect(flow).toContain('Date : ....../....../..........');
    expect(flow).toContain('précédés de la mention manuscrite « lu et approuvé »');
    expect(flow).toContain('rappelant le numéro de ce devis (DEV-2026-0042)');
    for (const mention of IDENTITY) expect(text).toContain(mention);
    expect(text).toContain('Communauté de communes <Test> & Co');
    expect(text).toContain('SIRET 200 040 184 00015');
    expect(text).toContain('42 rue Jules Ferry 33500 Libourne');
  });

  it('renders the face-value invoice of a public buyer: purchase order, no VAT, due date, transfer details, penalties', async () => {
    const invoice = invoiceOf(
      PRICED.lines.filter((line) => line.code === 'face_value'),
      {
        number: 'FAC-2026-0100',
        kind: 'face_value',
        issuedOn: '2026-11-25',
        dueOn: '2026-12-25',
        orderNumber: 'CMD-2026-0007',
        quoteNumber: 'DEV-2026-0042',
        purchaseOrderReference: 'BC-2026-331',
        funder: FUNDER,
      },
    );
    const { text, pages } = await extract(await renderer.render(invoiceHtml(invoice, ISSUER)));
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
    expect(text).toContain('Valeur faciale des pass : opération non soumise à la TVA');
    expect(text).toContain('IBAN : FR76 3000 6000 0112 3456 7890 189');
    expect(text).toContain('BIC : APTIFRP0XXX');
    expect(text).toContain(PENALTIES);
    for (const mention of IDENTITY) expect(text).toContain(mention);
  });

  it('renders the services invoice with an avoir deducted', async () => {
    const invoice = invoiceOf(
      PRICED.lines.filter((line) => line.code !== 'face_value'),
      {
        number: 'FAC-2026-0101',
        kind: 'services',
        issuedOn: '2026-11-25',
        dueOn: '2026-12-25',
        orderNumber: 'CMD-2026-0007',
        quoteNumber: 'DEV-2026-0042',
        funder: FUNDER,
        creditAppliedCents: 12_000,
      },
    );
    const { text, pages } = await extract(await renderer.render(invoiceHtml(invoice, ISSUER)));
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
    const html = creditNoteHtml(
      {
        number: 'AV-2027-0003',
        issuedOn: '2027-02-01',
        orderNumber: 'CMD-2026-0007',
        funder: FUNDER,
        passCount: 1_234,
        amountCents: 1_234_000,
        reason: 'Fin de validité des pass au 31/01/2027',
      },
      ISSUER,
    );
    const { text, pages } = await extract(await renderer.render(html));
    expect(pages).toBe(1);
    expect(text).toContain('AVOIR');
    expect(text).toContain('N° AV-2027-0003');
    expect(text).toContain('Commande n° CMD-2026-0007');
    expect(text).toContain('1 234 pass de la commande CMD-2026-0007');
    expect(text).toContain("Montant de l'avoir 12 340,00 €");
    expect(text).toContain('Avoir à valoir sur une prochaine commande');
    for (const mention of IDENTITY) expect(text).toContain(mention);
  });
});
