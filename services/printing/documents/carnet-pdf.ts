/**
 * The print-ready PDF of all carnets of an order: batches of carnets rendered by one Chromium,
 * each batch written to its own part file, the parts joined into one PDF (pdf-join.ts).
 *
 * Why batches: Chromium lays a whole document out before printing it, so one 22,000-page document
 * would hold gigabytes, and its print time grows faster than its page count. Measured on 2 cores
 * (CPU seconds per carnet, pages of carnet-html.ts): 10 to 40 carnets a document cost the same,
 * 100 a quarter more; a document also has a fixed cost (~50 ms). So 10 carnets (110 pages) per
 * document, two in flight (one per core: Chromium prints a document on one thread): each renderer
 * holds the layout of its document, and 20 carnets took the print benchmark's whole tree to about
 * 1.65 GB resident, 10 to about 1.5 GB, for 2–3 % more CPU. Memory stays flat whatever the order's size. Why part files: the PDF is never held whole in memory (at most
 * `concurrency` batches of a few hundred KB are), and they make the job resumable:
 *
 *   <workDir>/manifest.json   the job's digest, the batch size, and every completed batch with its
 *                             part's size and SHA-256; rewritten atomically (tmp + rename)
 *   <workDir>/part-NNNNN.pdf  written as .tmp then renamed, and only then recorded in the manifest
 *
 * After a crash the same call resumes: parts listed in the manifest whose checksum still matches are
 * kept, everything else is rendered again. A manifest for another job (different digest: carnets,
 * codes, texts, logos, templates) or another batch size is discarded with its parts. The final PDF is written
 * as <outFile>.tmp and renamed, so <outFile> is either absent or complete; the work directory is
 * removed once it is.
 *
 * Progress goes to `onProgress` after every batch (the admin endpoint and the CLI bar read it).
 * PDF boxes and inks: Chromium sets every box to the MediaBox (the whole 7.25 × 3.25 in page) and
 * writes RGB; the join sets the trim and bleed boxes and turns text and barcodes into black ink
 * alone (print-ready.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYOUT_DIGEST, carnetsHtml, validatePrintJob, type PrintJob } from './carnet-html.ts';
import { joinPdfs, rewritePdf } from './pdf-join.ts';
import { PRINT_PAGE_BOXES, neutralsAsBlackInk } from './print-ready.ts';

/** What prints one HTML document to PDF bytes: PdfRenderer from @aptic/runtime. */
export type HtmlPrinter = { render(html: string, options?: { tagged?: boolean }): Promise<Buffer> };

/** How batches are printed: untagged, as no print workflow reads PDF tags (and they cost a third of the time). */
export const PRINT_RENDER_OPTIONS = { tagged: false };

export type PrintProgress = {
  batchesDone: number;
  batchesTotal: number;
  carnetsDone: number;
  carnetsTotal: number;
  /** batches found complete on disk from an earlier, interrupted run */
  batchesResumed: number;
};

export type PrintOptions = {
  /** the final PDF */
  outFile: string;
  /** where parts and manifest live; default `<outFile>.parts` */
  workDir?: string;
  /** carnets per Chromium document; default 10 */
  batchSize?: number;
  /** batches Chromium prints at once; default 2 */
  concurrency?: number;
  onProgress?: (progress: PrintProgress) => void;
};

export type PrintResult = { file: string; bytes: number; pages: number; batches: number; batchesResumed: number };

type PartRecord = { bytes: number; sha256: string };
type Manifest = {
  version: 1;
  jobDigest: string;
  batchSize: number;
  batchesTotal: number;
  parts: Record<string, PartRecord>;
};

export const DEFAULT_BATCH_SIZE = 10;
export const DEFAULT_CONCURRENCY = 2;

