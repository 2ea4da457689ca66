/**
 * Funder logos printed on passes or covers: checked before anything is rendered, so a bad upload
 * is refused with a typed error instead of a blank box (or a Chromium error) at print time.
 *
 * The declared MIME type must match the file's own signature (magic bytes): PNG and JPEG by their
 * headers; an SVG must be read whole by an XML parser and draw only with allowed elements and
 * attributes (svg.ts): no regular expression over the upload, whose cost could grow faster than
 * its size. Logos reach Chromium only as data: URLs in background images, where an SVG's scripts
 * never run and it can fetch nothing, and the renderer also runs with JavaScript disabled.
 */
import { DomainError } from '@aptic/contracts';
import { svgProblem } from './svg.ts';

export type LogoMime = 'image/png' | 'image/jpeg' | 'image/svg+xml';
export type Logo = { mime: LogoMime; data: Buffer };

/** 5 MB (decimal megabytes, as the upload form states it). */
export const MAX_LOGO_BYTES = 5_000_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid_logo', message, { status: 422, field });
}

const NOT_AN_IMAGE = 'Le logo doit être une image PNG, JPEG ou SVG.';

/** Why the bytes are not the image their MIME type says, or null. */
function problemOf(mime: string, data: Buffer): string | null {
  if (mime === 'image/png') return data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ? null : NOT_AN_IMAGE;
  if (mime === 'image/jpeg')
    return data.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE) ? null : NOT_AN_IMAGE;
  if (mime === 'image/svg+xml') {
    const problem = svgProblem(data.toString('utf8'));
    return problem && `Logo SVG refusé : ${problem} n’est pas admis (dessin statique seulement).`;
  }
  return NOT_AN_IMAGE;
}

/** Returns the logo when it is a PNG, JPEG or SVG of at most 5 MB whose bytes match its MIME type. */
export function validateLogo(logo: Logo, field = 'logo'): Logo {
  if (!Buffer.isBuffer(logo.data) || logo.data.length === 0) throw invalid(field, 'Le logo est vide.');
  if (logo.data.length > MAX_LOGO_BYTES) {
    throw new DomainError('logo_too_large', 'Le logo dépasse 5 Mo.', { status: 422, field });
  }
  const problem = problemOf(logo.mime, logo.data);
  if (problem) throw invalid(field, problem);
  return logo;
}

/** The logo as a data: URL (base64), the only kind of resource the renderer lets a page load. */
export function logoDataUrl(logo: Logo): string {
  return `data:${logo.mime};base64,${logo.data.toString('base64')}`;
}
