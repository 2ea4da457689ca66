/**
 * Print HTML of carnets (booklets of 10 € passes), one self-contained HTML document per batch of
 * carnets; carnet-pdf.ts has Chromium print the batches and joins them into one PDF.
 *
 * Physical format (what the print partner receives):
 *   - A pass is 160 × 60 mm (cheque-like), trimmed: a 36 mm stub (talon) that stays bound in the
 *     carnet and a 124 mm voucher the beneficiary tears off along a perforation at the dashed line.
 *     The barcode's modules are 0.35 mm wide (22-digit Code 128 set C: 176 modules with quiet
 *     zones, ≈ 62 mm), what kiosk readers and a 200 dpi scan read comfortably.
 *   - A carnet is its cover followed by its passes, same 160 × 60 mm trim, bound on the left edge
 *     (the stubs' side): 1 + 10 (or 1 + 5) PDF pages per carnet, in carnet order then position
 *     order, one carnet after the other, so the printer cuts, collates and binds without sorting.
 *   - Chromium's page is 7.25 × 3.25 in (184.15 × 82.55 mm, 522 × 234 pt exactly): the trim box
 *     centred in a ≈ 12 × 11 mm slug. Inches, because Chromium snaps page sizes to its own grid
 *     (180 × 80 mm would print as 179.9 × 80.1 mm); this size prints exactly as written. Colour that
 *     touches the trim edge runs 3 mm beyond it (bleed). @page has no margin. The print file's
 *     MediaBox and BleedBox are the trim plus 3 mm, its TrimBox the trim (print-ready.ts): no crop
 *     marks, the print shop imposes the pages and marks its sheets.
 *   - Text is DejaVu Sans / DejaVu Sans Mono, installed system fonts that Chromium subsets and
 *     embeds. Barcodes are vectors: one SVG path per pass. Carnet and pass numbers and the pass
 *     code are printed human-readable.
 *
 * Cheap to print (22,000 pages for 2,000 carnets): what all passes of the order share (art,
 * funder, validity, terms, labels) is one SVG "face" per batch, drawn as every page's background
 * and so laid out once; a page holds only its numbers, its barcode and its logo, placed by a grid.
 *
 * Pure: no I/O besides reading the templates at import. Every user-provided text (funder name,
 * perimeter) goes through handlebars' {{ }} escaping, valid in the faces' XML as in HTML: the
 * templates have no {{{ }}}. Barcode path data is built here from bwip-js's bar widths (numbers).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import bwipjs from 'bwip-js';
import Handlebars from 'handlebars';
import {
  DomainError,
  carnetBarcode,
  frenchDate,
  isCalendarDate,
  printedPassCode,
  readPassCode,
} from '@aptic/contracts';
import { logoDataUrl, validateLogo, type Logo } from './logo.ts';
import {
  checkFeedbackUrl,
  feedbackCodeNames,
  feedbackView,
  printedAddress,
  type FeedbackView,
} from './feedback-stub.ts';

/** `feedbackCode`: the pass's code for the rating page (contracts' feedbackCode), printed on its stub. */
export type PrintCarnet = { number: number; passes: { position: number; code: string; feedbackCode: string }[] };

export type PrintJob = {
  orderId: string;
  funderName: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD */
  validUntil: string;
  perimeterLabel: string;
  carnetSize: 5 | 10;
  carnets: PrintCarnet[];
  logos?: { pass?: Logo; cover?: Logo };
  /** The rating page's address (APTIC_FEEDBACK_URL), printed on every stub and, with the code, in its QR code. */
  feedbackUrl: string;
};

const PASS_FACE_VALUE_EUROS = 10;
const NBSP = '\u00a0';

// ---------------------------------------------------------------------------------------------
// Validation: a print job is checked whole before the first batch, so no half-printed order.

function refuse(message: string, field?: string): never {
  throw new DomainError('invalid_print_job', message, field === undefined ? { status: 422 } : { status: 422, field });
}

