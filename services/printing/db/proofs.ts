import { randomUUID } from 'node:crypto';
import { and, asc, eq, lt, type SQL } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { addDays, type Emit, type Page, type Queryable, type Tx } from '@aptic/runtime';
import { addWorkingDays } from '../domain/calendar.ts';
import {
  PRINT_WORKING_DAYS,
  PROOF_ANSWER_DAYS,
  assertAwaitingAnswer,
  assertLogosUploaded,
  assertMaySend,
} from '../domain/proof.ts';
import { MAX_RENDER_ATTEMPTS, assertNext, renderRetryDelayMs, type PrintJobStatus } from '../domain/print-job.ts';
import { audit, findPrintOrder, releaseCarnets } from './issuance.ts';
import { uploadedLogoSlots } from './logos.ts';
import { printJobs, printOrders, proofs } from './schema.ts';

type Proof = typeof proofs.$inferSelect;
export type PrintJob = typeof printJobs.$inferSelect;

const notPaid = () =>
  new DomainError(
    'order_not_paid',
    'Cette commande n’est pas (encore) payée : pas de BAT ni d’impression avant le paiement.',
    { status: 409 },
  );

/** Sends a new proof (BAT) of a paid order; the funder has 7 days to answer. */
export async function sendProof(tx: Tx, orderId: string, today: string, actor: string): Promise<Proof> {
  const [order] = await tx.select().from(printOrders).where(eq(printOrders.orderId, orderId)).for('update');
  if (!order) throw notPaid();
  assertLogosUploaded(order.options, await uploadedLogoSlots(tx, orderId));
  const previous = await tx.select().from(proofs).where(eq(proofs.orderId, orderId)).orderBy(asc(proofs.version));
  assertMaySend(previous.map((p) => p.status));
  const [proof] = await tx
    .insert(proofs)
    .values({
      id: randomUUID(),
      orderId,
      version: previous.length + 1,
      status: 'sent',
      sentOn: today,
      answerDueOn: addDays(today, PROOF_ANSWER_DAYS),
    })
    .returning();
  await audit(tx, {
    entity: 'order',
    entityId: orderId,
    scopeId: orderId,
    action: 'proof:send',
    actor,
    details: { version: proof!.version },
  });
  return proof!;
}

export async function findProof(db: Queryable, id: string): Promise<Proof & { funderId: string }> {
  const [row] = await db
    .select({ proof: proofs, funderId: printOrders.funderId })
    .from(proofs)
    .innerJoin(printOrders, eq(printOrders.orderId, proofs.orderId))
    .where(eq(proofs.id, id));
  if (!row) throw new DomainError('unknown_proof', 'BAT inconnu.', { status: 404 });
  return { ...row.proof, funderId: row.funderId };
}

/** The funder's answer. Approval queues the print job, due 15 working days later. */
export async function answerProof(
  tx: Tx,
  id: string,
  answer: { approved: boolean; comments?: string },
  today: string,
  actor: string,
): Promise<{ proof: Proof; job?: PrintJob }> {
  const current = await findProof(tx, id);
  assertAwaitingAnswer(current.status);
  const [proof] = await tx
    .update(proofs)
    .set({ status: answer.approved ? 'approved' : 'rejected', answeredBy: actor, comments: answer.comments ?? null })
    .where(and(eq(proofs.id, id), eq(proofs.status, 'sent')))
    .returning();
  if (!proof) throw new DomainError('proof_already_answered', 'Ce BAT vient de recevoir une réponse.', { status: 409 });
  await audit(tx, {
    entity: 'order',
    entityId: proof.orderId,
    scopeId: proof.orderId,
    action: answer.approved ? 'proof:approve' : 'proof:reject',
    actor,
    details: { version: proof.version, comments: answer.comments },
  });
  if (!answer.approved) return { proof };
  const [job] = await tx
    .insert(printJobs)
    .values({
      id: randomUUID(),
      orderId: proof.orderId,
      status: 'queued',
      approvedOn: today,
      expectedDeliveryOn: addWorkingDays(today, PRINT_WORKING_DAYS),
    })
    .returning();
  return { proof, job: job! };
}

