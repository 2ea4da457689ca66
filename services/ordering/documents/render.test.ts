import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatEuros, isValidSiret } from '@aptic/contracts';
import { isValidIBAN } from 'ibantools';
import {
  CREDIT_NOTE,
  FACE_VALUE_INVOICE,
  FACE_VALUE_MENTION,
  FUNDER,
  ISSUER,
  ISSUER_IDENTITY,
  PENALTIES,
  PRICED,
  QUOTE,
  SERVICES_INVOICE,
} from './fixtures.ts';
import { frenchVatNumber, issuerFromEnv } from './issuer.ts';
import { creditNoteHtml, invoiceHtml, quoteHtml, type FunderParty } from './render.ts';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#x27': "'",
  '#x60': '`',
  '#x3D': '=',
  nbsp: ' ',
};

/** What a reader sees: no style, no tags, entities decoded, every kind of space collapsed. */
/** The text a reader sees, spaces collapsed and apostrophes made plain (as readPdf does). */
function visibleText(html: string): string {
  return rawText(html).replace(/’/g, "'");
}

function rawText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D|nbsp);/g, (_, entity: string) => ENTITIES[entity] ?? '')
    .replace(/[\s\u00a0\u202f]+/g, ' ');
}

describe('French formats', () => {
  it('formats cents as Intl fr-FR does: narrow no-break thousands, comma, no-break space before €', () => {
    expect(formatEuros(2_545_000)).toBe('25\u202f450,00\u00a0€');
    expect(formatEuros(2_545_000)).toBe(
      new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(25_450),
    );
    expect(formatEuros(0)).toBe('0,00\u00a0€');
    expect(formatEuros(40)).toBe('0,40\u00a0€');
    expect(formatEuros(100_000_000_012)).toBe('1\u202f000\u202f000\u202f000,12\u00a0€');
    expect(formatEuros(-12_000)).toBe('-120,00\u00a0€');
  });

  it('refuses amounts that are not integer cents', () => {
    expect(() => formatEuros(12.5)).toThrow(RangeError);
    expect(() => formatEuros(Number.NaN)).toThrow(RangeError);
  });
});

describe('the issuer', () => {
  it('defaults to well-formed placeholders: Luhn SIRET, VAT key from the SIREN, mod-97 IBAN', () => {
    expect(isValidSiret(ISSUER.siret)).toBe(true);
    const siren = ISSUER.siret.slice(0, 9);
    const key = (12 + 3 * (Number(siren) % 97)) % 97;
    expect(ISSUER.vatNumber).toBe(`FR${String(key).padStart(2, '0')}${siren}`);
    expect(ISSUER.vatNumber).toBe('FR11123456782');
    expect(isValidIBAN(ISSUER.iban)).toBe(true);
    expect(ISSUER.bic).toMatch(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/);
  });

  it('takes every override from the environment, deriving the VAT number from an overridden SIRET', () => {
    const issuer = issuerFromEnv({
      APTIC_ISSUER_NAME: 'Opérateur réel',
      APTIC_ISSUER_SIRET: '732 829 320 00074',
      APTIC_ISSUER_ADDRESS: '1 place de la Bourse | 33000 Bordeaux',
      APTIC_ISSUER_IBAN: 'FR14 2004 1010 0505 0001 3M02 606',
      APTIC_ISSUER_BIC: 'psstfrppbor',
    });
    expect(issuer).toMatchObject({
      name: 'Opérateur réel',
      siret: '73282932000074',
      vatNumber: frenchVatNumber('732829320'),
      address: ['1 place de la Bourse', '33000 Bordeaux'],
      iban: 'FR1420041010050500013M02606',
      bic: 'PSSTFRPPBOR',
    });
    expect(issuerFromEnv({ APTIC_ISSUER_SIRET: '73282932000074', APTIC_ISSUER_VAT: 'FR44732829320' }).vatNumber).toBe(
      'FR44732829320',
    );
  });

  it('refuses malformed overrides rather than print them on an invoice', () => {
    expect(() => issuerFromEnv({ APTIC_ISSUER_SIRET: '73282932000075' })).toThrow(/SIRET/);
    expect(() => issuerFromEnv({ APTIC_ISSUER_VAT: 'FR12123456782' })).toThrow(/VAT/);
    expect(() => issuerFromEnv({ APTIC_ISSUER_IBAN: 'FR7630006000011234567890188' })).toThrow(/IBAN/);
    expect(() => issuerFromEnv({ APTIC_ISSUER_BIC: 'NOPE' })).toThrow(/BIC/);
  });
});

/** The issuer's and the funder's legal identity, as every document must print them. */
function expectParties(text: string): void {
  for (const mention of ISSUER_IDENTITY) expect(text).toContain(mention);
  expect(text).toContain("12 rue de l'Exemple");
  expect(text).toContain(FUNDER.name);
  expect(text).toContain('SIREN 200 040 184 · SIRET 200 040 184 00015');
  expect(text).toContain('42 rue Jules Ferry Service des finances 33500 Libourne');
}