function checkCarnet(carnet: PrintCarnet, size: number, index: number): void {
  const field = `carnets[${index}]`;
  if (carnet.passes.length !== size)
    refuse(`Le carnet ${carnet.number} compte ${carnet.passes.length} pass au lieu de ${size}.`, field);
  carnet.passes.forEach((pass, i) => {
    const reading = readPassCode(pass.code);
    // Printing a code that does not say its own carnet and position would misfile it at the kiosk.
    if (
      pass.position !== i + 1 ||
      !reading.ok ||
      reading.carnetNumber !== carnet.number ||
      reading.position !== pass.position
    ) {
      refuse(`Code de pass invalide : carnet ${carnet.number}, position ${pass.position}.`, `${field}.passes[${i}]`);
    }
    if (!feedbackCodeNames(pass.feedbackCode, carnet.number, pass.position))
      refuse(`Code avis invalide : carnet ${carnet.number}, position ${pass.position}.`, `${field}.passes[${i}]`);
  });
}

/** Refuses a job that cannot be printed as is; returns it unchanged otherwise. */
export function validatePrintJob(job: PrintJob): PrintJob {
  if (job.funderName.trim() === '') refuse('Le nom du commanditaire est vide.', 'funderName');
  if (job.carnetSize !== 5 && job.carnetSize !== 10) refuse('Un carnet compte 5 ou 10 pass.', 'carnetSize');
  if (!isCalendarDate(job.validFrom)) refuse(`Date invalide : ${job.validFrom}`, 'validFrom');
  if (!isCalendarDate(job.validUntil)) refuse(`Date invalide : ${job.validUntil}`, 'validUntil');
  if (job.validUntil < job.validFrom) refuse('La fin de validité précède son début.', 'validUntil');
  if (job.carnets.length === 0) refuse('La commande ne compte aucun carnet.', 'carnets');
  checkFeedbackUrl(job.feedbackUrl);
  const seen = new Set<number>();
  job.carnets.forEach((carnet, i) => {
    if (seen.has(carnet.number)) refuse(`Carnet ${carnet.number} en double.`, `carnets[${i}]`);
    seen.add(carnet.number);
    checkCarnet(carnet, job.carnetSize, i);
  });
  if (job.logos?.pass) validateLogo(job.logos.pass, 'logos.pass');
  if (job.logos?.cover) validateLogo(job.logos.cover, 'logos.cover');
  return job;
}

// ---------------------------------------------------------------------------------------------
// Barcodes

export type BarcodeView = { viewBox: string; d: string };

/** ISO/IEC 15417's minimum quiet zone, in modules, each side of a Code 128 symbol. */
const QUIET_ZONE = 10;

/**
 * Code 128 of a pass code, encoded by bwip-js (BWIPP), as one SVG path: a rectangle per bar, in
 * modules, on a 1-unit-high viewBox the template stretches; quiet zones are in the viewBox. Why not
 * bwip-js's own SVG: drawing it costs ~2 ms a code, ten times the encoding (40 s of CPU for 20,000
 * passes), and gives a stroke per bar grouped in several paths where one filled path is enough.
 */
export function barcode(code: string): BarcodeView {
  const [symbol] = bwipjs.raw({ bcid: 'code128', text: code }) as { sbs?: number[] }[];
  const widths = symbol?.sbs ?? [];
  if (widths.length === 0) throw new Error(`bwip-js gave no bars for ${code}`);
  let x = QUIET_ZONE;
  let d = '';
  // sbs alternates bar and space widths, starting with a bar.
  widths.forEach((width, i) => {
    if (i % 2 === 0) d += `M${x} 0h${width}v1h-${width}z`;
    x += width;
  });
  return { viewBox: `0 0 ${x + QUIET_ZONE} 1`, d };
}

// ---------------------------------------------------------------------------------------------
// Views and templates

