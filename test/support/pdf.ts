import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PDF as poppler-utils reads it. */
export type PdfReading = {
  /** pdftotext -layout: table rows read across, as printed */
  text: string;
  /** pdftotext in reading order: side-by-side blocks (e.g. a quote's mentions and signature box) read one after the other */
  flow: string;
  pages: number;
  /** pdffonts' table of the fonts the PDF uses, and whether they are embedded */
  fonts: string;
};

/** Both pdftotext readings, every kind of space collapsed and typographic apostrophes made plain. */
export async function readPdf(pdf: Buffer): Promise<PdfReading> {
  const dir = await mkdtemp(join(tmpdir(), 'aptic-pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const [{ stdout: layout }, { stdout: flow }, { stdout: fonts }] = await Promise.all([
      run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']),
      run('pdftotext', ['-enc', 'UTF-8', file, '-']),
      run('pdffonts', [file]),
    ]);
    const pages = layout.split('\f').filter((page) => page.trim() !== '').length;
    return { text: normalise(layout), flow: normalise(flow), pages, fonts };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function normalise(text: string): string {
  return text.replace(/[\s\u00a0\u202f]+/g, ' ').replace(/’/g, "'");
}

/** The text of a PDF as pdftotext -layout reads it, with every kind of space made plain (see readPdf). */
export async function pdfText(pdf: Buffer): Promise<string> {
  return (await readPdf(pdf)).text;
}

export async function fetchPdf(
  url: string,
  token = 'test-admin-token-not-a-secret-0123456789',
): Promise<{ status: number; type: string | null; pdf: Buffer }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    pdf: Buffer.from(await response.arrayBuffer()),
  };
}

/** Where tests leave the first page of each document as a PNG, for a person to review (git-ignored). */
const DOCUMENT_PNGS = fileURLToPath(new URL('../results/documents/', import.meta.url));

/** Writes the PDF's first page as `<DOCUMENT_PNGS>/<name>.png` (poppler, 110 dpi); returns its path. */
export async function saveFirstPage(pdf: Buffer | string, name: string, page = 1): Promise<string> {
  await mkdir(DOCUMENT_PNGS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'aptic-png-'));
  try {
    const file = typeof pdf === 'string' ? pdf : join(dir, 'document.pdf');
    if (typeof pdf !== 'string') await writeFile(file, pdf);
    const out = join(DOCUMENT_PNGS, name);
    await run('pdftoppm', ['-r', '110', '-png', '-singlefile', '-f', String(page), '-l', String(page), file, out]);
    return `${out}.png`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every symbol of one kind (`code128`, `qrcode`) that zbar, an independent decoder, reads on a PDF's
 * pages rasterised at 200 dpi the way a scan of the print would be, in page order.
 */
export async function decodeSymbols(pdf: string, dir: string, symbology: 'code128' | 'qrcode'): Promise<string[]> {
  await run('pdftoppm', ['-r', '200', '-gray', '-png', pdf, join(dir, 'page')]);
  const pages = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png')).sort();
  // zbarimg exits 4 when some page (a cover) holds no symbol: an empty answer, not an error.
  const { stdout } = await run(
    'zbarimg',
    ['--raw', '-q', '-Sdisable', `-S${symbology}.enable`, ...pages.map((p) => join(dir, p))],
    { maxBuffer: 1 << 24 },
  ).catch((err: { code?: number; stdout?: string }) => {
    if (err.code === 4 && err.stdout !== undefined) return { stdout: err.stdout };
    throw err;
  });
  return stdout.split('\n').filter(Boolean);
}
