import { asc, eq, or, sql } from 'drizzle-orm';
import { auditWriter, type Queryable, type Tx } from '@aptic/runtime';
import { auditLog, creditNotes, documentCounters, invoices } from './schema.ts';

/**
 * Next number of the year's single invoice/credit-note sequence. The upsert locks the year's
 * counter row until the transaction ends, so numbers are gapless and in commit order.
 */
export async function nextDocumentNumber(tx: Tx, prefix: 'FA' | 'AV', issuedOn: string): Promise<string> {
  const year = Number(issuedOn.slice(0, 4));
  const [row] = await tx
    .insert(documentCounters)
    .values({ year, last: 1 })
    .onConflictDoUpdate({ target: documentCounters.year, set: { last: sql`${documentCounters.last} + 1` } })
    .returning({ last: documentCounters.last });
  return `${prefix}-${year}-${String(row!.last).padStart(6, '0')}`;
}

/** Writes ordering's audit rows. */
export const audit = auditWriter<'funder' | 'order' | 'invoice' | 'payment' | 'credit_note' | 'kit_sponsorship'>(auditLog);

/** The audit trail of an order and of the documents attached to it, oldest first. */
export async function orderAudit(db: Queryable, orderId: string) {
  return db
    .select()
    .from(auditLog)
    .where(
      or(
        eq(auditLog.entityId, orderId),
        sql`${auditLog.details}->>'orderId' = ${orderId}`,
        sql`${auditLog.entityId} IN (SELECT id FROM ${invoices} WHERE ${invoices.orderId} = ${orderId})`,
        sql`${auditLog.entityId} IN (SELECT id FROM ${creditNotes} WHERE ${creditNotes.orderId} = ${orderId})`,
      ),
    )
    .orderBy(asc(auditLog.seq));
}
