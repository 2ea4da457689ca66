/**
 * What the stub of each pass carries for the rating page (avis): the pass's feedback code, grouped
 * for reading aloud, a QR code of the page's address with the code in it, and the page's address.
 * The QR is a vector path like the barcode, so it prints sharp at any resolution.
 */
import QRCode from 'qrcode';
import { DomainError, groupedFeedbackCode, readFeedbackCode } from '@aptic/contracts';

type QrView = { viewBox: string; d: string };
export type FeedbackView = { groups: string[]; qr: QrView };

/** ISO/IEC 18004's quiet zone, in modules, around a QR symbol. */
const QR_QUIET_ZONE = 4;

/**
 * QR code (error correction M: a stub gets worn in a carnet) of `text`, encoded by qrcode (not
 * bwip-js, the barcodes' library: its QR encoder takes ~2.8 ms of CPU a code, 55 s for 20,000
 * passes; qrcode 0.3 ms), as one SVG path stroked one module wide: a horizontal line per run of
 * dark modules in a row, each row a subpath of relative moves (half the bytes of a rectangle per
 * run: a print file holds one QR code per pass). Quiet zone inside the viewBox.
 */
function qrCode(text: string): QrView {
  // One byte segment: searching the best mix of modes costs a quarter of the encoding and gives the
  // same version (33 modules) for an address like the demo's.
  const { size, data: pixs } = QRCode.create([{ data: Buffer.from(text), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
  }).modules;
  let d = '';
  for (let y = 0; y < size; y++) {
    let end: number | undefined;
    for (let x = 0; x < size; x++) {
      if (!pixs[y * size + x]) continue;
      const start = x;
      while (x + 1 < size && pixs[y * size + x + 1]) x++;
      d += end === undefined ? `M${start + QR_QUIET_ZONE} ${y + QR_QUIET_ZONE + 0.5}` : `m${start - end} 0`;
      d += `h${x + 1 - start}`;
      end = x + 1;
    }
  }
  const side = size + 2 * QR_QUIET_ZONE;
  return { viewBox: `0 0 ${side} ${side}`, d };
}

/** The rating page's address for a code, as the QR code holds it. */
export const feedbackLink = (pageUrl: string, code: string) => `${pageUrl}/${code}`;

/** The address as printed for typing: without `https://`, which browsers add. */
export const printedAddress = (pageUrl: string) => pageUrl.replace(/^https:\/\//, '');

export function feedbackView(pageUrl: string, code: string): FeedbackView {
  return { groups: groupedFeedbackCode(code).split('-'), qr: qrCode(feedbackLink(pageUrl, code)) };
}

/** A print job's rating page address: an absolute http(s) URL without a trailing slash. */
export function checkFeedbackUrl(pageUrl: string): void {
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(pageUrl) || pageUrl.endsWith('/'))
    throw new DomainError('invalid_print_job', `Adresse de la page d'avis invalide : ${pageUrl}`, {
      status: 422,
      field: 'feedbackUrl',
    });
}

/** True when `code` is a well-formed feedback code of this carnet and position. */
export function feedbackCodeNames(code: string, carnet: number, position: number): boolean {
  const reading = readFeedbackCode(code);
  return reading.ok && reading.code === code && reading.carnetNumber === carnet && reading.position === position;
}
