/**
 * An uploaded SVG logo is accepted only if a real XML parser reads it whole (saxes: well-formed,
 * linear time, no entity expansion beyond XML's five) and every element and attribute is on an
 * allow-list of static drawing: no script, no event handler, no foreign object, no external image,
 * link or stylesheet, no animation, no internal DTD (entity bombs). Refused, it says why.
 */
import { SaxesParser } from 'saxes';

const ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'metadata',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'filter',
  'feGaussianBlur',
  'feOffset',
  'feBlend',
  'feColorMatrix',
  'feComposite',
  'feFlood',
  'feMerge',
  'feMergeNode',
]);

const ATTRIBUTES = new Set([
  'id',
  'class',
  'version',
  'baseProfile',
  'xmlns',
  'xmlns:xlink',
  'xmlns:svg',
  'xml:space',
  'xml:lang',
  'lang',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'dx',
  'dy',
  'width',
  'height',
  'viewBox',
  'preserveAspectRatio',
  'd',
  'points',
  'pathLength',
  'transform',
  'rotate',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-opacity',
  'opacity',
  'color',
  'display',
  'visibility',
  'overflow',
  'clip-path',
  'clip-rule',
  'clipPathUnits',
  'mask',
  'maskUnits',
  'maskContentUnits',
  'filter',
  'filterUnits',
  'primitiveUnits',
  'stdDeviation',
  'in',
  'in2',
  'result',
  'mode',
  'operator',
  'k1',
  'k2',
  'k3',
  'k4',
  'values',
  'type',
  'flood-color',
  'flood-opacity',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'patternUnits',
  'patternContentUnits',
  'patternTransform',
  'href',
  'xlink:href',
  'style',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant',
  'text-anchor',
  'dominant-baseline',
  'alignment-baseline',
  'baseline-shift',
  'letter-spacing',
  'word-spacing',
  'text-decoration',
  'writing-mode',
  'startOffset',
  'textLength',
  'lengthAdjust',
  'vector-effect',
  'mix-blend-mode',
  'isolation',
  'shape-rendering',
  'text-rendering',
  'color-interpolation-filters',
]);

/** Editors' bookkeeping (Inkscape, Sodipodi), which renderers ignore: their namespaced attributes and elements. */
const EDITOR_PREFIXES = [
  'inkscape:',
  'sodipodi:',
  'xmlns:inkscape',
  'xmlns:sodipodi',
  'xmlns:rdf',
  'xmlns:cc',
  'xmlns:dc',
];
const isEditorName = (name: string) => EDITOR_PREFIXES.some((p) => name.startsWith(p));

/** References stay inside the document: `#id`, or `url(#id)` in a value. */
const isLocalReference = (value: string) => value.startsWith('#');
function hasExternalUrl(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower.includes('@import') || lower.includes('expression(')) return true;
  for (let at = lower.indexOf('url('); at !== -1; at = lower.indexOf('url(', at + 4)) {
    const target = lower
      .slice(at + 4)
      .trimStart()
      .replace(/^["']/, '');
    if (!target.startsWith('#')) return true;
  }
  return false;
}

/** Why the SVG is refused, or null when it is a static drawing. */
export function svgProblem(text: string): string | null {
  const parser = new SaxesParser({ xmlns: false, position: false });
  let problem: string | null = null;
  let depth = 0;
  /** Inside <metadata> or an editor element nothing is drawn: its content is not checked. */
  let inertDepth = 0;
  const fail = (why: string) => {
    problem ??= why;
  };
  parser.on('doctype', (doctype) => {
    if (doctype.includes('[')) fail('un DOCTYPE avec déclarations internes');
  });
  parser.on('processinginstruction', (pi) => {
    if (pi.target !== 'xml') fail(`l’instruction <?${pi.target}?>`);
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1 && tag.name !== 'svg') fail(`la racine <${tag.name}> (svg attendu)`);
    if (inertDepth > 0 || tag.name === 'metadata' || isEditorName(tag.name)) {
      if (!tag.isSelfClosing) inertDepth++;
      return;
    }
    if (!ELEMENTS.has(tag.name)) return fail(`l’élément <${tag.name}>`);
    for (const [name, value] of Object.entries(tag.attributes)) {
      if (isEditorName(name)) continue;
      if (!ATTRIBUTES.has(name)) return fail(`l’attribut ${name} de <${tag.name}>`);
      if ((name === 'href' || name === 'xlink:href') && !isLocalReference(value))
        return fail(`un lien externe (${name})`);
      if (hasExternalUrl(value)) return fail(`une ressource externe dans ${name}`);
    }
  });
  parser.on('closetag', (tag) => {
    depth--;
    if (inertDepth > 0 && !tag.isSelfClosing) inertDepth--;
  });
  parser.on('error', (err) => {
    fail(`XML mal formé (${err.message.split('\n')[0]})`);
  });
  try {
    parser.write(text).close();
  } catch (err) {
    fail(`XML mal formé (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  return problem;
}
