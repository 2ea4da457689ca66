import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import { feedbackCode, passCode, territory } from '@aptic/contracts';
import { passCodeKey, type ServiceContext } from '@aptic/runtime';
import { renderPrintPdf } from '../documents/carnet-pdf.ts';
import type { PrintCarnet, PrintJob as PrintDocument } from '../documents/carnet-html.ts';
import { perimeterLabel, type TerritoryNames } from '../domain/perimeter-label.ts';
import { advanceJob, renderFailed } from './proofs.ts';
import { logosOf } from './logos.ts';
import { passes, printJobs, printOrders } from './schema.ts';

/** The order as the print file shows it: funder, validity, perimeter, carnets and their codes (made again from the key). */
async function printDocument(ctx: ServiceContext, orderId: string, key: string): Promise<PrintDocument> {
  const [order] = await ctx.db.select().from(printOrders).where(eq(printOrders.orderId, orderId));
  const rows = await ctx.db
    .select({ carnet: passes.carnetNumber, position: passes.position })
    .from(passes)
    .where(eq(passes.orderId, orderId))
    .orderBy(asc(passes.carnetNumber), asc(passes.position));
  const carnets = new Map<number, PrintCarnet['passes']>();
  for (const r of rows)
    carnets.set(r.carnet, [
      ...(carnets.get(r.carnet) ?? []),
      {
        position: r.position,
        code: passCode(key, r.carnet, r.position),
        feedbackCode: feedbackCode(key, r.carnet, r.position),
      },
    ]);
  return {
    orderId,
    funderName: order!.funderName,
    validFrom: order!.rules.validFrom,
    validUntil: order!.rules.validUntil,
    perimeterLabel: perimeterLabel(order!.rules.perimeter, territoryNames()),
    carnetSize: order!.carnetSize as 5 | 10,
    carnets: [...carnets].map(([number, list]) => ({ number, passes: list })),
    logos: await logosOf(ctx.db, orderId),
    feedbackUrl: ctx.config.feedbackUrl,
  };
}

/** The territory lookup's names, loaded on the first print file. */
function territoryNames(): TerritoryNames {
  const names = territory();
  return {
    departementNom: names.departementNom,
    epciNom: names.epciNom,
    communeNom: (code) => names.commune(code)?.nom,
  };
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Renders queued print jobs, one at a time, with the service's Chromium. A crash
 * mid-render resumes from the batches already on disk (the renderer's manifest).
 */
export function printFileRenderer(ctx: ServiceContext, folder: string) {
  const progress = new Map<string, { carnetsDone: number; carnetsTotal: number }>();
  const key = passCodeKey(ctx.config);
  return {
    progress: (jobId: string) => progress.get(jobId),
    /** The oldest queued job not waiting after a failure: one that fails never holds back the others. */
    async renderNext(): Promise<void> {
      const due = or(isNull(printJobs.renderRetryAt), lte(printJobs.renderRetryAt, new Date()));
      const [job] = await ctx.db
        .select()
        .from(printJobs)
        .where(and(eq(printJobs.status, 'queued'), due))
        .orderBy(asc(printJobs.approvedOn))
        .limit(1);
      if (!job) return;
      try {
        await render(job);
      } catch (err) {
        await ctx.transaction((tx, emit) =>
          renderFailed(tx, emit, job, err instanceof Error ? err.message : String(err)),
        );
      }
    },
  };

  async function render(job: typeof printJobs.$inferSelect): Promise<void> {
    await mkdir(folder, { recursive: true });
    const outFile = join(folder, `${job.orderId}.pdf`);
    const printer = await ctx.pdf();
    const result = await renderPrintPdf(printer, await printDocument(ctx, job.orderId, key), {
      outFile,
      workDir: join(folder, `${job.orderId}.parts`),
      onProgress: (p) => progress.set(job.id, { carnetsDone: p.carnetsDone, carnetsTotal: p.carnetsTotal }),
    });
    const details = {
      file: result.file,
      fileBytes: result.bytes,
      filePages: result.pages,
      fileSha256: await sha256(result.file),
    };
    await ctx.transaction((tx, emit) =>
      advanceJob(
        tx,
        emit,
        job.id,
        'ready',
        { ...details, renderRetryAt: null, renderError: null },
        'system: print file rendered',
      ),
    );
  }
}
