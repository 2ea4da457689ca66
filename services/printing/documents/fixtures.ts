/** Print jobs for tests and the benchmark: real pass codes (contracts' passCode) under a test key. */
import { feedbackCode, passCode } from '@aptic/contracts';
import type { PrintJob } from './carnet-html.ts';

export const TEST_KEY = 'printing-test-key';

/** `count` carnets of `size`, numbered from `first`. */
export function printJob(count: number, size: 5 | 10 = 10, first = 42, overrides: Partial<PrintJob> = {}): PrintJob {
  const carnets = Array.from({ length: count }, (_, i) => {
    const number = first + i;
    return {
      number,
      passes: Array.from({ length: size }, (_, p) => ({
        position: p + 1,
        code: passCode(TEST_KEY, number, p + 1),
        feedbackCode: feedbackCode(TEST_KEY, number, p + 1),
      })),
    };
  });
  return {
    orderId: 'CMD-2026-0007',
    funderName: 'Communauté de communes <Test> & Co',
    validFrom: '2027-01-01',
    validUntil: '2027-12-31',
    perimeterLabel: 'Charente (16)',
    carnetSize: size,
    carnets,
    feedbackUrl: 'https://avis.pass-numerique.fr',
    ...overrides,
  };
}

/** A 1 × 1 PNG (red), the smallest real logo. */
export const PNG_LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
export const SVG_LOGO = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#c33"/></svg>',
);
