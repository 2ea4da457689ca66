/**
 * The funder's documents as print-ready HTML: quote (devis), invoice (facture) and credit note
 * (avoir), in French, carrying the mentions French B2B law requires. PdfRenderer turns them into PDF.
 *
 * Pure: no I/O besides reading the templates once at import, no clock. Every amount is integer
 * euro cents and is formatted here; the templates (./templates, handlebars) only place
 * ready-made strings, and escape every one of them ({{ }} only, never {{{ }}}).
 *
 * Builders refuse an inconsistent document (totals that are not the sum of the lines, an
 * impossible date) rather than print it: a legal document with wrong sums is worse than none.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatEuros, formatInteger, frenchDate } from '@aptic/contracts';
import { PASS_FACE_VALUE_CENTS, type CarnetSize, type QuoteLine } from '../domain/pricing.ts';
import { isPlaceholderIssuer, sirenOf, type Issuer } from './issuer.ts';

export type FunderParty = {
  name: string;
  siret: string;
  /** mandatory on invoices and credit notes (acceptance refuses a funder without one) */
  billingAddress?: { line1: string; line2?: string; postalCode: string; city: string };
  /** a public buyer's code service (Chorus Pro) */
  serviceCode?: string;
};

export type QuoteDocument = {
  number: string;
  /** YYYY-MM-DD */
  issuedOn: string;
  /** YYYY-MM-DD, last day the quote can be accepted */
  validUntil: string;
  funder: FunderParty;
  offer: 'standard' | 'plus' | 'premium';
  carnetSize: CarnetSize;
  carnets: number;
  lines: QuoteLine[];
  totalExclVatCents: number;
  vatCents: number;
  totalInclVatCents: number;
};

export type InvoiceDocument = {
  number: string;
  /** face_value: the passes' value, not subject to VAT; services: fees, opening fee and options */
  kind: 'face_value' | 'services';
  issuedOn: string;
  /** échéance, YYYY-MM-DD */
  dueOn: string;
  quoteNumber: string;
  /** the funder's own order reference: the purchase order (bon de commande) that accepted the quote */
  purchaseOrderReference?: string;
  /** a public buyer's numéro d'engagement juridique */
  engagementNumber?: string;
  funder: FunderParty;
  lines: QuoteLine[];
  totalExclVatCents: number;
  vatCents: number;
  totalInclVatCents: number;
  /** an avoir deducted from this invoice */
  creditAppliedCents?: number;
  /** totalInclVatCents − creditAppliedCents */
  amountDueCents: number;
};

export type CreditNoteDocument = {
  number: string;
  issuedOn: string;
  orderNumber: string;
  /** the face-value invoice this credit note gives part of back */
  invoiceNumber: string;
  funder: FunderParty;
  /** passes of the order never redeemed before the end of their validity */
  passCount: number;
  /** their face value */
  amountCents: number;
  reason: string;
};

const OFFER_NAMES: Record<QuoteDocument['offer'], string> = { standard: 'Standard', plus: 'Plus', premium: 'Premium' };

/** The no-break space before "%". */
const NBSP = '\u00a0';

// ---------------------------------------------------------------------------------------------
// Formatting

/** Basis points → "20 %", "5,5 %"; 0 is the face value, outside the scope of VAT. */
function formatVatRate(basisPoints: number): string {
  if (basisPoints === 0) return 'Non soumis';
  const percent = String(basisPoints / 100).replace('.', ',');
  return `${percent}${NBSP}%`;
}

/** "12345678200010" → "123 456 782 00010", the way a SIRET is printed. */
function formatSiret(siret: string): string {
  return /^\d{14}$/.test(siret)
    ? `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}`
    : siret;
}

function formatSiren(siren: string): string {
  return /^\d{9}$/.test(siren) ? `${siren.slice(0, 3)} ${siren.slice(3, 6)} ${siren.slice(6)}` : siren;
}

/** IBANs are printed in groups of four. */
function formatIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}

// ---------------------------------------------------------------------------------------------
// Templates

type IssuerView = {
  name: string;
  legalForm: string;
  shareCapital: string;
  addressLines: string[];
  siret: string;
  vatNumber: string;
  rcs: string;
  iban: string;
  bic: string;
  email: string;
};

