/**
 * The service sheet: a printable page per place listing its offers, each with the Code 128 the
 * mediator scans at the kiosk to choose the service. Barcodes are SVG (bwip-js), so the PDF
 * carries vectors and prints sharp at any size. Pure: HTML only; PdfRenderer prints it.
 */
import { readFileSync } from 'node:fs';
import bwipjs from 'bwip-js';
import Handlebars from 'handlebars';
import { frenchDate, serviceBarcode } from '@aptic/contracts';

export interface SheetOffer {
  offerId: string;
  label: string;
  group: boolean;
  durationMinutes: number;
  priceCents: number;
}

export interface SheetPlace {
  id: string;
  name: string;
  address: string;
  commune: string;
  status: string;
}

const template = Handlebars.compile(readFileSync(new URL('./templates/service-sheet.hbs', import.meta.url), 'utf8'), {
  strict: true,
});
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const STATUS: Record<string, string> = {
  qualified: 'qualifié',
  suspended: 'suspendu',
  revoked: 'révoqué',
  not_qualified: 'non qualifié',
};

/** Module width of the service Code 128: what handheld scanners read at arm's length. */
const MODULE_MM = 0.28;
/** bwip-js units per module at scale 2. */
const SCALE = 2;

/**
 * Code 128 as SVG, each module 0.28 mm (quiet zones of 10 modules included): the 27-character service
 * code is ≈ 99 mm wide. The text under it is printed by the template.
 */
function barcodeSvg(text: string): string {
  const svg = bwipjs.toSVG({ bcid: 'code128', text, scale: SCALE, height: 10, paddingwidth: 10, paddingheight: 0 });
  const units = Number(/viewBox="0 0 (\d+(?:\.\d+)?) /.exec(svg)?.[1]);
  const width = ((units / SCALE) * MODULE_MM).toFixed(1);
  return svg.replace('<svg ', `<svg preserveAspectRatio="none" style="width: ${width}mm" `);
}

/** The same code as a QR code, for scanners that read 2D codes (and from a phone screen). */
function qrSvg(text: string): string {
  return bwipjs.toSVG({ bcid: 'qrcode', text, scale: SCALE, paddingwidth: 4, paddingheight: 4 });
}

export function serviceSheetHtml(place: SheetPlace, offers: SheetOffer[], printedOn: string): string {
  return template({
    place: { ...place, status: STATUS[place.status] ?? place.status },
    printedOn: frenchDate(printedOn),
    offers: offers.map((o) => ({
      label: o.label,
      format: o.group ? 'Atelier collectif' : 'Séance individuelle',
      duration: `${o.durationMinutes} min`,
      price: euros.format(o.priceCents / 100),
      code: serviceBarcode(o.offerId),
      // {{{ }}}: our own SVGs, built from a UUID we generated; nothing user-typed goes into them.
      svg: barcodeSvg(serviceBarcode(o.offerId)),
      qr: qrSvg(serviceBarcode(o.offerId)),
    })),
  });
}
