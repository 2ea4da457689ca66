/**
 * The print PDF end to end: job → HTML batches → real headless Chromium → part files → joined PDF,
 * then read back the way the print partner and the kiosks would: poppler rasterises every page at
 * 200 dpi and zbar (an independent decoder) reads every barcode.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carnetBarcode } from '@aptic/contracts';
import { PdfRenderer, readConfig } from '@aptic/runtime';
import { renderPrintPdf, type HtmlPrinter, type PrintProgress } from './carnet-pdf.ts';
import type { PrintJob } from './carnet-html.ts';
import { PNG_LOGO, SVG_LOGO, printJob } from './fixtures.ts';
import { decodeSymbols, saveFirstPage } from '../../../test/support/pdf.ts';
import { feedbackLink } from './feedback-stub.ts';
import { groupedFeedbackCode } from '@aptic/contracts';

const run = promisify(execFile);

/** Pixels of exactly this colour on one page rasterised at 100 dpi (poppler, binary PPM). */
async function pixelsOf(pdf: string, page: number, [r, g, b]: [number, number, number]): Promise<number> {
  const { stdout } = await run('pdftoppm', ['-r', '100', '-f', String(page), '-l', String(page), pdf], {
    encoding: 'buffer',
    maxBuffer: 1 << 26,
  });
  const image = stdout as unknown as Buffer;
  // P6 header: magic, width, height, maximum value, each followed by one whitespace.
  let offset = 0;
  for (let fields = 0; fields < 4; offset++) if (/\s/.test(String.fromCharCode(image[offset]!))) fields++;
  let count = 0;
  for (let i = offset; i + 2 < image.length; i += 3)
    if (image[i] === r && image[i + 1] === g && image[i + 2] === b) count++;
  return count;
}

/** Ghostscript's ink coverage (C, M, Y, K fractions) of a page, or of a region of it given in points from the MediaBox's corner. */
async function inkCoverage(
  pdf: string,
  page: number,
  region?: { x: number; y: number; width: number; height: number },
) {
  const crop = region
    ? [`-dDEVICEWIDTHPOINTS=${region.width}`, `-dDEVICEHEIGHTPOINTS=${region.height}`, '-dFIXEDMEDIA']
    : [];
  const offset = region ? ['-c', `<</PageOffset [${-region.x} ${-region.y}]>> setpagedevice`] : [];
  const { stdout } = await run('gs', [
    '-q',
    '-dSAFER',
    '-o',
    '-',
    '-sDEVICE=inkcov',
    `-dFirstPage=${page}`,
    `-dLastPage=${page}`,
    ...crop,
    ...offset,
    '-f',
    pdf,
  ]);
  const [c, m, y, k] = stdout.trim().split(/\s+/).slice(0, 4).map(Number);
  return { c: c!, m: m!, y: y!, k: k! };
}

const decodeAll = (pdf: string, dir: string) => decodeSymbols(pdf, dir, 'code128');

/** In page order: each carnet's cover barcode (its number), then its passes' codes. */
const printedCodes = (job: PrintJob) =>
  job.carnets.flatMap((c) => [carnetBarcode(c.number), ...c.passes.map((p) => p.code)]);

/** Fails the `failAt`-th render, as a Chromium crash mid-job would. */
function crashingPrinter(printer: HtmlPrinter, failAt: number): HtmlPrinter & { calls: number } {
  return {
    calls: 0,
    async render(html, options) {
      this.calls += 1;
      if (this.calls === failAt) throw new Error('Chromium crashed');
      return printer.render(html, options);
    },
  };
}