type PassView = {
  carnet: string;
  position: number;
  of: number;
  code: string;
  barcode: BarcodeView;
  feedback: FeedbackView;
};
/** A carnet: its cover (number and its own barcode, `CAR-<number>`) and its passes. */
type CarnetView = { carnet: string; coverBarcode: BarcodeView; passes: PassView[] };
type DocumentView = {
  orderId: string;
  funderName: string;
  perimeterLabel: string;
  validity: string;
  carnetSize: number;
  faceValue: string;
  carnetValue: string;
  feedbackAddress: string;
  /** `url("data:…")` CSS values, set once per document as custom properties: one copy of each face and logo per batch, not per page */
  passFace: string;
  coverFace: string;
  passLogo: string | null;
  coverLogo: string | null;
  carnets: CarnetView[];
};
type FaceView = { doc: Omit<DocumentView, 'passFace' | 'coverFace' | 'carnets'>; cover: boolean };

const TEMPLATES = new URL('./templates/', import.meta.url);
const handlebars = Handlebars.create();
const OPTIONS: CompileOptions = { strict: true, knownHelpersOnly: true };
const layout = createHash('sha256');
function template(path: string): string {
  const source = readFileSync(new URL(path, TEMPLATES), 'utf8');
  layout.update(path).update(source);
  return source;
}
for (const file of readdirSync(new URL('./partials/', TEMPLATES)).sort()) {
  if (file.endsWith('.hbs'))
    handlebars.registerPartial(file.slice(0, -4), handlebars.compile(template(`partials/${file}`), OPTIONS));
}
const carnetsTemplate = handlebars.compile<DocumentView>(template('carnets.hbs'), OPTIONS);
const faceTemplate = handlebars.compile<FaceView>(template('face.hbs'), OPTIONS);
/** Identifies the templates: pages printed by other templates must not be joined with these. */
export const LAYOUT_DIGEST = layout.digest('hex');

function carnetNumber(n: number): string {
  return String(n).padStart(7, '0');
}

function cssUrl(logo: Logo | undefined): string | null {
  return logo ? `url("${logoDataUrl(logo)}")` : null;
}

function faceUrl(view: FaceView): string {
  return `url("data:image/svg+xml;base64,${Buffer.from(faceTemplate(view)).toString('base64')}")`;
}

function carnetView(carnet: PrintCarnet, size: number, feedbackUrl: string): CarnetView {
  const number = carnetNumber(carnet.number);
  return {
    carnet: number,
    coverBarcode: barcode(carnetBarcode(carnet.number)),
    passes: carnet.passes.map((p) => ({
      carnet: number,
      position: p.position,
      of: size,
      code: printedPassCode(p.code),
      barcode: barcode(p.code),
      feedback: feedbackView(feedbackUrl, p.feedbackCode),
    })),
  };
}

/**
 * One HTML document printing `carnets` (a batch of the job's carnets, in order). The job must have
 * passed validatePrintJob; this does not check it again per batch.
 */
export function carnetsHtml(job: PrintJob, carnets: PrintCarnet[]): string {
  const doc = {
    orderId: job.orderId,
    funderName: job.funderName,
    perimeterLabel: job.perimeterLabel,
    validity: `du ${frenchDate(job.validFrom)} au ${frenchDate(job.validUntil)}`,
    carnetSize: job.carnetSize,
    faceValue: `${PASS_FACE_VALUE_EUROS}${NBSP}€`,
    carnetValue: `${PASS_FACE_VALUE_EUROS * job.carnetSize}${NBSP}€`,
    feedbackAddress: printedAddress(job.feedbackUrl),
    passLogo: cssUrl(job.logos?.pass),
    coverLogo: cssUrl(job.logos?.cover),
  };
  return carnetsTemplate({
    ...doc,
    passFace: faceUrl({ doc, cover: false }),
    coverFace: faceUrl({ doc, cover: true }),
    carnets: carnets.map((c) => carnetView(c, job.carnetSize, job.feedbackUrl)),
  });
}
