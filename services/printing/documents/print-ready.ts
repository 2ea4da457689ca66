/**
 * What a print shop checks on the print file, set while its parts are joined (pdf-join.ts):
 *
 *   - Boxes on every page: TrimBox (the 160 × 60 mm trim), BleedBox (3 mm beyond it) and a MediaBox
 *     that is the bleed box, as print shops ask for ("format fini + 3 mm de fond perdu", no marks:
 *     they impose and mark the sheets themselves). Chromium's page keeps its slug around the bleed
 *     (its page sizes snap to a grid; this one prints exactly, see carnet-html.ts); the MediaBox
 *     leaves it out.
 *   - Black ink alone for text and barcodes: Chromium writes every colour as RGB, and a print
 *     workflow turns RGB black into rich black (all four inks), whose bars misregister. Every neutral
 *     colour (r = g = b: black, greys, white) becomes DeviceCMYK black ink only (K = 1 − r); the
 *     templates use no other colour for text or barcodes. Brand colours and logos stay RGB.
 */

const POINTS_PER_MM = 72 / 25.4;
const PAGE = { width: 522, height: 234 };
const TRIM = { width: 160, height: 60 };
const BLEED_MM = 3;

type Box = [number, number, number, number];

/** A box centred on the page, `margin` mm beyond the trim, in points. */
function centred(margin: number): Box {
  const width = (TRIM.width + 2 * margin) * POINTS_PER_MM;
  const height = (TRIM.height + 2 * margin) * POINTS_PER_MM;
  const x = (PAGE.width - width) / 2;
  const y = (PAGE.height - height) / 2;
  return [x, y, x + width, y + height];
}

const pdfBox = (box: Box) => `[${box.map((n) => n.toFixed(3)).join(' ')}]`;

/** The page boxes of the print file, in place of Chromium's MediaBox. */
export const PRINT_PAGE_BOXES = `/MediaBox ${pdfBox(centred(BLEED_MM))} /BleedBox ${pdfBox(centred(BLEED_MM))} /TrimBox ${pdfBox(centred(0))}`;

// A neutral RGB colour operator as Skia writes it ("0 0 0 rg", ".3333 .3333 .3333 RG": one number
// three times); the lookbehind keeps a number from matching from its middle.
const NEUTRAL_RGB = /(?<![\d.])(\d+(?:\.\d*)?|\.\d+) \1 \1 (rg|RG)\b/g;

/** A content stream's neutral RGB colours as black ink alone (DeviceCMYK `0 0 0 K k`); others unchanged. */
export function neutralsAsBlackInk(operators: string): string {
  return operators.replace(NEUTRAL_RGB, (_, grey: string, operator: string) => {
    const black = Number((1 - Number(grey)).toFixed(4));
    return `0 0 0 ${black} ${operator === 'rg' ? 'k' : 'K'}`;
  });
}
