import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Queryable, Tx } from '@aptic/runtime';
import type { PrintJobStatus } from '../domain/print-job.ts';
import { audit } from './issuance.ts';
import { printJobs, printPartners } from './schema.ts';
import type { PrintJob } from './proofs.ts';

export type PrintPartner = typeof printPartners.$inferSelect;

export async function createPartner(tx: Tx, name: string, actor: string): Promise<PrintPartner> {
  const [partner] = await tx.insert(printPartners).values({ id: randomUUID(), name }).onConflictDoNothing().returning();
  if (!partner)
    throw new DomainError('print_partner_exists', `Un imprimeur « ${name} » existe déjà.`, {
      status: 409,
      field: 'name',
    });
  await audit(tx, {
    entity: 'print_partner',
    entityId: partner.id,
    scopeId: partner.id,
    action: 'create',
    actor,
    details: { name },
  });
  return partner;
}

export const listPartners = (db: Queryable) => db.select().from(printPartners).orderBy(printPartners.name);

/** A job goes to one print partner, chosen by staff before it is printed (a reassignment is audited too). */
const ASSIGNABLE: PrintJobStatus[] = ['queued', 'ready'];

export async function assignJob(tx: Tx, jobId: string, partnerId: string, actor: string): Promise<PrintJob> {
  const [partner] = await tx.select().from(printPartners).where(eq(printPartners.id, partnerId));
  if (!partner)
    throw new DomainError('unknown_print_partner', 'Imprimeur inconnu.', { status: 422, field: 'partnerId' });
  const [job] = await tx
    .update(printJobs)
    .set({ partnerId, updatedAt: new Date() })
    .where(and(eq(printJobs.id, jobId), inArray(printJobs.status, ASSIGNABLE)))
    .returning();
  if (!job) {
    const [existing] = await tx.select().from(printJobs).where(eq(printJobs.id, jobId));
    if (!existing) throw new DomainError('unknown_print_job', 'Travail d’impression inconnu.', { status: 404 });
    throw new DomainError('job_already_printed', 'Ce travail est déjà imprimé : il ne change plus d’imprimeur.', {
      status: 409,
    });
  }
  await audit(tx, {
    entity: 'order',
    entityId: job.orderId,
    scopeId: job.orderId,
    action: 'job:assign',
    actor,
    details: { jobId, partnerId, partner: partner.name },
  });
  return job;
}

/** The print partner an order's job is assigned to, if any: whose token may see the order's files and mailings. */
export async function partnerOfOrder(db: Queryable, orderId: string): Promise<string | null> {
  const [job] = await db
    .select({ partnerId: printJobs.partnerId })
    .from(printJobs)
    .where(eq(printJobs.orderId, orderId));
  return job?.partnerId ?? null;
}
