import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import type { Emit, Queryable, Tx } from '@aptic/runtime';
import { questionnaire, score, type Answers } from '../domain/questionnaire.ts';
import { CURRENT_CHARTER, checkCharterVersion } from '../domain/charter.ts';
import { audit } from './audit.ts';
import { invitationQualified } from './invitations.ts';
import { endKit, liveKit } from './kits.ts';
import { activeKiosks, revokeKiosk } from './kiosks.ts';
import { announceQualified, emitAboutPlace, lockPlace, movePlace, type Place } from './places.ts';
import { assessments, charterSignatures } from './schema.ts';

export type Assessment = typeof assessments.$inferSelect;
export type CharterSignature = typeof charterSignatures.$inferSelect;

/** Scores the place's answers and records the proposal; staff decide next. */
export async function submitQuestionnaire(
  tx: Tx,
  placeId: string,
  input: { version: string; answers: Answers },
  actor: string,
): Promise<Assessment> {
  const result = score(questionnaire(input.version), input.answers);
  const place = await lockPlace(tx, placeId);
  const [row] = await tx
    .insert(assessments)
    .values({
      id: randomUUID(),
      placeId,
      questionnaireVersion: result.version,
      answers: input.answers,
      themeScores: result.themes,
      overallScore: result.overall,
      proposal: result.proposal,
      reasons: result.reasons,
      submittedBy: actor,
    })
    .returning();
  await audit(tx, {
    entity: 'assessment',
    entityId: row!.id,
    scopeId: placeId,
    action: 'score',
    actor,
    details: { version: result.version, overall: result.overall, themes: result.themes, proposal: result.proposal },
  });
  await movePlace(tx, place, 'assessed', actor, { assessmentId: row!.id });
  return row!;
}

export async function latestAssessment(db: Queryable, placeId: string): Promise<Assessment | undefined> {
  const [row] = await db
    .select()
    .from(assessments)
    .where(eq(assessments.placeId, placeId))
    .orderBy(desc(assessments.submittedAt))
    .limit(1);
  return row;
}

export async function signCharter(
  tx: Tx,
  placeId: string,
  input: { version: string; signedOn: string; signerName: string; signerRole?: string },
  actor: string,
): Promise<CharterSignature> {
  checkCharterVersion(input.version);
  const place = await lockPlace(tx, placeId);
  if (place.status === 'revoked') throw new DomainError('place_revoked', 'Le lieu est révoqué.', { status: 409 });
  const [row] = await tx
    .insert(charterSignatures)
    .values({
      id: randomUUID(),
      placeId,
      version: input.version,
      signedOn: input.signedOn,
      signerName: input.signerName.trim(),
      signerRole: input.signerRole ?? null,
      recordedBy: actor,
    })
    .returning();
  await audit(tx, {
    entity: 'charter',
    entityId: row!.id,
    scopeId: placeId,
    action: 'sign',
    actor,
    details: { version: input.version, signedOn: input.signedOn, signerName: row!.signerName },
  });
  return row!;
}

async function currentCharter(db: Queryable, placeId: string): Promise<CharterSignature | undefined> {
  const [row] = await db
    .select()
    .from(charterSignatures)
    .where(and(eq(charterSignatures.placeId, placeId), eq(charterSignatures.version, CURRENT_CHARTER)))
    .orderBy(desc(charterSignatures.recordedAt))
    .limit(1);
  return row;
}

/**
 * Staff confirm or override the proposal of the latest questionnaire. A reason is required to
 * override, or to settle a `to_review`; qualifying also requires the current charter signed.
 */
export async function decide(
  tx: Tx,
  emit: Emit,
  placeId: string,
  input: { decision: 'qualified' | 'refused'; reason?: string },
  actor: string,
): Promise<Place> {
  const place = await lockPlace(tx, placeId);
  const [pending] = await tx
    .select()
    .from(assessments)
    .where(and(eq(assessments.placeId, placeId), isNull(assessments.decision)))
    .orderBy(desc(assessments.submittedAt))
    .limit(1);
  if (place.status !== 'assessed' || !pending)
    throw new DomainError('no_pending_assessment', 'Aucun questionnaire en attente de décision pour ce lieu.', {
      status: 409,
    });
  const reason = input.reason?.trim() || undefined;
  if (input.decision !== pending.proposal && !reason) {
    throw new DomainError(
      'reason_required',
      `La décision diffère de la proposition (« ${pending.proposal} ») : indiquez un motif.`,
      { status: 422, field: 'reason' },
    );
  }
  if (input.decision === 'qualified' && !(await currentCharter(tx, placeId))) {
    throw new DomainError(
      'charter_not_signed',
      `Le lieu doit d’abord signer la charte #APTIC (version ${CURRENT_CHARTER}).`,
      { status: 409 },
    );
  }
  await tx
    .update(assessments)
    .set({ decision: input.decision, decisionReason: reason ?? null, decidedBy: actor, decidedAt: new Date() })
    .where(eq(assessments.id, pending.id));
  const moved = await movePlace(tx, place, input.decision, actor, {
    assessmentId: pending.id,
    proposal: pending.proposal,
    override: input.decision !== pending.proposal,
    reason,
  });
  if (input.decision === 'qualified') {
    await announceQualified(tx, emit, moved);
    await invitationQualified(tx, placeId, actor);
  }
  return moved;
}

export async function suspend(tx: Tx, emit: Emit, placeId: string, reason: string, actor: string): Promise<Place> {
  const moved = await movePlace(tx, await lockPlace(tx, placeId), 'suspended', actor, { reason });
  await emitAboutPlace(tx, emit, 'place.suspended', { placeId, reason });
  return moved;
}

/** Lifts a suspension: the place is qualified again and says so (`place.qualified`). */
export async function reinstate(tx: Tx, emit: Emit, placeId: string, reason: string, actor: string): Promise<Place> {
  const moved = await movePlace(tx, await lockPlace(tx, placeId), 'qualified', actor, { reason });
  await announceQualified(tx, emit, moved);
  return moved;
}

/** Final: the kit ends and every kiosk of the place is revoked with it. */
export async function revoke(
  tx: Tx,
  emit: Emit,
  placeId: string,
  reason: string,
  actor: string,
): Promise<{ place: Place; revokedKioskIds: string[] }> {
  const place = await movePlace(tx, await lockPlace(tx, placeId), 'revoked', actor, { reason });
  await emitAboutPlace(tx, emit, 'place.revoked', { placeId, reason });
  const kit = await liveKit(tx, placeId);
  if (kit) await endKit(tx, emit, kit, `Qualification révoquée : ${reason}`, actor);
  const revokedKioskIds: string[] = [];
  for (const kiosk of await activeKiosks(tx, placeId)) {
    await revokeKiosk(tx, emit, kiosk, `Qualification révoquée : ${reason}`, actor);
    revokedKioskIds.push(kiosk.id);
  }
  return { place, revokedKioskIds };
}
