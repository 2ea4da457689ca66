/**
 * Invoices and credit notes as Factur-X: the PDF a person reads, made PDF/A-3 with the same
 * document as CII XML embedded (factur-x.xml), which Chorus Pro and accounting software read.
 * @e-invoice-eu/core builds the XML from its UBL-shaped data, checks that data against its EN 16931
 * schema (cardinalities, code lists) and embeds it: what this module does is say our documents in
 * that shape.
 *
 * Profile EXTENDED, a superset of EN 16931 that Chorus Pro takes: the library writes the order
 * reference (BT-13, where Chorus Pro reads the engagement juridique) only in that profile. It
 * writes no preceding-invoice reference (BT-25) in any profile: a credit note names the invoice it
 * corrects in its PDF only.
 *
 * The public buyer's references go where Chorus Pro reads them: its service code as the buyer
 * reference (BT-10), its engagement juridique (else the purchase order) as the order reference
 * (BT-13); parties are identified by SIRET (scheme 0009). The face value of passes is outside the
 * scope of VAT (category O, with its reason; EN 16931 then wants no seller VAT number, BR-O-02);
 * an avoir deducted from an invoice is its prepaid amount (BT-113), so the amount due is the PDF's.
 */
import { InvoiceService, type Invoice } from '@e-invoice-eu/core';
import type { QuoteLine } from '../domain/pricing.ts';
import type { Issuer } from './issuer.ts';
import { creditNoteLine, type CreditNoteDocument, type FunderParty, type InvoiceDocument } from './render.ts';

const FACTUR_X_FORMAT = 'Factur-X-Extended';

type Ubl = Invoice['ubl:Invoice'];
type Party = Ubl['cac:AccountingSupplierParty']['cac:Party'];
type Line = Ubl['cac:InvoiceLine'][number];

/** EN 16931 amounts: decimal euros as text. */
const amount = (cents: number) => (cents / 100).toFixed(2);
const euros = (cents: number) => ({ amount: amount(cents), currency: 'EUR' as const });

const OUTSIDE_VAT_REASON = 'Valeur faciale de titres de paiement : hors du champ de la TVA';
const SIRET_SCHEME = '0009';

/** VAT category of a line: standard rate, or outside the scope of VAT (the passes' face value). */
function taxCategory(vatRate: number) {
  return vatRate === 0
    ? { 'cbc:ID': 'O' as const, 'cac:TaxScheme': { 'cbc:ID': 'VAT' as const } }
    : { 'cbc:ID': 'S' as const, 'cbc:Percent': String(vatRate / 100), 'cac:TaxScheme': { 'cbc:ID': 'VAT' as const } };
}

/** "33000 Bordeaux" → postal code and city; the other lines are the street. */
function postalAddress(lines: string[]) {
  const last = lines.at(-1) ?? '';
  const [, postalCode, city] = /^(\d{5})\s+(\S.*)$/.exec(last) ?? [];
  const street = postalCode ? lines.slice(0, -1) : lines;
  return {
    'cbc:StreetName': street[0] ?? '',
    ...(street[1] ? { 'cbc:AdditionalStreetName': street[1] } : {}),
    'cbc:CityName': city ?? last,
    'cbc:PostalZone': postalCode ?? '',
    'cac:Country': { 'cbc:IdentificationCode': 'FR' as const },
  };
}

function seller(issuer: Issuer, withVatNumber: boolean): Party {
  return {
    'cbc:EndpointID': issuer.siret,
    'cbc:EndpointID@schemeID': SIRET_SCHEME,
    'cac:PartyName': { 'cbc:Name': issuer.name },
    'cac:PostalAddress': postalAddress(issuer.address),
    ...(withVatNumber
      ? { 'cac:PartyTaxScheme': [{ 'cbc:CompanyID': issuer.vatNumber, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }] }
      : {}),
    'cac:PartyLegalEntity': {
      'cbc:RegistrationName': issuer.name,
      'cbc:CompanyID': issuer.siret,
      'cbc:CompanyID@schemeID': SIRET_SCHEME,
      'cbc:CompanyLegalForm': `${issuer.legalForm} au capital de ${issuer.shareCapitalEuros} €, RCS ${issuer.rcsCity}`,
    },
    'cac:Contact': { 'cbc:ElectronicMail': issuer.email },
  } as Party;
}

