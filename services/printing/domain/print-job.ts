import { DomainError } from '@aptic/contracts';

/**
 * A print job's life after the proof is approved: its print-ready file rendered (ready), then
 * printed, shipped and delivered (which releases the passes). A file that cannot be rendered after
 * MAX_RENDER_ATTEMPTS tries leaves the job failed, with its reason, until staff queue it again.
 */
export const PrintJobStatuses = ['queued', 'ready', 'failed', 'printed', 'shipped', 'delivered'] as const;
export type PrintJobStatus = (typeof PrintJobStatuses)[number];

const next: Record<PrintJobStatus, readonly PrintJobStatus[]> = {
  queued: ['ready', 'failed'],
  failed: ['queued'],
  ready: ['printed'],
  printed: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
};

export function assertNext(from: PrintJobStatus, to: PrintJobStatus): void {
  if (!next[from].includes(to))
    throw new DomainError(
      'invalid_transition',
      `Travail d’impression « ${from} » : il ne peut pas passer à « ${to} ».`,
      { status: 409 },
    );
}

export const MAX_RENDER_ATTEMPTS = 5;

/** After a failed render, the job waits before its next try (30 s, doubled each time, at most an hour): the queue goes on. */
export function renderRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
