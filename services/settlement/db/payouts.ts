import { createHash, randomUUID } from 'node:crypto';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { DomainError, type ActionResponse } from '@aptic/contracts';
import {
  ask,
  businessDate,
  addDays,
  queryRows,
  type Emit,
  type Queryable,
  type ServiceContext,
  type Tx,
} from '@aptic/runtime';
import { postings, type Posting } from '../domain/accounts.ts';
import {
  assertPayoutMove,
  decide,
  endToEndId,
  HoldReasons,
  RejectionCodes,
  remittance,
  type HoldReason,
  type PayoutStatus,
  type RejectionCode,
} from '../domain/payout.ts';
import { sepaCreditTransfers, type Debtor, type Transfer } from '../domain/sepa.ts';
import { book } from './ledger.ts';
import { audit, payoutRuns, payouts, placePeriods, runTransfers } from './schema.ts';

type Payout = typeof payouts.$inferSelect;
type BankPlace = ActionResponse<'qualification.bankDetails'>['places'][number];

const json = (rows: unknown[]) => sql`jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS e`;
const RUN_LOCK = sql`hashtext('settlement.payout-runs')`;

interface Move {
  payout: Payout;
  to: PayoutStatus;
  holdReason?: HoldReason | null;
  rejectionCode?: RejectionCode | null;
  rejectedFingerprint?: string | null;
  runId?: string | null;
  executedOn?: string | null;
  details?: unknown;
}

/**
 * Payout status changes, checked by the one state machine (domain/payout.ts), written in one
 * statement whatever their number, each with its audit row and its event.
 */
async function move(tx: Tx, emit: Emit, moves: Move[], actor: string): Promise<void> {
  if (moves.length === 0) return;
  for (const m of moves) assertPayoutMove(m.payout.status, m.to);
  const rows = moves.map((m) => ({
    id: m.payout.id,
    status: m.to,
    holdReason: m.holdReason === undefined ? m.payout.holdReason : m.holdReason,
    rejectionCode: m.rejectionCode === undefined ? m.payout.rejectionCode : m.rejectionCode,
    rejectedFingerprint: m.rejectedFingerprint === undefined ? m.payout.rejectedFingerprint : m.rejectedFingerprint,
    runId: m.runId === undefined ? m.payout.runId : m.runId,
    executedOn: m.executedOn === undefined ? m.payout.executedOn : m.executedOn,
  }));
  await tx.execute(sql`
    UPDATE ${payouts} p SET status = e->>'status', hold_reason = e->>'holdReason', rejection_code = e->>'rejectionCode',
      rejected_fingerprint = e->>'rejectedFingerprint', run_id = (e->>'runId')::uuid, executed_on = (e->>'executedOn')::date, updated_at = now()
    FROM ${json(rows)} WHERE p.id = (e->>'id')::uuid`);
  const trail = moves.map((m, i) => ({
    entityId: m.payout.id,
    scopeId: m.payout.placeId,
    action: m.to === m.payout.status ? 'update' : m.to,
    fromStatus: m.payout.status,
    toStatus: m.to,
    details: {
      period: m.payout.period,
      holdReason: rows[i]!.holdReason,
      rejectionCode: rows[i]!.rejectionCode,
      runId: rows[i]!.runId,
      ...(m.details ?? {}),
    },
  }));
  await tx.execute(sql`
    INSERT INTO ${audit} (entity, entity_id, scope_id, action, from_status, to_status, actor, details)
    SELECT 'payout', (e->>'entityId')::uuid, (e->>'scopeId')::uuid, e->>'action', e->>'fromStatus', e->>'toStatus', ${actor}, e->'details' FROM ${json(trail)}`);
  for (const [i, m] of moves.entries()) {
    const p = { payoutId: m.payout.id, placeId: m.payout.placeId, month: m.payout.period, netCents: m.payout.netCents };
    const row = rows[i]!;
    if (m.to === 'sent') await emit('payout.sent', { ...p, runId: row.runId! });
    else if (m.to === 'executed') await emit('payout.executed', { ...p, executedOn: row.executedOn! });
    else if (m.to === 'rejected') await emit('payout.rejected', { ...p, reasonCode: row.rejectionCode! });
    else if (m.to === 'held') await emit('payout.held', { ...p, reason: row.holdReason! });
  }
}

