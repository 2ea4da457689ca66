import { PdfRenderer, businessDate, type ServiceContext } from '@aptic/runtime';
import { findPlace } from '../db/places.ts';
import { listOffers } from '../db/offers.ts';
import { listServices } from '../db/referentiel.ts';
import { serviceSheetHtml } from './sheet.ts';

export type RenderPdf = (html: string) => Promise<Buffer>;

/** Catalogue's documents as PDFs. One Chromium, started at the first document and closed with the service. */
export function pdfPrinter(ctx: ServiceContext): RenderPdf {
  let renderer: Promise<PdfRenderer> | undefined;
  ctx.onStop(async () => {
    if (renderer) await (await renderer).close();
  });
  return async (html) => (await (renderer ??= PdfRenderer.launch(ctx.config.chromiumPath))).render(html);
}

/** Service sheets: a place's offers with the barcodes its kiosk scans. */
export function sheetPrinter(ctx: ServiceContext, render: RenderPdf) {
  return async (placeId: string): Promise<{ filename: string; pdf: Buffer }> => {
    const place = await findPlace(ctx.db, placeId);
    const labels = new Map((await listServices(ctx.db)).services.map((s) => [s.code, s.label]));
    const offers = (await listOffers(ctx.db, placeId, false)).map((o) => ({
      offerId: o.id,
      label: labels.get(o.serviceCode) ?? o.serviceCode,
      group: o.group,
      durationMinutes: o.durationMinutes,
      priceCents: o.priceCents,
    }));
    const html = serviceSheetHtml(
      {
        id: place.id,
        name: place.name,
        address: place.address ?? '',
        commune: place.communeName,
        status: place.status,
      },
      offers,
      businessDate(),
    );
    return { filename: `services-${place.id}.pdf`, pdf: await render(html) };
  };
}