type PartyView = { name: string; siren: string; siret: string; addressLines: string[]; serviceCode: string | null };

type LineView = { label: string; quantity: string; unitPrice: string; vatRate: string; amount: string };

type SummaryView = {
  vatBreakdown: { rate: string; base: string; vat: string }[];
  totals: { label: string; amount: string; strong: boolean }[];
};

/** What the layout partial reads; each document adds its own fields. */
type LayoutView = SummaryView & {
  /** the issuer is still the fictitious placeholder: every page says SPÉCIMEN */
  specimen: boolean;
  title: string;
  subtitle: string;
  number: string;
  meta: { label: string; value: string }[];
  issuer: IssuerView;
  client: PartyView;
  lines: LineView[];
};

type QuoteView = LayoutView & { order: string; validUntil: string; faceValueMention: boolean };

type InvoiceView = LayoutView & {
  dueOn: string;
  faceValueMention: boolean;
  faceValueInvoice: boolean;
  creditApplied: string | null;
};

type CreditNoteView = LayoutView & { reason: string; passCount: string; orderNumber: string; invoiceNumber: string };

const TEMPLATES_DIR = new URL('./templates/', import.meta.url);

/**
 * An isolated handlebars environment: strict (a field a template prints but the view lacks
 * throws instead of printing blank) and limited to the built-in helpers.
 */
const handlebars = Handlebars.create();
const COMPILE_OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true };

function readTemplate(relativePath: string): string {
  return readFileSync(new URL(relativePath, TEMPLATES_DIR), 'utf8');
}

for (const file of readdirSync(new URL('./partials/', TEMPLATES_DIR))) {
  if (!file.endsWith('.hbs')) continue;
  const source = readTemplate(`partials/${file}`);
  handlebars.registerPartial(file.slice(0, -'.hbs'.length), handlebars.compile(source, COMPILE_OPTIONS));
}

function compile<View>(file: string): (view: View) => string {
  const template = handlebars.compile<View>(readTemplate(file), COMPILE_OPTIONS);
  return (view) => template(view);
}

const quoteTemplate = compile<QuoteView>('quote.hbs');
const invoiceTemplate = compile<InvoiceView>('invoice.hbs');
const creditNoteTemplate = compile<CreditNoteView>('credit-note.hbs');

// ---------------------------------------------------------------------------------------------
// Builders

export function quoteHtml(doc: QuoteDocument, issuer: Issuer): string {
  checkLineTotals(doc);
  const issuedOn = frenchDate(doc.issuedOn);
  const validUntil = frenchDate(doc.validUntil);
  if (doc.validUntil < doc.issuedOn) throw new RangeError(`quote ${doc.number} expires before it is issued`);
  const passCount = doc.carnets * doc.carnetSize;
  return quoteTemplate({
    specimen: isPlaceholderIssuer(issuer),
    title: 'DEVIS',
    subtitle: 'Pass numérique #APTIC',
    number: doc.number,
    meta: [
      { label: 'Date', value: issuedOn },
      { label: 'Valable jusqu’au', value: validUntil },
    ],
    issuer: issuerView(issuer),
    client: partyView(doc.funder),
    lines: doc.lines.map(lineView),
    ...summaryView(doc.lines, [
      { label: 'Total HT', amount: formatEuros(doc.totalExclVatCents), strong: false },
      { label: 'TVA', amount: formatEuros(doc.vatCents), strong: false },
      { label: 'Total TTC', amount: formatEuros(doc.totalInclVatCents), strong: true },
    ]),
    order: `offre ${OFFER_NAMES[doc.offer]}, ${formatInteger(doc.carnets)} carnets de ${doc.carnetSize} pass (${formatInteger(passCount)} pass de 10${NBSP}€)`,
    validUntil,
    faceValueMention: hasFaceValue(doc.lines),
  });
}

