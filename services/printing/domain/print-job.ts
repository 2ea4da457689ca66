import { DomainError } from '@aptic/contracts';

/** A print job's life after the proof is approved: printed, shipped, delivered (then released). */
export const PrintJobStatuses = ['queued', 'printed', 'shipped', 'delivered'] as const;
export type PrintJobStatus = (typeof PrintJobStatuses)[number];

const next: Record<PrintJobStatus, PrintJobStatus | undefined> = { queued: 'printed', printed: 'shipped', shipped: 'delivered', delivered: undefined };

export function assertNext(from: PrintJobStatus, to: PrintJobStatus): void {
  if (next[from] !== to) throw new DomainError('invalid_transition', `Travail d’impression « ${from} » : il ne peut pas passer à « ${to} ».`, { status: 409 });
}