function buyer(funder: FunderParty): Party {
  const address = funder.billingAddress;
  if (!address) throw new RangeError(`${funder.name}: an e-invoice needs the buyer's postal address`);
  return {
    'cbc:EndpointID': funder.siret,
    'cbc:EndpointID@schemeID': SIRET_SCHEME,
    'cac:PartyName': { 'cbc:Name': funder.name },
    'cac:PostalAddress': postalAddress(
      [address.line1, address.line2 ?? '', `${address.postalCode} ${address.city}`].filter((l) => l.trim() !== ''),
    ),
    'cac:PartyLegalEntity': {
      'cbc:RegistrationName': funder.name,
      'cbc:CompanyID': funder.siret,
      'cbc:CompanyID@schemeID': SIRET_SCHEME,
    },
  } as Party;
}

function invoiceLines(lines: readonly QuoteLine[]): Line[] {
  return lines.map(
    (line, i) =>
      ({
        'cbc:ID': String(i + 1),
        'cbc:InvoicedQuantity': String(line.quantity),
        'cbc:InvoicedQuantity@unitCode': 'C62',
        'cbc:LineExtensionAmount': euros(line.amountCents).amount,
        'cbc:LineExtensionAmount@currencyID': 'EUR',
        'cac:Item': { 'cbc:Name': line.label, 'cac:ClassifiedTaxCategory': taxCategory(line.vatRate) },
        'cac:Price': { 'cbc:PriceAmount': amount(line.unitPriceCents), 'cbc:PriceAmount@currencyID': 'EUR' },
      }) as Line,
  );
}

/** The VAT breakdown (BG-23): one subtotal per rate, with the reason for the face value's category O. */
function taxTotal(lines: readonly QuoteLine[]): Ubl['cac:TaxTotal'] {
  const rates = [...new Set(lines.map((l) => l.vatRate))].sort((a, b) => b - a);
  const sum = (of: readonly QuoteLine[], field: 'amountCents' | 'vatCents') => of.reduce((t, l) => t + l[field], 0);
  return [
    {
      'cbc:TaxAmount': amount(sum(lines, 'vatCents')),
      'cbc:TaxAmount@currencyID': 'EUR',
      'cac:TaxSubtotal': rates.map((rate) => {
        const ofRate = lines.filter((l) => l.vatRate === rate);
        return {
          'cbc:TaxableAmount': amount(sum(ofRate, 'amountCents')),
          'cbc:TaxableAmount@currencyID': 'EUR',
          'cbc:TaxAmount': amount(sum(ofRate, 'vatCents')),
          'cbc:TaxAmount@currencyID': 'EUR',
          'cac:TaxCategory': {
            ...taxCategory(rate),
            ...(rate === 0 ? { 'cbc:TaxExemptionReason': OUTSIDE_VAT_REASON } : {}),
          },
        };
      }),
    },
  ] as Ubl['cac:TaxTotal'];
}

type Totals = { lines: readonly QuoteLine[]; exclVat: number; inclVat: number; prepaid: number; payable: number };

function monetaryTotal(t: Totals): Ubl['cac:LegalMonetaryTotal'] {
  return {
    'cbc:LineExtensionAmount': amount(t.exclVat),
    'cbc:LineExtensionAmount@currencyID': 'EUR',
    'cbc:TaxExclusiveAmount': amount(t.exclVat),
    'cbc:TaxExclusiveAmount@currencyID': 'EUR',
    'cbc:TaxInclusiveAmount': amount(t.inclVat),
    'cbc:TaxInclusiveAmount@currencyID': 'EUR',
    ...(t.prepaid > 0 ? { 'cbc:PrepaidAmount': amount(t.prepaid), 'cbc:PrepaidAmount@currencyID': 'EUR' } : {}),
    'cbc:PayableAmount': amount(t.payable),
    'cbc:PayableAmount@currencyID': 'EUR',
  } as Ubl['cac:LegalMonetaryTotal'];
}

const onlyOutsideVat = (lines: readonly QuoteLine[]) => lines.every((l) => l.vatRate === 0);

