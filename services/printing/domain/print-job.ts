import { DomainError } from '@aptic/contracts';

/**
 * A print job's life after the proof is approved: its print-ready file rendered (ready), then
 * printed, shipped and delivered (which releases the passes).
 */
export const PrintJobStatuses = ['queued', 'ready', 'printed', 'shipped', 'delivered'] as const;
export type PrintJobStatus = (typeof PrintJobStatuses)[number];

const next: Record<PrintJobStatus, PrintJobStatus | undefined> = { queued: 'ready', ready: 'printed', printed: 'shipped', shipped: 'delivered', delivered: undefined };

export function assertNext(from: PrintJobStatus, to: PrintJobStatus): void {
  if (next[from] !== to) throw new DomainError('invalid_transition', `Travail d’impression « ${from} » : il ne peut pas passer à « ${to} ».`, { status: 409 });
}