const awaiting = sql`(status IN ('due', 'rejected') OR (status = 'held' AND hold_reason <> 'net_not_positive'))`;

const bankUnavailable = () =>
  new DomainError(
    'bank_details_unavailable',
    'Les coordonnées bancaires des lieux ne peuvent pas être lues pour le moment (qualification ne répond pas) : relancez le virement dans un instant.',
    { status: 503 },
  );

/** Asks qualification for the bank details of these places, as finance (never from an event): nothing is paid without them. */
async function bankDetails(ctx: ServiceContext, placeIds: string[], role: string): Promise<Map<string, BankPlace>> {
  const found = new Map<string, BankPlace>();
  for (let i = 0; i < placeIds.length; i += 5000) {
    const reply = await ask(
      ctx.broker,
      'qualification.bankDetails',
      { placeIds: placeIds.slice(i, i + 5000) },
      { meta: { role }, unavailable: bankUnavailable },
    );
    for (const p of reply.places) found.set(p.placeId, p);
  }
  return found;
}

export interface RunInput {
  actor: string;
  role: string;
  debtor: Debtor;
  now: Date;
}

/**
 * A payout run: every payout awaiting money is sent in one SEPA file, or held with its reason
 * (and tried again by the next run). One run at a time; the file's bytes are kept.
 */