/** An invoice (type 380) in the library's EN 16931 data. */
export function invoiceData(doc: InvoiceDocument, issuer: Issuer): Invoice {
  const orderReference = doc.engagementNumber?.trim() || doc.purchaseOrderReference?.trim();
  const serviceCode = doc.funder.serviceCode?.trim();
  return {
    'ubl:Invoice': {
      'cbc:ID': doc.number,
      'cbc:IssueDate': doc.issuedOn,
      'cbc:DueDate': doc.dueOn,
      'cbc:InvoiceTypeCode': '380',
      'cbc:Note': ['Nature de l’opération : prestation de services.'],
      'cbc:DocumentCurrencyCode': 'EUR',
      ...(serviceCode ? { 'cbc:BuyerReference': serviceCode } : {}),
      ...(orderReference ? { 'cac:OrderReference': { 'cbc:ID': orderReference } } : {}),
      'cac:AccountingSupplierParty': { 'cac:Party': seller(issuer, !onlyOutsideVat(doc.lines)) },
      'cac:AccountingCustomerParty': { 'cac:Party': buyer(doc.funder) },
      'cac:PaymentMeans': [
        {
          'cbc:PaymentMeansCode': '58',
          'cbc:PaymentID': doc.number,
          'cac:PayeeFinancialAccount': {
            'cbc:ID': issuer.iban,
            'cbc:Name': issuer.name,
            'cac:FinancialInstitutionBranch': { 'cbc:ID': issuer.bic },
          },
        },
      ],
      'cac:PaymentTerms': {
        'cbc:Note':
          'Virement à l’échéance. Pénalités de retard : 3 fois le taux d’intérêt légal ; indemnité forfaitaire pour frais de recouvrement : 40 €. Pas d’escompte.',
      },
      'cac:TaxTotal': taxTotal(doc.lines),
      'cac:LegalMonetaryTotal': monetaryTotal({
        lines: doc.lines,
        exclVat: doc.totalExclVatCents,
        inclVat: doc.totalInclVatCents,
        prepaid: doc.creditAppliedCents ?? 0,
        payable: doc.amountDueCents,
      }),
      'cac:InvoiceLine': invoiceLines(doc.lines),
    },
  } as Invoice;
}

/** A credit note (type 381) in the library's EN 16931 data, referring to the invoice it corrects. */
export function creditNoteData(doc: CreditNoteDocument, issuer: Issuer): Invoice {
  const lines = [creditNoteLine(doc)];
  const serviceCode = doc.funder.serviceCode?.trim();
  return {
    'ubl:Invoice': {
      'cbc:ID': doc.number,
      'cbc:IssueDate': doc.issuedOn,
      'cbc:InvoiceTypeCode': '381',
      'cbc:Note': [doc.reason, 'Nature de l’opération : prestation de services.'],
      'cbc:DocumentCurrencyCode': 'EUR',
      ...(serviceCode ? { 'cbc:BuyerReference': serviceCode } : {}),
      'cac:BillingReference': [{ 'cac:InvoiceDocumentReference': { 'cbc:ID': doc.invoiceNumber } }],
      'cac:AccountingSupplierParty': { 'cac:Party': seller(issuer, !onlyOutsideVat(lines)) },
      'cac:AccountingCustomerParty': { 'cac:Party': buyer(doc.funder) },
      'cac:TaxTotal': taxTotal(lines),
      'cac:LegalMonetaryTotal': monetaryTotal({
        lines,
        exclVat: doc.amountCents,
        inclVat: doc.amountCents,
        prepaid: 0,
        payable: doc.amountCents,
      }),
      'cac:InvoiceLine': invoiceLines(lines),
    },
  } as Invoice;
}

/** The library logs through this; its warnings are not ours to print. */
const quiet = { log: () => {}, warn: () => {}, error: () => {} };

/** The PDF made Factur-X: PDF/A-3 with `data` as factur-x.xml; refuses data the EN 16931 schema refuses. */
export async function facturX(pdf: Buffer, data: Invoice, filename: string): Promise<Buffer> {
  const out = await new InvoiceService(quiet).generate(data, {
    format: FACTUR_X_FORMAT,
    lang: 'fr-fr',
    pdf: { buffer: pdf, filename, mimetype: 'application/pdf' },
    noWarnings: true,
  });
  if (typeof out === 'string') throw new Error('Factur-X: expected a PDF, got text');
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
