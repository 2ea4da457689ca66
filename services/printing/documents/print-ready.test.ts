import { expect, test } from 'vitest';
import { PRINT_PAGE_BOXES, neutralsAsBlackInk } from './print-ready.ts';

test('neutral colours become black ink alone; brand colours stay RGB', () => {
  expect(neutralsAsBlackInk('0 0 0 RG 0 0 0 rg\n.3333 .3333 .3333 rg 1 1 1 RG')).toBe(
    '0 0 0 1 K 0 0 0 1 k\n0 0 0 0.6667 k 0 0 0 0 K',
  );
  expect(neutralsAsBlackInk('.1216 .3725 .5451 rg 10.5 0 0 rg')).toBe('.1216 .3725 .5451 rg 10.5 0 0 rg');
});

test('the MediaBox is the bleed box, 3 mm beyond the 160 × 60 mm trim', () => {
  expect(PRINT_PAGE_BOXES).toBe(
    '/MediaBox [25.724 23.457 496.276 210.543] /BleedBox [25.724 23.457 496.276 210.543] /TrimBox [34.228 31.961 487.772 202.039]',
  );
});