describe('quoteHtml', () => {
  const html = quoteHtml(QUOTE, ISSUER);
  const text = visibleText(html);

  it('is a French, self-contained A4 document in the DejaVu Sans stack', () => {
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(html).toContain('size: A4');
    expect(html).toContain('font-family: "DejaVu Sans", sans-serif');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('prints the number, dates, offer and every line of the seed quote', () => {
    expect(text).toContain('DEVIS');
    expect(text).toContain('N° DEV-2026-0042');
    expect(text).toContain('Date 22/11/2026');
    expect(text).toContain("Valable jusqu'au 22/12/2026");
    expect(text).toContain('offre Plus, 200 carnets de 10 pass (2 000 pass de 10 €)');
    for (const line of PRICED.lines) expect(text).toContain(line.label.replace(/’/g, "'"));
    expect(text).toContain('200 carnets de 10 pass 200 100,00 € Non soumis 20 000,00 €');
    expect(text).toContain('Frais contributifs 2 000 0,40 € 20 % 800,00 €');
    expect(text).toContain('Ouverture du compte commanditaire 1 150,00 € 20 % 150,00 €');
  });

  it('prints the VAT recap per rate and the totals HT / TVA / TTC', () => {
    expect(text).toContain('20 % 5 450,00 € 1 090,00 €');
    expect(text).toContain('Non soumis 20 000,00 €');
    expect(text).toContain('Total HT 25 450,00 €');
    expect(text).toContain('TVA 1 090,00 €');
    expect(text).toContain('Total TTC 26 540,00 €');
  });

  it('carries the legal mentions of a quote and the "bon pour accord" block', () => {
    expectParties(text);
    expect(text).toContain(FACE_VALUE_MENTION);
    expect(text).toContain("Devis valable jusqu'au 22/12/2026");
    expect(text).toContain('Bon pour accord');
    expect(text).toContain('Date :');
    expect(text).toContain('« lu et approuvé »');
  });

  it('refuses totals that are not the sum of its lines', () => {
    expect(() => quoteHtml({ ...QUOTE, totalExclVatCents: QUOTE.totalExclVatCents + 1 }, ISSUER)).toThrow(
      /sum of its lines/,
    );
    expect(() => quoteHtml({ ...QUOTE, vatCents: 0 }, ISSUER)).toThrow(/sum of its lines/);
    expect(() => quoteHtml({ ...QUOTE, validUntil: '2026-11-21' }, ISSUER)).toThrow(/expires/);
  });
});

describe('invoiceHtml', () => {
  it('bills the face value without VAT, with the public purchase order, due date, bank details and penalties', () => {
    const text = visibleText(invoiceHtml(FACE_VALUE_INVOICE, ISSUER));
    expect(text).toContain('FACTURE');
    expect(text).toContain('Valeur faciale des pass #APTIC');
    expect(text).toContain('N° FAC-2026-0100');
    expect(text).toContain('Date 25/11/2026');
    expect(text).toContain('Échéance 25/12/2026');
    expect(text).toContain('Devis n° DEV-2026-0042');
    expect(text).toContain('Votre bon de commande n° BC-2026-331');
    expect(text).toContain('Engagement juridique n° 1300012345');
    expect(text).toContain('Code service : FACTURES_PUBLIQUES');
    expect(text).not.toContain('CMD-');
    expect(text).toContain("Nature de l'opération : prestation de services.");
    expect(text).toContain('200 carnets de 10 pass 200 100,00 € Non soumis 20 000,00 €');
    expect(text).toContain('Total HT 20 000,00 € TVA 0,00 € Total TTC 20 000,00 € Net à payer 20 000,00 €');
    expect(text).toContain(FACE_VALUE_MENTION);
    expect(text).toContain("Date d'échéance : 25/12/2026");
    expect(text).toContain('virement bancaire');
    expect(text).toContain('IBAN : FR76 3000 6000 0112 3456 7890 189');
    expect(text).toContain('BIC : APTIFRP0XXX');
    expect(text).toContain(PENALTIES);
    expectParties(text);
  });

  it('bills fees and services with VAT, deducts an avoir and prints the net amount due', () => {
    const text = visibleText(invoiceHtml(SERVICES_INVOICE, ISSUER));
    expect(text).toContain('Frais et services #APTIC');
    expect(text).not.toContain('Bon de commande n°');
    expect(text).not.toContain(FACE_VALUE_MENTION);
    expect(text).toContain('Frais contributifs 2 000 0,40 € 20 % 800,00 €');
    expect(text).toContain('20 % 5 450,00 € 1 090,00 €');
    expect(text).toContain(
      'Total HT 5 450,00 € TVA 1 090,00 € Total TTC 6 540,00 € Avoir déduit -120,00 € Net à payer 6 420,00 €',
    );
    expect(text).toContain('Un avoir de 120,00 € est déduit');
    expect(text).toContain(PENALTIES);
  });

  it('refuses an amount due that is not the total less the avoir, and VAT on the face value', () => {
    expect(() =>
      invoiceHtml({ ...SERVICES_INVOICE, amountDueCents: SERVICES_INVOICE.totalInclVatCents }, ISSUER),
    ).toThrow(/amount due/);
    expect(() =>
      invoiceHtml({ ...SERVICES_INVOICE, creditAppliedCents: 10_000_000, amountDueCents: 0 }, ISSUER),
    ).toThrow(/credit applied/);
    expect(() => invoiceHtml({ ...SERVICES_INVOICE, kind: 'face_value' }, ISSUER)).toThrow(/not subject to VAT/);
    expect(() => invoiceHtml({ ...FACE_VALUE_INVOICE, dueOn: '2026-11-24' }, ISSUER)).toThrow(/due before/);
  });
});

describe('creditNoteHtml', () => {
  it('gives back the face value of unused passes, on the order, to be used on a next order', () => {
    const text = visibleText(creditNoteHtml(CREDIT_NOTE, ISSUER));
    expect(text).toContain('AVOIR');
    expect(text).toContain('N° AV-2027-0003');
    expect(text).toContain('Date 01/02/2027');
    expect(text).toContain("Facture d'origine n° FAC-2026-0100");
    expect(text).toContain('il rectifie la facture FAC-2026-0100');
    expect(text).toContain('Motif : Fin de validité des pass au 31/01/2027');
    expect(text).toContain('Valeur faciale des pass non utilisés 1 234 10,00 € Non soumis 12 340,00 €');
    expect(text).toContain("Montant de l'avoir 12 340,00 €");
    expect(text).toContain('Avoir à valoir sur une prochaine commande');
    expect(text).toContain(FACE_VALUE_MENTION);
    expectParties(text);
  });

  it('refuses an amount that is not the face value of the unused passes', () => {
    expect(() => creditNoteHtml({ ...CREDIT_NOTE, amountCents: 1_234_001 }, ISSUER)).toThrow(/face value/);
    expect(() => creditNoteHtml({ ...CREDIT_NOTE, passCount: 0, amountCents: 0 }, ISSUER)).toThrow(/positive/);
  });
});

describe('mandatory mentions', () => {
  it('refuses an invoice or credit note whose client has no postal address', () => {
    const { billingAddress: _, ...noAddress } = FUNDER;
    expect(() => invoiceHtml({ ...SERVICES_INVOICE, funder: noAddress }, ISSUER)).toThrow(/postal address/);
    expect(() => creditNoteHtml({ ...CREDIT_NOTE, funder: noAddress }, ISSUER)).toThrow(/postal address/);
  });

  it('writes apostrophes the typographic way (’), everywhere', () => {
    for (const html of [
      quoteHtml(QUOTE, ISSUER),
      invoiceHtml(FACE_VALUE_INVOICE, ISSUER),
      creditNoteHtml(CREDIT_NOTE, ISSUER),
    ])
      expect(rawText(html)).not.toMatch(/\p{L}'\p{L}/u);
  });

  it('marks every document SPÉCIMEN while the issuer is the placeholder, and only then', () => {
    const real = { ...ISSUER, siret: '73282932000074', iban: 'FR1420041010050500013M02606' };
    for (const html of [
      quoteHtml(QUOTE, ISSUER),
      invoiceHtml(SERVICES_INVOICE, ISSUER),
      creditNoteHtml(CREDIT_NOTE, ISSUER),
    ])
      expect(visibleText(html)).toContain('SPÉCIMEN');
    expect(visibleText(invoiceHtml(SERVICES_INVOICE, real))).not.toContain('SPÉCIMEN');
  });
});

describe('escaping', () => {
  const hostile = '<script>alert("x")</script> & Fils';
  const funder: FunderParty = {
    name: hostile,
    siret: '<b>siret</b>',
    billingAddress: { line1: '<img src=x onerror=alert(1)>', postalCode: '33000', city: 'Bordeaux' },
  };

  it('escapes every user-provided text on every document', () => {
    const documents = [
      quoteHtml({ ...QUOTE, funder, number: '<i>DEV</i>' }, ISSUER),
      invoiceHtml({ ...FACE_VALUE_INVOICE, funder, purchaseOrderReference: '<u>BC</u>' }, ISSUER),
      creditNoteHtml({ ...CREDIT_NOTE, funder, reason: '</p><script>steal()</script>' }, ISSUER),
    ];
    for (const html of documents) {
      expect(html).not.toMatch(/<script|<img|<b>|<i>|<u>/);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Fils');
      expect(visibleText(html)).toContain(hostile);
    }
  });

  it('never uses triple-stash (unescaped) output in the templates', () => {
    const dir = new URL('./templates/', import.meta.url);
    const partials = new URL('./partials/', dir);
    const sources = [
      ...readdirSync(dir)
        .filter((file) => file.endsWith('.hbs'))
        .map((file) => readFileSync(new URL(file, dir), 'utf8')),
      ...readdirSync(partials).map((file) => readFileSync(new URL(file, partials), 'utf8')),
    ];
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) expect(source).not.toContain('{{{');
  });
});
