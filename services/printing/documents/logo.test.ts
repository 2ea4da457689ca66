import { expect, test } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { MAX_LOGO_BYTES, logoDataUrl, validateLogo, type Logo } from './logo.ts';
import { PNG_LOGO, SVG_LOGO } from './fixtures.ts';

function refusal(logo: Logo): { code: string; status: number; field: string | undefined } {
  try {
    validateLogo(logo, 'logos.pass');
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, status: err.status, field: err.field };
    throw err;
  }
  throw new Error('logo accepted');
}

test('accepts PNG, JPEG and SVG whose bytes match their type', () => {
  expect(validateLogo({ mime: 'image/png', data: PNG_LOGO }).data).toBe(PNG_LOGO);
  expect(() => validateLogo({ mime: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) })).not.toThrow();
  expect(() => validateLogo({ mime: 'image/svg+xml', data: SVG_LOGO })).not.toThrow();
  expect(() => validateLogo({ mime: 'image/svg+xml', data: Buffer.from('\uFEFF<!-- (c) -->\n<!DOCTYPE svg>\n<svg width="1"/>') })).not.toThrow();
});

test('refuses what is not an image, or not the image it claims to be, as invalid_logo (422)', () => {
  expect(refusal({ mime: 'image/png', data: Buffer.from('%PDF-1.4 not a png') })).toEqual({ code: 'invalid_logo', status: 422, field: 'logos.pass' });
  expect(refusal({ mime: 'image/jpeg', data: PNG_LOGO }).code).toBe('invalid_logo');
  expect(refusal({ mime: 'image/svg+xml', data: Buffer.from('<html><svg></svg></html>') }).code).toBe('invalid_logo');
  expect(refusal({ mime: 'image/png', data: Buffer.alloc(0) }).code).toBe('invalid_logo');
  expect(refusal({ mime: 'image/gif' as Logo['mime'], data: Buffer.from('GIF89a') }).code).toBe('invalid_logo');
});

test('refuses a logo over 5 MB as logo_too_large (422), even a real PNG', () => {
  const big = Buffer.concat([PNG_LOGO, Buffer.alloc(MAX_LOGO_BYTES + 1 - PNG_LOGO.length)]);
  expect(refusal({ mime: 'image/png', data: big })).toEqual({ code: 'logo_too_large', status: 422, field: 'logos.pass' });
  const exact = Buffer.concat([PNG_LOGO, Buffer.alloc(MAX_LOGO_BYTES - PNG_LOGO.length)]);
  expect(() => validateLogo({ mime: 'image/png', data: exact })).not.toThrow();
});

test('makes a base64 data: URL of the declared type', () => {
  expect(logoDataUrl({ mime: 'image/png', data: PNG_LOGO })).toBe(`data:image/png;base64,${PNG_LOGO.toString('base64')}`);
});