/** Identifies a job's printed content, layout included; logos count by their hash, not their bytes. */
function jobDigest(job: PrintJob): string {
  const logo = (l: { mime: string; data: Buffer } | undefined) => l && { mime: l.mime, sha256: sha256(l.data) };
  const { logos, ...rest } = job;
  return sha256(
    JSON.stringify({
      ...rest,
      logos: { pass: logo(logos?.pass), cover: logo(logos?.cover) },
      layout: LAYOUT_DIGEST,
      // Parts are stored print-ready: a part from before that is not resumed.
      printReady: 1,
    }),
  );
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function fileSha256(file: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

function partFile(workDir: string, index: number): string {
  return join(workDir, `part-${String(index).padStart(5, '0')}.pdf`);
}

async function writeAtomically(file: string, data: Buffer | string): Promise<void> {
  await writeFile(`${file}.tmp`, data);
  await rename(`${file}.tmp`, file);
}

async function readManifest(workDir: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(join(workDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/** The parts of an earlier run of this same job that are intact on disk. */
async function intactParts(
  workDir: string,
  manifest: Manifest | null,
  fresh: Manifest,
): Promise<Record<string, PartRecord>> {
  if (!manifest || manifest.jobDigest !== fresh.jobDigest || manifest.batchSize !== fresh.batchSize) return {};
  const kept: Record<string, PartRecord> = {};
  for (const [index, record] of Object.entries(manifest.parts)) {
    if ((await fileSha256(partFile(workDir, Number(index)))) === record.sha256) kept[index] = record;
  }
  return kept;
}

/**
 * Runs `work` over 0..count-1 with at most `concurrency` in flight. The first failure stops new
 * work; what is in flight finishes (a part it saves is kept for resuming), then the pool rejects.
 */
async function pool(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, worker));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Wraps `task` so that at most `slots` calls run at once; the others wait their turn, in order. */
function limited<A extends unknown[], T>(slots: number, task: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async (...args) => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task(...args);
    } finally {
      // The slot goes straight to the next in line, if any.
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

const PRINT_READY = { pageBoxes: PRINT_PAGE_BOXES, content: neutralsAsBlackInk };

/** The print file's title: who offers the carnets, and which ones. */
function printTitle(job: PrintJob): string {
  const numbers = job.carnets.map((c) => c.number);
  return `Pass numériques #APTIC offerts par ${job.funderName} — carnets ${Math.min(...numbers)} à ${Math.max(...numbers)}`;
}

/** Joins the parts, in order, into outFile (via outFile.tmp), with its title; returns its page count. */
async function merge(parts: string[], outFile: string, title: string): Promise<number> {
  const tmp = `${outFile}.tmp`;
  const pages = await joinPdfs(parts, tmp, { title });
  await rename(tmp, outFile);
  return pages;
}

/**
 * Renders every carnet of `job` into one print-ready PDF at `options.outFile`, resuming from the
 * parts an interrupted earlier call left in the work directory.
 */
export async function renderPrintPdf(printer: HtmlPrinter, job: PrintJob, options: PrintOptions): Promise<PrintResult> {
  validatePrintJob(job);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer: ${batchSize}`);
  const workDir = options.workDir ?? `${options.outFile}.parts`;
  const batchesTotal = Math.ceil(job.carnets.length / batchSize);
  const manifest: Manifest = { version: 1, jobDigest: jobDigest(job), batchSize, batchesTotal, parts: {} };

  await mkdir(workDir, { recursive: true });
  manifest.parts = await intactParts(workDir, await readManifest(workDir), manifest);
  const batchesResumed = Object.keys(manifest.parts).length;
  let saving = writeAtomically(join(workDir, 'manifest.json'), JSON.stringify(manifest));

  const carnetsOf = (index: number) => job.carnets.slice(index * batchSize, (index + 1) * batchSize);
  const progress: PrintProgress = {
    batchesDone: 0,
    batchesTotal,
    carnetsDone: 0,
    carnetsTotal: job.carnets.length,
    batchesResumed,
  };
  const advance = (index: number) => {
    progress.batchesDone += 1;
    progress.carnetsDone += carnetsOf(index).length;
    options.onProgress?.({ ...progress });
  };
  for (const index of Object.keys(manifest.parts)) advance(Number(index));
  if (batchesResumed === 0) options.onProgress?.({ ...progress });

  const pending = Array.from({ length: batchesTotal }, (_, i) => i).filter((i) => !(String(i) in manifest.parts));
  // One worker more than Chromium has documents: while Chromium prints, a worker lays out the next
  // batch and another saves the last, so Chromium never waits for Node (it did 10 % of the time).
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const print = limited(concurrency, (html: string) => printer.render(html, PRINT_RENDER_OPTIONS));
  await pool(pending.length, concurrency + 1, async (n) => {
    const index = pending[n]!;
    // Print-ready (print-ready.ts) as each batch comes back, while Chromium prints the next ones.
    const pdf = rewritePdf(await print(carnetsHtml(job, carnetsOf(index))), PRINT_READY, `batch ${index}`);
    await writeAtomically(partFile(workDir, index), pdf);
    manifest.parts[String(index)] = { bytes: pdf.length, sha256: sha256(pdf) };
    // Manifest writes are chained: each one writes the state as it is when its turn comes.
    saving = saving.then(() => writeAtomically(join(workDir, 'manifest.json'), JSON.stringify(manifest)));
    await saving;
    advance(index);
  });

  const parts = Array.from({ length: batchesTotal }, (_, i) => partFile(workDir, i));
  const pages = await merge(parts, options.outFile, printTitle(job));
  await rm(workDir, { recursive: true, force: true });
  const { size } = await stat(options.outFile);
  return { file: options.outFile, bytes: size, pages, batches: batchesTotal, batchesResumed };
}