export async function runPayouts(ctx: ServiceContext, input: RunInput) {
  const pending = await queryRows<{ place_id: string }>(
    ctx.db,
    sql`SELECT DISTINCT place_id FROM ${payouts} WHERE ${awaiting}`,
  );
  if (pending.length === 0)
    throw new DomainError('nothing_to_pay', 'Aucun virement en attente : rien à envoyer.', { status: 409 });
  const bank = await bankDetails(
    ctx,
    pending.map((p) => p.place_id),
    input.role,
  );
  return ctx.transaction(async (tx, emit) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${RUN_LOCK})`);
    const candidates = await tx
      .select()
      .from(payouts)
      .where(awaiting)
      .orderBy(payouts.period, payouts.placeId)
      .for('update');
    const counts = new Map(
      (
        await queryRows<{ place_id: string; period: string; pass_count: number }>(
          tx,
          sql`
      SELECT place_id, period, pass_count FROM ${placePeriods} WHERE (place_id, period) IN (SELECT place_id, period FROM ${payouts} WHERE ${awaiting})`,
        )
      ).map((r) => [`${r.place_id}|${r.period}`, r.pass_count]),
    );
    const runId = randomUUID();
    const createdAt = input.now;
    const messageId = `APTIC-${businessDate(createdAt).replaceAll('-', '')}-${runId.slice(0, 8)}`;
    const executionDate = addDays(businessDate(createdAt), 1);
    const moves: Move[] = [];
    const transfers: Transfer[] = [];
    const sentRows: { id: string; runId: string; payoutId: string; amountCents: number; bankFingerprint: string }[] =
      [];
    const booked: Posting[] = [];
    for (const payout of candidates) {
      const place = bank.get(payout.placeId);
      const decision = decide(payout, place);
      if (!decision.send) {
        if (payout.status !== 'held' || payout.holdReason !== decision.reason) {
          // A rejected payout stays rejected while its bank details are unchanged.
          if (!(payout.status === 'rejected' && decision.reason === 'bank_details_unchanged'))
            moves.push({ payout, to: 'held', holdReason: decision.reason, runId });
        }
        continue;
      }
      const transferId = randomUUID();
      transfers.push({
        endToEndId: endToEndId(payout.id),
        creditorName: place!.name,
        iban: decision.iban,
        bic: decision.bic,
        amountCents: payout.netCents,
        remittance: remittance(payout.period, counts.get(`${payout.placeId}|${payout.period}`) ?? 0),
      });
      sentRows.push({
        id: transferId,
        runId,
        payoutId: payout.id,
        amountCents: payout.netCents,
        bankFingerprint: place!.fingerprint ?? '',
      });
      booked.push(
        postings.payoutSent({
          transferId,
          placeId: payout.placeId,
          period: payout.period,
          payableCents: payout.payableCents,
          kitCents: payout.kitCents,
        }),
      );
      moves.push({
        payout,
        to: 'sent',
        holdReason: null,
        runId,
        details: { transferId, amountCents: payout.netCents },
      });
    }
    const file =
      transfers.length > 0
        ? sepaCreditTransfers({ messageId, createdAt, executionDate, debtor: input.debtor, transfers })
        : undefined;
    const run = {
      id: runId,
      messageId,
      executionDate,
      transferCount: transfers.length,
      controlSumCents: file?.controlSumCents ?? 0,
      heldCount: candidates.length - transfers.length,
    };
    await tx.insert(payoutRuns).values({
      ...run,
      xml: file?.xml ?? null,
      sha256: file ? createHash('sha256').update(file.xml).digest('hex') : null,
      createdBy: input.actor,
      createdAt,
    });
    if (sentRows.length > 0)
      await tx.execute(sql`
        INSERT INTO ${runTransfers} (id, run_id, payout_id, amount_cents, bank_fingerprint)
        SELECT (e->>'id')::uuid, (e->>'runId')::uuid, (e->>'payoutId')::uuid, (e->>'amountCents')::bigint, e->>'bankFingerprint' FROM ${json(sentRows)}`);
    await move(tx, emit, moves, input.actor);
    await book(tx, booked);
    return { ...run, createdAt: createdAt.toISOString() };
  });
}

async function lockPayout(tx: Tx, id: string): Promise<Payout> {
  const [payout] = await tx.select().from(payouts).where(eq(payouts.id, id)).for('update');
  if (!payout) throw new DomainError('unknown_payout', 'Virement inconnu.', { status: 404 });
  return payout;
}

async function lastTransfer(tx: Tx, payout: Payout) {
  const [transfer] = await tx
    .select()
    .from(runTransfers)
    .where(and(eq(runTransfers.payoutId, payout.id), eq(runTransfers.runId, payout.runId!)));
  return transfer!;
}

/** The bank executed the transfer: the amount it names must be the payout's, to the cent. */
export async function markExecuted(
  tx: Tx,
  emit: Emit,
  id: string,
  input: { executedOn: string; amountCents: number },
  actor: string,
): Promise<Payout> {
  const payout = await lockPayout(tx, id);
  assertPayoutMove(payout.status, 'executed');
  if (input.amountCents !== payout.netCents) {
    throw new DomainError(
      'amount_mismatch',
      `Le montant exécuté (${input.amountCents} centimes) n’est pas celui du virement (${payout.netCents} centimes).`,
      { status: 422, field: 'amountCents' },
    );
  }
  const transfer = await lastTransfer(tx, payout);
  await move(
    tx,
    emit,
    [{ payout, to: 'executed', executedOn: input.executedOn, details: { transferId: transfer.id } }],
    actor,
  );
  await book(tx, [
    postings.payoutExecuted({
      transferId: transfer.id,
      placeId: payout.placeId,
      period: payout.period,
      netCents: payout.netCents,
    }),
  ]);
  return lockPayout(tx, id);
}

/** The bank returned the transfer: what it carried is owed to the place again, held until its bank details change. */
export async function markRejected(tx: Tx, emit: Emit, id: string, reasonCode: string, actor: string): Promise<Payout> {
  if (!Object.hasOwn(RejectionCodes, reasonCode)) {
    throw new DomainError(
      'unknown_reason_code',
      `Code de rejet inconnu « ${reasonCode} » (codes acceptés : ${Object.keys(RejectionCodes).join(', ')}).`,
      { status: 422, field: 'reasonCode' },
    );
  }
  const payout = await lockPayout(tx, id);
  assertPayoutMove(payout.status, 'rejected');
  const transfer = await lastTransfer(tx, payout);
  await move(
    tx,
    emit,
    [
      {
        payout,
        to: 'rejected',
        rejectionCode: reasonCode as RejectionCode,
        rejectedFingerprint: transfer.bankFingerprint,
        details: { transferId: transfer.id },
      },
    ],
    actor,
  );
  await book(tx, [
    postings.payoutRejected({
      transferId: transfer.id,
      placeId: payout.placeId,
      period: payout.period,
      payableCents: payout.payableCents,
      kitCents: payout.kitCents,
    }),
  ]);
  return lockPayout(tx, id);
}

export const payoutView = (p: Payout) => ({
  id: p.id,
  placeId: p.placeId,
  period: p.period,
  payableCents: p.payableCents,
  kitCents: p.kitCents,
  netCents: p.netCents,
  status: p.status,
  holdReason: p.holdReason,
  holdMessage: p.holdReason
    ? HoldReasons[p.holdReason]
    : p.status === 'rejected'
      ? HoldReasons.bank_details_unchanged
      : null,
  rejectionCode: p.rejectionCode,
  rejectionLabel: p.rejectionCode ? RejectionCodes[p.rejectionCode] : null,
  runId: p.runId,
  executedOn: p.executedOn,
  carriedInto: p.carriedInto,
  endToEndId: endToEndId(p.id),
  updatedAt: p.updatedAt.toISOString(),
});

export async function findPayout(db: Queryable, id: string): Promise<Payout> {
  const [payout] = await db.select().from(payouts).where(eq(payouts.id, id));
  if (!payout) throw new DomainError('unknown_payout', 'Virement inconnu.', { status: 404 });
  return payout;
}

export async function listPayouts(db: Queryable, filter: { status?: PayoutStatus; placeId?: string; period?: string }) {
  const conditions: SQL[] = [sql`true`];
  if (filter.status) conditions.push(eq(payouts.status, filter.status));
  if (filter.placeId) conditions.push(eq(payouts.placeId, filter.placeId));
  if (filter.period) conditions.push(eq(payouts.period, filter.period));
  return (
    await db
      .select()
      .from(payouts)
      .where(and(...conditions))
      .orderBy(desc(payouts.period), payouts.placeId)
      .limit(5000)
  ).map(payoutView);
}

export async function listRuns(db: Queryable) {
  return db
    .select({
      id: payoutRuns.id,
      messageId: payoutRuns.messageId,
      executionDate: payoutRuns.executionDate,
      transferCount: payoutRuns.transferCount,
      controlSumCents: payoutRuns.controlSumCents,
      heldCount: payoutRuns.heldCount,
      sha256: payoutRuns.sha256,
      createdBy: payoutRuns.createdBy,
      createdAt: payoutRuns.createdAt,
    })
    .from(payoutRuns)
    .orderBy(desc(payoutRuns.createdAt));
}

export async function runFile(db: Queryable, id: string): Promise<{ messageId: string; xml: string }> {
  const [run] = await db
    .select({ messageId: payoutRuns.messageId, xml: payoutRuns.xml })
    .from(payoutRuns)
    .where(eq(payoutRuns.id, id));
  if (!run) throw new DomainError('unknown_run', 'Campagne de virements inconnue.', { status: 404 });
  if (!run.xml)
    throw new DomainError('no_transfer_in_run', 'Cette campagne n’a envoyé aucun virement : pas de fichier SEPA.', {
      status: 404,
    });
  return { messageId: run.messageId, xml: run.xml };
}
