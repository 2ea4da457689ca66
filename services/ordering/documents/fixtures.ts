/**
 * Test fixtures shared by the HTML builders' unit tests (render.test.ts) and the PDF integration tests
 * (documents.int.test.ts): the documents of the seed's reference order, and the texts they must print.
 */
import { priceQuote, type QuoteLine } from '../domain/pricing.ts';
import { issuerFromEnv, type Issuer } from './issuer.ts';
import type { CreditNoteDocument, FunderParty, InvoiceDocument, QuoteDocument } from './render.ts';

/** The default (placeholder) issuer. */
export const ISSUER: Issuer = issuerFromEnv({});

/** A funder whose name must be escaped in HTML and come back as written in the PDF. */
export const FUNDER: FunderParty = {
  name: 'Communauté de communes <Test> & Co',
  siret: '20004018400015',
  billingAddress: { line1: '42 rue Jules Ferry', line2: 'Service des finances', postalCode: '33500', city: 'Libourne' },
};

/** The same funder as a public buyer with its Chorus Pro service code. */
const PUBLIC_BUYER: FunderParty = { ...FUNDER, serviceCode: 'FACTURES_PUBLIQUES' };

/** The reference quote of seed 000 (offer Plus, first order, 200 carnets of 10, four options). */
export const PRICED = priceQuote(
  {
    offer: 'plus',
    carnetSize: 10,
    carnets: 200,
    options: ['logo_pass', 'logo_cover', 'distribution_network_support', 'journeys_support'],
  },
  { firstOrder: true },
);

/** Lines with their totals HT, VAT and TTC, as a document carries them. */
function documentTotals(lines: QuoteLine[]) {
  const totalExclVatCents = lines.reduce((total, line) => total + line.amountCents, 0);
  const vatCents = lines.reduce((total, line) => total + line.vatCents, 0);
  return { lines, totalExclVatCents, vatCents, totalInclVatCents: totalExclVatCents + vatCents };
}

export const QUOTE: QuoteDocument = {
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
};

const FACE_VALUE = documentTotals(PRICED.lines.filter((line) => line.code === 'face_value'));
const SERVICES = documentTotals(PRICED.lines.filter((line) => line.code !== 'face_value'));

/** The face value, billed to a public buyer under its purchase order. */
export const FACE_VALUE_INVOICE: InvoiceDocument = {
  number: 'FAC-2026-0100',
  kind: 'face_value',
  issuedOn: '2026-11-25',
  dueOn: '2026-12-25',
  quoteNumber: 'DEV-2026-0042',
  purchaseOrderReference: 'BC-2026-331',
  engagementNumber: '1300012345',
  funder: PUBLIC_BUYER,
  ...FACE_VALUE,
  amountDueCents: FACE_VALUE.totalInclVatCents,
};

/** Fees and services, with a 120 € avoir deducted. */
export const SERVICES_INVOICE: InvoiceDocument = {
  number: 'FAC-2026-0101',
  kind: 'services',
  issuedOn: '2026-11-25',
  dueOn: '2026-12-25',
  quoteNumber: 'DEV-2026-0042',
  funder: FUNDER,
  ...SERVICES,
  creditAppliedCents: 12_000,
  amountDueCents: SERVICES.totalInclVatCents - 12_000,
};

/** The face value of the passes never redeemed, given back. */
export const CREDIT_NOTE: CreditNoteDocument = {
  number: 'AV-2027-0003',
  issuedOn: '2027-02-01',
  orderNumber: 'DEV-2026-0042',
  invoiceNumber: 'FAC-2026-0100',
  funder: PUBLIC_BUYER,
  passCount: 1_234,
  amountCents: 1_234_000,
  reason: 'Fin de validité des pass au 31/01/2027',
};

/** The issuer's legal identity as every document prints it (its street, with a typographic apostrophe, aside). */
export const ISSUER_IDENTITY = [
  '#APTIC',
  'SAS au capital de 10 000 €',
  'RCS Bordeaux 123 456 782',
  'SIRET 123 456 782 00010',
  'FR11123456782',
  '33000 Bordeaux',
];

/** The late-payment mentions every invoice must carry. */
export const PENALTIES =
  "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de 3 fois le taux d'intérêt légal, ainsi qu'une indemnité forfaitaire pour frais de recouvrement de 40 € (articles L441-10 et D441-5 du Code de commerce). Pas d'escompte pour paiement anticipé.";

export const FACE_VALUE_MENTION = 'Valeur faciale des pass : opération non soumise à la TVA';
