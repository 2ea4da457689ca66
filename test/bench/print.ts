/**
 * Print PDF benchmark: 2,000 carnets of 10 (20,000 passes, 22,000 pages) to one print-ready PDF
 * through renderPrintPdf (layout + barcodes + Chromium + part files + join), beside the same
 * Chromium printing the same HTML pre-rendered to disk, with the same options and concurrency (no
 * layout, no barcodes, no manifest, no join): the bare-Chromium rate the pipeline is measured against.
 *
 * Peak memory is the whole process tree's (Node + Chromium's processes), because
 * Chromium's memory is where a too-large batch would show. Two sums are reported: RSS (counts the
 * pages Chromium's processes share once per process, so it overstates), sampled every 100 ms from
 * /proc/<pid>/statm, and PSS (shares split between the processes: the tree's real footprint),
 * sampled once a second from smaps_rollup, which costs the kernel 2–3 ms a process to compute:
 * every 100 ms it took a quarter of a core from the run it measured. CPU seconds (user + system,
 * the whole tree) are reported too: on a shared machine they vary less than wall time.
 *
 * Targets: ≤ 60 s wall, peak RSS ≤ 1.5 GB, ≥ 80 % of the bare-Chromium rate.
 * PRINT_BENCH_CARNETS=200 scales it down (default 2000); PRINT_BENCH_BATCH sets carnets per batch,
 * PRINT_BENCH_CONCURRENCY batches in flight.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdfRenderer, readConfig } from '@aptic/runtime';
import { carnetsHtml } from '../../services/printing/documents/carnet-html.ts';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  PRINT_RENDER_OPTIONS,
  renderPrintPdf,
  type PrintProgress,
} from '../../services/printing/documents/carnet-pdf.ts';
import { PNG_LOGO, printJob } from '../../services/printing/documents/fixtures.ts';
import { report } from './support.ts';

const CARNETS = Number(process.env.PRINT_BENCH_CARNETS ?? 2000);
const BATCH = Number(process.env.PRINT_BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
const CONCURRENCY = Number(process.env.PRINT_BENCH_CONCURRENCY ?? DEFAULT_CONCURRENCY);
const PAGE_SIZE = 4096;
const CLOCK_TICKS = 100;
const SAMPLE_MS = 100;
const PSS_EVERY = 10;

/** A /proc file of a process that may have ended meanwhile: '' then. */
function proc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** This process and all its descendants (children are listed per thread: Chromium forks from several). */
function tree(): number[] {
  const pids = [process.pid];
  for (let i = 0; i < pids.length; i++) {
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue; // ended
    }
    for (const tid of threads)
      pids.push(...proc(pids[i]!, `task/${tid}/children`).split(' ').filter(Boolean).map(Number));
  }
  return pids;
}

const sum = (pids: number[], of: (pid: number) => number) => pids.reduce((total, pid) => total + of(pid), 0);
const rssOf = (pid: number) => Number(proc(pid, 'statm').split(' ')[1] ?? 0) * PAGE_SIZE;
const pssOf = (pid: number) => Number(/^Pss:\s+(\d+) kB/m.exec(proc(pid, 'smaps_rollup'))?.[1] ?? 0) * 1024;

/** CPU seconds of the tree: each process's own, and the reaped children's it waited for. */
function treeCpuSeconds(): number {
  return sum(tree(), (pid) => {
    const stat = proc(pid, 'stat');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((total, i) => total + Number(fields[i] ?? 0), 0) / CLOCK_TICKS;
  });
}

type Measured = { seconds: number; cpuSeconds: number; peakRssMiB: number; peakPssMiB: number };

/** Runs `work` while sampling the tree's memory; returns its wall and CPU time and the peaks. */
async function measured(work: () => Promise<void>): Promise<Measured> {
  const peak = { rss: 0, pss: 0 };
  let samples = 0;
  const sample = () => {
    const pids = tree();
    peak.rss = Math.max(peak.rss, sum(pids, rssOf));
    if (samples++ % PSS_EVERY === 0) peak.pss = Math.max(peak.pss, sum(pids, pssOf));
  };
  sample();
  const cpu = treeCpuSeconds();
  const timer = setInterval(sample, SAMPLE_MS);
  const start = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = treeCpuSeconds() - cpu;
  samples = 0;
  sample();
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  return {
    seconds: Number(seconds.toFixed(1)),
    cpuSeconds: Number(cpuSeconds.toFixed(1)),
    peakRssMiB: mib(peak.rss),
    peakPssMiB: mib(peak.pss),
  };
}