export function invoiceHtml(doc: InvoiceDocument, issuer: Issuer): string {
  checkLineTotals(doc);
  const credit = doc.creditAppliedCents ?? 0;
  if (!Number.isSafeInteger(credit) || credit < 0 || credit > doc.totalInclVatCents) {
    throw new RangeError(`invoice ${doc.number}: credit applied ${credit} is not between 0 and the total`);
  }
  if (doc.amountDueCents !== doc.totalInclVatCents - credit) {
    throw new RangeError(
      `invoice ${doc.number}: amount due ${doc.amountDueCents} ≠ total ${doc.totalInclVatCents} − credit ${credit}`,
    );
  }
  if (doc.kind === 'face_value' && doc.vatCents !== 0) {
    throw new RangeError(`invoice ${doc.number}: the face value is not subject to VAT`);
  }
  const issuedOn = frenchDate(doc.issuedOn);
  const dueOn = frenchDate(doc.dueOn);
  if (doc.dueOn < doc.issuedOn) throw new RangeError(`invoice ${doc.number} falls due before it is issued`);

  const totals = [
    { label: 'Total HT', amount: formatEuros(doc.totalExclVatCents), strong: false },
    { label: 'TVA', amount: formatEuros(doc.vatCents), strong: false },
    { label: 'Total TTC', amount: formatEuros(doc.totalInclVatCents), strong: credit === 0 },
  ];
  if (credit > 0) totals.push({ label: 'Avoir déduit', amount: formatEuros(-credit), strong: false });
  totals.push({ label: 'Net à payer', amount: formatEuros(doc.amountDueCents), strong: true });

  const meta = [
    { label: 'Date', value: issuedOn },
    { label: 'Échéance', value: dueOn },
    { label: 'Devis n°', value: doc.quoteNumber },
  ];
  const purchaseOrder = doc.purchaseOrderReference?.trim();
  if (purchaseOrder) meta.push({ label: 'Votre bon de commande n°', value: purchaseOrder });
  const engagement = doc.engagementNumber?.trim();
  if (engagement) meta.push({ label: 'Engagement juridique n°', value: engagement });

  return invoiceTemplate({
    specimen: isPlaceholderIssuer(issuer),
    title: 'FACTURE',
    subtitle: doc.kind === 'face_value' ? 'Valeur faciale des pass #APTIC' : 'Frais et services #APTIC',
    number: doc.number,
    meta,
    issuer: issuerView(issuer),
    client: billedParty(doc.funder, doc.number),
    lines: doc.lines.map(lineView),
    ...summaryView(doc.lines, totals),
    dueOn,
    faceValueMention: doc.kind === 'face_value' || hasFaceValue(doc.lines),
    faceValueInvoice: doc.kind === 'face_value',
    creditApplied: credit > 0 ? formatEuros(credit) : null,
  });
}

export function creditNoteHtml(doc: CreditNoteDocument, issuer: Issuer): string {
  if (!Number.isSafeInteger(doc.passCount) || doc.passCount <= 0) {
    throw new RangeError(`credit note ${doc.number}: pass count must be a positive integer, got ${doc.passCount}`);
  }
  if (doc.amountCents !== doc.passCount * PASS_FACE_VALUE_CENTS) {
    throw new RangeError(
      `credit note ${doc.number}: ${doc.amountCents} cents is not the face value of ${doc.passCount} pass`,
    );
  }
  const line = creditNoteLine(doc);
  return creditNoteTemplate({
    specimen: isPlaceholderIssuer(issuer),
    title: 'AVOIR',
    subtitle: 'Pass #APTIC non utilisés',
    number: doc.number,
    meta: [
      { label: 'Date', value: frenchDate(doc.issuedOn) },
      { label: 'Facture d’origine n°', value: doc.invoiceNumber },
      { label: 'Devis n°', value: doc.orderNumber },
    ],
    issuer: issuerView(issuer),
    client: billedParty(doc.funder, doc.number),
    lines: [lineView(line)],
    ...summaryView([line], [{ label: 'Montant de l’avoir', amount: formatEuros(doc.amountCents), strong: true }]),
    reason: doc.reason,
    passCount: formatInteger(doc.passCount),
    orderNumber: doc.orderNumber,
    invoiceNumber: doc.invoiceNumber,
  });
}

