import { sql } from 'drizzle-orm';
import { auditTrail, auditWriter, type Queryable, type Tx } from '@aptic/runtime';
import { auditLog, documentCounters } from './schema.ts';

/**
 * Next number of a series (FA invoices, AV credit notes) for the year. The upsert locks the
 * series' counter row until the transaction ends, so each series is gapless and in commit order.
 */
export async function nextDocumentNumber(tx: Tx, series: 'FA' | 'AV', issuedOn: string): Promise<string> {
  const year = Number(issuedOn.slice(0, 4));
  const [row] = await tx
    .insert(documentCounters)
    .values({ series, year, last: 1 })
    .onConflictDoUpdate({
      target: [documentCounters.series, documentCounters.year],
      set: { last: sql`${documentCounters.last} + 1` },
    })
    .returning({ last: documentCounters.last });
  return `${series}-${year}-${String(row!.last).padStart(6, '0')}`;
}

/** Writes ordering's audit rows. */
export const audit = auditWriter<'funder' | 'order' | 'invoice' | 'payment' | 'credit_note' | 'kit_sponsorship'>(
  auditLog,
);

/** The audit trail of an order and of the documents attached to it, oldest first. */
export const orderAudit = (db: Queryable, orderId: string) => auditTrail(db, auditLog, orderId);