describe('print-ready PDF of an order', () => {
  let renderer: PdfRenderer;
  let dir: string;

  beforeAll(async () => {
    renderer = await PdfRenderer.launch(readConfig().chromiumPath);
    dir = await mkdtemp(join(tmpdir(), 'aptic-print-'));
  });

  afterAll(async () => {
    await renderer?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints every pass of the order once, each barcode decoding to its stored code, none missing, none extra', async () => {
    const job = printJob(12, 10, 4_200, {
      logos: { pass: { mime: 'image/png', data: PNG_LOGO }, cover: { mime: 'image/svg+xml', data: SVG_LOGO } },
    });
    const progress: PrintProgress[] = [];
    const out = join(dir, 'order.pdf');
    const result = await renderPrintPdf(renderer, job, {
      outFile: out,
      batchSize: 5,
      onProgress: (p) => progress.push(p),
    });

    expect(result).toMatchObject({ pages: 12 * 11, batches: 3, batchesResumed: 0 });
    expect(progress.at(-1)).toEqual({
      batchesDone: 3,
      batchesTotal: 3,
      carnetsDone: 12,
      carnetsTotal: 12,
      batchesResumed: 0,
    });
    expect(existsSync(`${out}.parts`)).toBe(false);

    const decoded = await decodeAll(out, await mkdtemp(join(dir, 'scan-')));
    expect(decoded).toHaveLength(132);
    expect([...decoded].sort()).toEqual(printedCodes(job).sort());
  });

  it('has the documented page size, embedded DejaVu fonts, vector barcodes and human-readable numbers', async () => {
    const job = printJob(2, 5, 77);
    const out = join(dir, 'small.pdf');
    await renderPrintPdf(renderer, job, { outFile: out });
    const [{ stdout: info }, { stdout: fonts }, { stdout: images }, { stdout: text }] = await Promise.all([
      run('pdfinfo', [out]),
      run('pdffonts', [out]),
      run('pdfimages', ['-list', out]),
      run('pdftotext', ['-layout', out, '-']),
    ]);
    expect(info).toMatch(/Pages:\s+12\n/);
    expect(info).toContain('Page size:       470.552 x 187.086 pts');
    expect(fonts).toMatch(/DejaVuSans\s.*\byes\s+yes\b/);
    expect(fonts).not.toMatch(/\bno\s+(yes|no)\s+(yes|no)\s+\d+/);
    // no logo in this job: any image would be a rasterised barcode
    expect(images.trim().split('\n')).toHaveLength(2);
    expect(text).toContain('Carnet n° 0000078');
    expect(text).toContain('Pass 5/5');
    expect(text).toMatch(/0000077 4 \d{13} \d/);
    const decoded = await decodeAll(out, await mkdtemp(join(dir, 'scan-')));
    expect(decoded).toEqual(printedCodes(job));
    expect(decoded[0]).toBe('CAR-0000077');
    // Each stub: the rating page's line, the feedback code grouped, and a vector QR code of the page's address with it.
    const feedback = job.carnets.flatMap((c) => c.passes.map((p) => p.feedbackCode));
    // (the address wraps on the 36 mm stub)
    expect(text.replace(/\s+/g, ' ').match(/Donnez votre avis : avis\.pass- ?numerique\.fr/g)).toHaveLength(10);
    for (const group of groupedFeedbackCode(feedback[0]!).split('-')) expect(text).toContain(group);
    const links = await decodeSymbols(out, await mkdtemp(join(dir, 'qr-')), 'qrcode');
    expect(links).toEqual(feedback.map((code) => feedbackLink(job.feedbackUrl, code)));
  });

  it('is print-ready: trim and bleed boxes on every page, a title, text and barcodes in black ink alone, the logos printed', async () => {
    const job = printJob(3, 10, 300, {
      logos: { pass: { mime: 'image/png', data: PNG_LOGO }, cover: { mime: 'image/svg+xml', data: SVG_LOGO } },
    });
    const out = join(dir, 'print-ready.pdf');
    await renderPrintPdf(renderer, job, { outFile: out, batchSize: 2 });
    const { stdout: info } = await run('pdfinfo', ['-box', '-f', '1', '-l', '33', out]);
    expect(info).toContain(
      'Title:           Pass numériques #APTIC offerts par Communauté de communes <Test> & Co — carnets 300 à 302',
    );
    const mm = (pt: string) => (Number(pt) * 25.4) / 72;
    for (let page = 1; page <= 33; page++) {
      const box = (name: string) => {
        const found = new RegExp(`Page +${page} ${name}: +([\\d.]+) +([\\d.]+) +([\\d.]+) +([\\d.]+)`).exec(info);
        expect(found, `page ${page} ${name}`).not.toBeNull();
        const [x0, y0, x1, y1] = found!.slice(1).map(mm);
        return { x0: x0!, y0: y0!, width: x1! - x0!, height: y1! - y0! };
      };
      const [media, bleed, trim] = [box('MediaBox'), box('BleedBox'), box('TrimBox')];
      expect(trim.width).toBeCloseTo(160, 1);
      expect(trim.height).toBeCloseTo(60, 1);
      expect(bleed).toEqual(media);
      expect(media.width).toBeCloseTo(166, 1);
      expect(media.height).toBeCloseTo(66, 1);
      expect(trim.x0 - media.x0).toBeCloseTo(3, 1);
      expect(trim.y0 - media.y0).toBeCloseTo(3, 1);
    }
    // The barcode and its printed code, from the MediaBox's lower left corner: black ink, nothing else.
    const barcode = await inkCoverage(out, 2, { x: 118, y: 6, width: 190, height: 72 });
    expect(barcode).toMatchObject({ c: 0, m: 0, y: 0 });
    expect(barcode.k).toBeGreaterThan(0.15);
    // The band and logo are colour; the page as a whole is not black ink alone.
    expect((await inkCoverage(out, 2)).c).toBeGreaterThan(0);
    // The logos: their pixels on a pass (the red PNG) and on the cover (the SVG's #c33).
    expect(await pixelsOf(out, 2, [255, 0, 0])).toBeGreaterThan(1000);
    expect(await pixelsOf(out, 1, [0xcc, 0x33, 0x33])).toBeGreaterThan(1000);
    await saveFirstPage(out, 'carnet-cover', 1);
    await saveFirstPage(out, 'carnet-pass', 2);
  });

  it('resumes after a crash without printing again the batches already on disk, and re-prints a damaged part', async () => {
    const job = printJob(8, 10, 900);
    const out = join(dir, 'resumed.pdf');
    const crashing = crashingPrinter(renderer, 3);
    await expect(renderPrintPdf(crashing, job, { outFile: out, batchSize: 2, concurrency: 1 })).rejects.toThrow(
      'Chromium crashed',
    );
    expect(existsSync(out)).toBe(false);
    const manifest = JSON.parse(await readFile(join(`${out}.parts`, 'manifest.json'), 'utf8')) as {
      parts: Record<string, unknown>;
    };
    expect(Object.keys(manifest.parts).sort()).toEqual(['0', '1']);
    await writeFile(join(`${out}.parts`, 'part-00001.pdf'), 'damaged');

    const counting = crashingPrinter(renderer, 0);
    const result = await renderPrintPdf(counting, job, { outFile: out, batchSize: 2, concurrency: 1 });
    expect(result).toMatchObject({ batches: 4, batchesResumed: 1, pages: 88 });
    expect(counting.calls).toBe(3);
    const decoded = await decodeAll(out, await mkdtemp(join(dir, 'scan-')));
    expect(decoded).toEqual(printedCodes(job));
  });

  it('discards the parts of another job instead of resuming from them', async () => {
    const out = join(dir, 'other.pdf');
    const first = printJob(4, 10, 500);
    await expect(
      renderPrintPdf(crashingPrinter(renderer, 2), first, { outFile: out, batchSize: 2, concurrency: 1 }),
    ).rejects.toThrow();
    const second = printJob(4, 10, 600);
    const counting = crashingPrinter(renderer, 0);
    const result = await renderPrintPdf(counting, second, { outFile: out, batchSize: 2, concurrency: 1 });
    expect(result.batchesResumed).toBe(0);
    expect(counting.calls).toBe(2);
    expect(await decodeAll(out, await mkdtemp(join(dir, 'scan-')))).toEqual(printedCodes(second));
  });
});
