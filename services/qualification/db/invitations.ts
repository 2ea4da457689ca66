import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Page, Queryable, Tx } from '@aptic/runtime';
import { assertInvitationMove, type DirectoryRow, type InvitationStatus, prefillFrom } from '../domain/invitation.ts';
import type { PlaceInput } from '../domain/place.ts';
import { audit } from './audit.ts';
import { createPlace, type Place } from './places.ts';
import { invitations, places } from './schema.ts';

export type Invitation = typeof invitations.$inferSelect;

const unknown = () =>
  new DomainError('unknown_invitation', 'Invitation inconnue.', { status: 404, field: 'invitationId' });

async function lockInvitation(tx: Tx, id: string): Promise<Invitation> {
  const [row] = await tx.select().from(invitations).where(eq(invitations.id, id)).for('update');
  if (!row) throw unknown();
  return row;
}

async function move(
  tx: Tx,
  invitation: Invitation,
  to: InvitationStatus,
  actor: string,
  reason?: string,
): Promise<Invitation> {
  assertInvitationMove(invitation.status, to);
  const [row] = await tx
    .update(invitations)
    .set({ status: to, updatedAt: new Date(), ...(reason ? { reason } : {}) })
    .where(eq(invitations.id, invitation.id))
    .returning();
  await audit(tx, {
    entity: 'invitation',
    entityId: invitation.id,
    scopeId: invitation.placeId,
    action: `move:${to}`,
    fromStatus: invitation.status,
    toStatus: to,
    actor,
    ...(reason ? { details: { reason } } : {}),
  });
  return row!;
}

/** Staff invite a directory place (not qualified, not applying) to apply; its application is pre-filled from the row. */
export async function invite(tx: Tx, row: DirectoryRow, actor: string): Promise<Invitation> {
  const [registered] = await tx.select({ id: places.id }).from(places).where(eq(places.id, row.placeId));
  if (registered)
    throw new DomainError(
      'place_already_registered',
      'Ce lieu a déjà déposé sa candidature : il n’y a pas lieu de l’inviter.',
      { status: 409, field: 'placeId' },
    );
  const [created] = await tx
    .insert(invitations)
    .values({ id: randomUUID(), placeId: row.placeId, status: 'invited', prefill: prefillFrom(row), invitedBy: actor })
    .onConflictDoNothing()
    .returning();
  if (!created)
    throw new DomainError('invitation_open', 'Ce lieu a déjà une invitation en cours.', {
      status: 409,
      field: 'placeId',
    });
  await audit(tx, {
    entity: 'invitation',
    entityId: created.id,
    scopeId: row.placeId,
    action: 'invite',
    toStatus: 'invited',
    actor,
    details: { name: row.name },
  });
  return created;
}

/** The invited place applies: its application (the pre-fill, completed or corrected) is registered. */
export async function applyFromInvitation(
  tx: Tx,
  id: string,
  application: PlaceInput,
  actor: string,
): Promise<{ invitation: Invitation; place: Place }> {
  const invitation = await lockInvitation(tx, id);
  assertInvitationMove(invitation.status, 'applied');
  const place = await createPlace(tx, { ...application, directoryId: invitation.placeId }, actor);
  return { invitation: await move(tx, invitation, 'applied', actor), place };
}

export async function declineInvitation(tx: Tx, id: string, reason: string, actor: string): Promise<Invitation> {
  return move(tx, await lockInvitation(tx, id), 'declined', actor, reason);
}

/** The place of an invitation under way is qualified: so is its invitation (same transaction). */
export async function invitationQualified(tx: Tx, placeId: string, actor: string): Promise<void> {
  const [open] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.placeId, placeId), eq(invitations.status, 'applied')))
    .for('update');
  if (open) await move(tx, open, 'qualified', actor);
}

export async function findInvitation(db: Queryable, id: string): Promise<Invitation> {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
  if (!row) throw unknown();
  return row;
}

export function listInvitations(db: Queryable, statuses: InvitationStatus[], page: Page): Promise<Invitation[]> {
  const query = db.select().from(invitations);
  return (statuses.length ? query.where(inArray(invitations.status, statuses)) : query)
    .orderBy(desc(invitations.invitedAt), desc(invitations.id))
    .limit(page.limit)
    .offset(page.offset);
}
