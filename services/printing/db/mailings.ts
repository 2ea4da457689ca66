import { randomUUID } from 'node:crypto';
import { and, asc, eq, notInArray, sql } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Queryable, Tx } from '@aptic/runtime';
import type { LineError, Recipient } from '../domain/recipients.ts';
import { audit, findPrintOrder } from './issuance.ts';
import { carnets, mailingRecipients, mailings } from './schema.ts';

export type Mailing = typeof mailings.$inferSelect;

/**
 * Creates a mailing: each beneficiary gets one of the order's carnets not yet mailed, in number
 * order. Any bad line refuses the whole file, listing every line's problem.
 */
export async function createMailing(
  tx: Tx,
  orderId: string,
  read: { recipients: Recipient[]; errors: LineError[] },
  actor: string,
): Promise<Mailing> {
  const order = await findPrintOrder(tx, orderId);
  if (order.offer === 'standard')
    throw new DomainError(
      'distribution_requires_plus',
      'L’envoi aux bénéficiaires fait partie des offres Plus et Premium.',
      { status: 409 },
    );
  if (read.errors.length > 0) {
    throw new DomainError(
      'invalid_addresses',
      `${read.errors.length} ligne(s) à corriger : ${read.errors
        .slice(0, 20)
        .map((e) => `ligne ${e.line} (${e.field}) : ${e.message}`)
        .join(' ; ')}`,
      { status: 422, field: 'fichier' },
    );
  }
  if (read.recipients.length === 0)
    throw new DomainError('no_recipients', 'Le fichier ne contient aucun destinataire.', {
      status: 422,
      field: 'fichier',
    });
  const mailed = tx.select({ n: mailingRecipients.carnetNumber }).from(mailingRecipients);
  const free = await tx
    .select({ number: carnets.number })
    .from(carnets)
    .where(and(eq(carnets.orderId, orderId), notInArray(carnets.number, mailed)))
    .orderBy(asc(carnets.number))
    .limit(read.recipients.length)
    .for('update');
  if (free.length < read.recipients.length)
    throw new DomainError(
      'not_enough_carnets',
      `${read.recipients.length} destinataires pour ${free.length} carnet(s) disponibles.`,
      { status: 422, field: 'fichier' },
    );
  const [mailing] = await tx
    .insert(mailings)
    .values({ id: randomUUID(), orderId, status: 'draft', recipients: read.recipients.length })
    .returning();
  await tx
    .insert(mailingRecipients)
    .values(read.recipients.map((r, i) => ({ mailingId: mailing!.id, carnetNumber: free[i]!.number, ...r })));
  await audit(tx, {
    entity: 'order',
    entityId: orderId,
    scopeId: orderId,
    action: 'mailing:create',
    actor,
    details: { mailingId: mailing!.id, recipients: read.recipients.length },
  });
  return mailing!;
}

export async function findMailing(db: Queryable, id: string): Promise<Mailing> {
  const [mailing] = await db.select().from(mailings).where(eq(mailings.id, id));
  if (!mailing) throw new DomainError('unknown_mailing', 'Envoi inconnu.', { status: 404 });
  return mailing;
}

export async function recipientsOf(db: Queryable, mailingId: string) {
  return db
    .select()
    .from(mailingRecipients)
    .where(eq(mailingRecipients.mailingId, mailingId))
    .orderBy(asc(mailingRecipients.line));
}

/** The mailing was sent: the addresses are no longer needed, so they are erased (the purge is logged). */
export async function markSent(tx: Tx, id: string, actor: string): Promise<Mailing> {
  const [mailing] = await tx
    .update(mailings)
    .set({ status: 'sent', sentAt: new Date() })
    .where(and(eq(mailings.id, id), eq(mailings.status, 'draft')))
    .returning();
  if (!mailing) {
    await findMailing(tx, id);
    throw new DomainError('mailing_already_sent', 'Cet envoi est déjà marqué envoyé (adresses effacées).', {
      status: 409,
    });
  }
  const purged = await tx
    .update(mailingRecipients)
    .set({ name: null, line1: null, line2: null, postalCode: null, city: null })
    .where(and(eq(mailingRecipients.mailingId, id), sql`${mailingRecipients.name} IS NOT NULL`))
    .returning({ line: mailingRecipients.line });
  await audit(tx, {
    entity: 'order',
    entityId: mailing.orderId,
    scopeId: mailing.orderId,
    action: 'mailing:sent-and-purged',
    actor,
    details: { mailingId: id, addressesPurged: purged.length },
  });
  return mailing;
}
