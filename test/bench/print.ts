/**
 * Print PDF benchmark: 2,000 carnets of 10 (20,000 passes, 22,000 pages) to one print-ready PDF
 * through renderPrintPdf (layout + barcodes + Chromium + part files + pdfunite), beside the same
 * Chromium printing the same HTML pre-rendered to disk (no layout, no barcodes, no merge): the
 * bare-Chromium rate the pipeline is measured against.
 *
 * Peak memory is the whole process tree's (Node + Chromium's processes + pdfunite), sampled every
 * 100 ms from /proc, because Chromium's memory is where a too-large batch would show. Two sums are
 * reported: RSS (counts the pages Chromium's processes share once per process, so it overstates)
 * and PSS (shares split between the processes: the tree's real footprint).
 *
 * Targets: ≤ 60 s wall, peak RSS ≤ 1.5 GB, ≥ 80 % of the bare-Chromium rate.
 * PRINT_BENCH_CARNETS=200 scales it down (default 2000); PRINT_BENCH_BATCH sets carnets per batch.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdfRenderer, readConfig } from '@aptic/runtime';
import { carnetsHtml } from '../../services/printing/documents/carnet-html.ts';
import { DEFAULT_BATCH_SIZE, renderPrintPdf, type PrintProgress } from '../../services/printing/documents/carnet-pdf.ts';
import { PNG_LOGO, printJob } from '../../services/printing/documents/fixtures.ts';
import { report } from './support.ts';

const CARNETS = Number(process.env.PRINT_BENCH_CARNETS ?? 2000);
const BATCH = Number(process.env.PRINT_BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
const CONCURRENCY = 2;
const PAGE_SIZE = 4096;

type Memory = { rss: number; pss: number };

function pssOf(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** RSS and PSS of this process and all its descendants, in bytes (Linux /proc). */
function treeMemory(): Memory {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
      rss.set(pid, Number(fields[21]) * PAGE_SIZE);
    } catch {
      // the process ended while we read it
    }
  }
  const total = { rss: 0, pss: 0 };
  const stack = [process.pid];
  while (stack.length) {
    const pid = stack.pop()!;
    total.rss += rss.get(pid) ?? 0;
    total.pss += pssOf(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs `work` while sampling the tree's RSS; returns its wall time and the peak. */
async function measured(work: () => Promise<void>): Promise<{ seconds: number; peakRssMiB: number; peakPssMiB: number }> {
  const peak = treeMemory();
  const sample = () => {
    const now = treeMemory();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.pss = Math.max(peak.pss, now.pss);
  };
  const timer = setInterval(sample, 100);
  const start = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - start) / 1000;
  sample();
  return { seconds, peakRssMiB: Math.round(peak.rss / 2 ** 20), peakPssMiB: Math.round(peak.pss / 2 ** 20) };
}

function progressBar(p: PrintProgress): void {
  const width = 30;
  const filled = Math.round((p.batchesDone / p.batchesTotal) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.batchesDone}/${p.batchesTotal} batches, ${p.carnetsDone}/${p.carnetsTotal} carnets`);
  if (p.batchesDone === p.batchesTotal) process.stderr.write('\n');
}

const job = printJob(CARNETS, 10, 1, { logos: { pass: { mime: 'image/png', data: PNG_LOGO }, cover: { mime: 'image/png', data: PNG_LOGO } } });
const passes = CARNETS * 10;
const dir = await mkdtemp(join(tmpdir(), 'aptic-print-bench-'));
const renderer = await PdfRenderer.launch(readConfig().chromiumPath);
try {
  await renderer.render(carnetsHtml(job, job.carnets.slice(0, 1))); // warm-up: fonts, first page

  let result: Awaited<ReturnType<typeof renderPrintPdf>> | undefined;
  const pipeline = await measured(async () => {
    result = await renderPrintPdf(renderer, job, { outFile: join(dir, 'order.pdf'), batchSize: BATCH, concurrency: CONCURRENCY, onProgress: progressBar });
  });

  // The same batches' HTML, written to disk beforehand (not timed), printed by the same Chromium.
  const batches = Math.ceil(CARNETS / BATCH);
  for (let i = 0; i < batches; i++) await writeFile(join(dir, `batch-${i}.html`), carnetsHtml(job, job.carnets.slice(i * BATCH, (i + 1) * BATCH)));
  const bare = await measured(async () => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < batches; i = next++) await writeFile(join(dir, `bare-${i}.pdf`), await renderer.render(await readFile(join(dir, `batch-${i}.html`), 'utf8')));
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });

  const rate = passes / pipeline.seconds;
  const bareRate = passes / bare.seconds;
  report('print', {
    carnets: CARNETS,
    passes,
    pages: result?.pages,
    pdfMiB: Math.round((result?.bytes ?? 0) / 2 ** 20),
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    wallSeconds: Number(pipeline.seconds.toFixed(1)),
    passesPerSecond: Math.round(rate),
    peakRssMiB: pipeline.peakRssMiB,
    peakPssMiB: pipeline.peakPssMiB,
    bareChromium: { wallSeconds: Number(bare.seconds.toFixed(1)), passesPerSecond: Math.round(bareRate), peakRssMiB: bare.peakRssMiB, peakPssMiB: bare.peakPssMiB },
    shareOfBareRate: Number((rate / bareRate).toFixed(2)),
    targets: { wallSeconds: 60, peakRssMiB: 1536, shareOfBareRate: 0.8 },
    met: { wall: pipeline.seconds <= 60, rss: pipeline.peakRssMiB <= 1536, pss: pipeline.peakPssMiB <= 1536, share: rate / bareRate >= 0.8 },
  });
} finally {
  await renderer.close();
  await rm(dir, { recursive: true, force: true });
}
