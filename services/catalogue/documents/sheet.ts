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

/**
 * Code 128 as SVG; the text under it is printed by the template. The SVG stretches to the
 * sheet's width: a uniform horizontal stretch keeps every bar's ratio to the others, which is
 * all a linear barcode needs, so the aspect ratio is released.
 */
function barcodeSvg(text: string): string {
  const svg = bwipjs.toSVG({ bcid: 'code128', text, scale: 2, height: 10, paddingwidth: 10, paddingheight: 0 });
  return svg.replace('<svg ', '<svg preserveAspectRatio="none" ');
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
      // {{{ }}}: our own SVG, built from a UUID we generated; nothing user-typed goes into it.
      svg: barcodeSvg(serviceBarcode(o.offerId)),
    })),
  });
}