function progressBar(p: PrintProgress): void {
  const width = 30;
  const filled = Math.round((p.batchesDone / p.batchesTotal) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.batchesDone}/${p.batchesTotal} batches, ${p.carnetsDone}/${p.carnetsTotal} carnets`,
  );
  if (p.batchesDone === p.batchesTotal) process.stderr.write('\n');
}

const job = printJob(CARNETS, 10, 1, {
  logos: { pass: { mime: 'image/png', data: PNG_LOGO }, cover: { mime: 'image/png', data: PNG_LOGO } },
});
const passes = CARNETS * 10;
const dir = await mkdtemp(join(tmpdir(), 'aptic-print-bench-'));
const renderer = await PdfRenderer.launch(readConfig().chromiumPath);
try {
  await renderer.render(carnetsHtml(job, job.carnets.slice(0, 1)), PRINT_RENDER_OPTIONS); // warm-up: fonts, first page

  let result: Awaited<ReturnType<typeof renderPrintPdf>> | undefined;
  const pipeline = await measured(async () => {
    result = await renderPrintPdf(renderer, job, {
      outFile: join(dir, 'order.pdf'),
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      onProgress: progressBar,
    });
  });

  // The same batches' HTML, written to disk beforehand (not timed), printed by the same Chromium
  // with the same options: no layout in Node, no barcodes, no manifest, no merge.
  const batches = Math.ceil(CARNETS / BATCH);
  for (let i = 0; i < batches; i++)
    await writeFile(join(dir, `batch-${i}.html`), carnetsHtml(job, job.carnets.slice(i * BATCH, (i + 1) * BATCH)));
  const bare = await measured(async () => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < batches; i = next++) {
        await writeFile(
          join(dir, `bare-${i}.pdf`),
          await renderer.render(await readFile(join(dir, `batch-${i}.html`), 'utf8'), PRINT_RENDER_OPTIONS),
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });

  const rate = passes / pipeline.seconds;
  const bareRate = passes / bare.seconds;
  const { seconds: wallSeconds, ...pipelineFigures } = pipeline;
  report(
    'print',
    {
      carnets: CARNETS,
      passes,
      pages: result?.pages,
      pdfMiB: Math.round((result?.bytes ?? 0) / 2 ** 20),
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      wallSeconds,
      passesPerSecond: Math.round(rate),
      ...pipelineFigures,
      bareChromium: {
        wallSeconds: bare.seconds,
        passesPerSecond: Math.round(bareRate),
        cpuSeconds: bare.cpuSeconds,
        peakRssMiB: bare.peakRssMiB,
        peakPssMiB: bare.peakPssMiB,
      },
      shareOfBareRate: Number((rate / bareRate).toFixed(2)),
      targets: { wallSeconds: 60, peakRssMiB: 1536, shareOfBareRate: 0.8 },
      met: {
        wall: wallSeconds <= 60,
        rss: pipeline.peakRssMiB <= 1536,
        pss: pipeline.peakPssMiB <= 1536,
        share: rate / bareRate >= 0.8,
      },
    },
    [
      {
        figure: `${passes} passes printed in ${wallSeconds} s, peak RSS ${pipeline.peakRssMiB} MiB (PSS ${pipeline.peakPssMiB})`,
        target: '≤ 60 s, ≤ 1.5 GB, ≥ 80 % of bare Chromium',
        floor: `bare Chromium printing the same HTML: ${bare.seconds} s`,
        ratio: `${(rate / bareRate).toFixed(2)} of bare rate`,
        met: wallSeconds <= 60 && pipeline.peakRssMiB <= 1536 && rate / bareRate >= 0.8,
      },
    ],
  );
} finally {
  await renderer.close();
  await rm(dir, { recursive: true, force: true });
}