/** The one line of a credit note: the face value of the passes never used. */
export function creditNoteLine(doc: CreditNoteDocument): QuoteLine {
  return {
    code: 'face_value',
    label: 'Valeur faciale des pass non utilisés',
    quantity: doc.passCount,
    unitPriceCents: PASS_FACE_VALUE_CENTS,
    amountCents: doc.amountCents,
    vatRate: 0,
    vatCents: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Views

function issuerView(issuer: Issuer): IssuerView {
  return {
    name: issuer.name,
    legalForm: issuer.legalForm,
    shareCapital: `${formatInteger(issuer.shareCapitalEuros)}${NBSP}€`,
    addressLines: issuer.address,
    siret: formatSiret(issuer.siret),
    vatNumber: issuer.vatNumber,
    rcs: `RCS ${issuer.rcsCity} ${formatSiren(sirenOf(issuer.siret))}`,
    iban: formatIban(issuer.iban),
    bic: issuer.bic,
    email: issuer.email,
  };
}

function partyView(funder: FunderParty): PartyView {
  const address = funder.billingAddress;
  const addressLines = address
    ? [address.line1, address.line2 ?? '', `${address.postalCode} ${address.city}`].filter((line) => line.trim() !== '')
    : [];
  return {
    name: funder.name,
    siren: formatSiren(sirenOf(funder.siret)),
    siret: formatSiret(funder.siret),
    addressLines,
    serviceCode: funder.serviceCode?.trim() || null,
  };
}

/** The client of an invoice or credit note, whose postal address is a mandatory mention. */
function billedParty(funder: FunderParty, number: string): PartyView {
  const party = partyView(funder);
  if (party.addressLines.length === 0) throw new RangeError(`document ${number}: the client has no postal address`);
  return party;
}

function lineView(line: QuoteLine): LineView {
  return {
    label: line.label,
    quantity: formatInteger(line.quantity),
    unitPrice: formatEuros(line.unitPriceCents),
    vatRate: formatVatRate(line.vatRate),
    amount: formatEuros(line.amountCents),
  };
}

/** The per-rate VAT recap (base and tax for each rate) next to the totals. */
function summaryView(lines: readonly QuoteLine[], totals: SummaryView['totals']): SummaryView {
  const rates = [...new Set(lines.map((line) => line.vatRate))].sort((a, b) => b - a);
  const vatBreakdown = rates.map((rate) => {
    const ofRate = lines.filter((line) => line.vatRate === rate);
    return {
      rate: formatVatRate(rate),
      base: formatEuros(sum(ofRate.map((line) => line.amountCents))),
      vat: rate === 0 ? '—' : formatEuros(sum(ofRate.map((line) => line.vatCents))),
    };
  });
  return { vatBreakdown, totals };
}

function hasFaceValue(lines: readonly QuoteLine[]): boolean {
  return lines.some((line) => line.code === 'face_value');
}

type Totals = {
  number: string;
  lines: readonly QuoteLine[];
  totalExclVatCents: number;
  vatCents: number;
  totalInclVatCents: number;
};

function checkLineTotals(doc: Totals): void {
  const amounts = [doc.totalExclVatCents, doc.vatCents, doc.totalInclVatCents];
  for (const line of doc.lines)
    amounts.push(line.quantity, line.unitPriceCents, line.amountCents, line.vatRate, line.vatCents);
  if (!amounts.every((amount) => Number.isSafeInteger(amount) && amount >= 0)) {
    throw new RangeError(`document ${doc.number}: amounts must be non-negative integer cents`);
  }
  if (doc.lines.length === 0) throw new RangeError(`document ${doc.number} has no line`);
  const inconsistent =
    doc.lines.some((line) => line.amountCents !== line.quantity * line.unitPriceCents) ||
    sum(doc.lines.map((line) => line.amountCents)) !== doc.totalExclVatCents ||
    sum(doc.lines.map((line) => line.vatCents)) !== doc.vatCents ||
    doc.totalExclVatCents + doc.vatCents !== doc.totalInclVatCents;
  if (inconsistent) throw new RangeError(`document ${doc.number}: totals are not the sum of its lines`);
}

function sum(amounts: readonly number[]): number {
  return amounts.reduce((total, amount) => total + amount, 0);
}
