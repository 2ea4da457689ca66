/**
 * Funder logos printed on passes or covers: checked before anything is rendered, so a bad upload
 * is refused with a typed error instead of a blank box (or a Chromium error) at print time.
 *
 * The declared MIME type must match the file's own signature (magic bytes): PNG and JPEG by their
 * headers, SVG by its root element (after an optional BOM, XML declaration, comments, doctype).
 * Logos reach Chromium only as data: URLs in <img>/background-image, where an SVG's scripts never
 * run and it can fetch nothing, and the renderer also runs with JavaScript disabled.
 */
import { DomainError } from '@aptic/contracts';

export type LogoMime = 'image/png' | 'image/jpeg' | 'image/svg+xml';
export type Logo = { mime: LogoMime; data: Buffer };

/** 5 MB (decimal megabytes, as the upload form states it). */
export const MAX_LOGO_BYTES = 5_000_000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
/** What may precede <svg: whitespace, an XML declaration, comments, a doctype. */
const SVG_PROLOGUE = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i;

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid_logo', message, { status: 422, field });
}

function looksLike(mime: string, data: Buffer): boolean {
  if (mime === 'image/png') return data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
  if (mime === 'image/jpeg') return data.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE);
  // The root element is near the start; 4 KiB leaves room for a long licence comment.
  if (mime === 'image/svg+xml') return SVG_PROLOGUE.test(data.subarray(0, 4096).toString('utf8'));
  return false;
}

/** Returns the logo when it is a PNG, JPEG or SVG of at most 5 MB whose bytes match its MIME type. */
export function validateLogo(logo: Logo, field = 'logo'): Logo {
  if (!Buffer.isBuffer(logo.data) || logo.data.length === 0) throw invalid(field, 'Le logo est vide.');
  if (logo.data.length > MAX_LOGO_BYTES) {
    throw new DomainError('logo_too_large', 'Le logo dépasse 5 Mo.', { status: 422, field });
  }
  if (!looksLike(logo.mime, logo.data)) throw invalid(field, 'Le logo doit être une image PNG, JPEG ou SVG.');
  return logo;
}

/** The logo as a data: URL (base64), the only kind of resource the renderer lets a page load. */
export function logoDataUrl(logo: Logo): string {
  return `data:${logo.mime};base64,${logo.data.toString('base64')}`;
}