/** Proofs unanswered past their due date expire (the hourly sweep); the funder is reminded. */
export async function expireProofs(tx: Tx, emit: Emit, today: string): Promise<number> {
  const stale = await tx
    .select()
    .from(proofs)
    .where(and(eq(proofs.status, 'sent'), lt(proofs.answerDueOn, today)))
    .for('update', { skipLocked: true });
  for (const proof of stale) {
    const { funderId } = await findPrintOrder(tx, proof.orderId);
    await tx.update(proofs).set({ status: 'expired' }).where(eq(proofs.id, proof.id));
    await emit('proof.expired', { proofId: proof.id, orderId: proof.orderId, funderId, version: proof.version });
    await audit(tx, {
      entity: 'order',
      entityId: proof.orderId,
      scopeId: proof.orderId,
      action: 'proof:expire',
      actor: 'system: proof sweep',
      details: { version: proof.version },
    });
  }
  return stale.length;
}

/** The print partner's steps; delivery releases the order's carnets. */
export async function advanceJob(
  tx: Tx,
  emit: Emit,
  id: string,
  to: PrintJobStatus,
  details: Partial<
    Pick<
      PrintJob,
      | 'carrier'
      | 'tracking'
      | 'deliveryPoint'
      | 'file'
      | 'fileBytes'
      | 'filePages'
      | 'fileSha256'
      | 'renderAttempts'
      | 'renderRetryAt'
      | 'renderError'
    >
  >,
  actor: string,
): Promise<PrintJob> {
  const [job] = await tx.select().from(printJobs).where(eq(printJobs.id, id)).for('update');
  if (!job) throw new DomainError('unknown_print_job', 'Travail d’impression inconnu.', { status: 404 });
  assertNext(job.status, to);
  const [moved] = await tx
    .update(printJobs)
    .set({ status: to, ...details, updatedAt: new Date() })
    .where(eq(printJobs.id, id))
    .returning();
  await audit(tx, {
    entity: 'order',
    entityId: job.orderId,
    scopeId: job.orderId,
    action: `job:${to}`,
    actor,
    details,
  });
  if (to === 'delivered') await releaseCarnets(tx, emit, job.orderId, 'delivered', actor);
  return moved!;
}

/** Print jobs by status or order, oldest approval first. */
export function listJobs(
  db: Queryable,
  filter: { status?: PrintJobStatus; orderId?: string; partnerId?: string },
  page: Page,
): Promise<PrintJob[]> {
  const where: SQL[] = [];
  if (filter.partnerId) where.push(eq(printJobs.partnerId, filter.partnerId));
  if (filter.status) where.push(eq(printJobs.status, filter.status));
  if (filter.orderId) where.push(eq(printJobs.orderId, filter.orderId));
  const query = db
    .select()
    .from(printJobs)
    .where(and(...where));
  return query.orderBy(asc(printJobs.approvedOn), asc(printJobs.id)).limit(page.limit).offset(page.offset);
}

export async function findJob(db: Queryable, id: string): Promise<PrintJob> {
  const [job] = await db.select().from(printJobs).where(eq(printJobs.id, id));
  if (!job) throw new DomainError('unknown_print_job', 'Travail d’impression inconnu.', { status: 404 });
  return job;
}

/**
 * A render that failed: the job tries again later (backing off), and after MAX_RENDER_ATTEMPTS
 * tries it is failed with its reason, for staff to look at and queue again.
 */
export async function renderFailed(tx: Tx, emit: Emit, job: PrintJob, reason: string): Promise<void> {
  const attempts = job.renderAttempts + 1;
  const renderError = reason.slice(0, 1_000);
  if (attempts >= MAX_RENDER_ATTEMPTS) {
    await advanceJob(
      tx,
      emit,
      job.id,
      'failed',
      { renderAttempts: attempts, renderRetryAt: null, renderError },
      'system: print file render failed',
    );
    return;
  }
  await tx
    .update(printJobs)
    .set({
      renderAttempts: attempts,
      renderRetryAt: new Date(Date.now() + renderRetryDelayMs(attempts)),
      renderError,
      updatedAt: new Date(),
    })
    .where(and(eq(printJobs.id, job.id), eq(printJobs.status, 'queued')));
}

/** Staff queue a failed job again (the cause fixed): it gets its tries anew. */
export const requeueJob = (tx: Tx, emit: Emit, id: string, actor: string) =>
  advanceJob(tx, emit, id, 'queued', { renderAttempts: 0, renderRetryAt: null, renderError: null }, actor);
