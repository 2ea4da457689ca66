import { and, desc, eq, sql } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { queryRows, type Queryable } from '@aptic/runtime';
import { HoldReasons, PayoutStatusLabels, RejectionCodes, endToEndId } from '../domain/payout.ts';
import type { Statement } from '../documents/statement.ts';
import { balances } from './ledger.ts';
import { orders, payoutRuns, payouts, periods, placePeriods, places } from './schema.ts';

const notReady = (month: string) =>
  new DomainError(
    'statement_not_found',
    `Pas de relevé pour ${month} : le mois n’est pas clos, ou le lieu n’y a rien encaissé.`,
    { status: 404 },
  );

/** The statement lines of a closed month (an open month's are running sums), per place (of one place, or of all). */
async function linesOf(db: Queryable, month: string, placeId?: string): Promise<Map<string, Statement['lines']>> {
  const rows = await queryRows<{
    place_id: string;
    day: string;
    service_code: string | null;
    category_code: string | null;
    late: boolean;
    pass_count: number;
    gross_cents: string;
    fee_cents: string;
  }>(
    db,
    sql`
    SELECT l.place_id, l.scan_day::text AS day, o.service_code, o.category_code, l.late, l.pass_count, l.gross_cents, l.fee_cents
    FROM settlement.statement_line l LEFT JOIN settlement.offer o ON o.offer_id = l.offer_id
    WHERE l.period = ${month} ${placeId ? sql`AND l.place_id = ${placeId}` : sql``}
      AND EXISTS (SELECT 1 FROM ${periods} p WHERE p.month = l.period AND p.status = 'closed')
    ORDER BY l.place_id, l.scan_day, o.service_code, l.late`,
  );
  const byPlace = new Map<string, Statement['lines']>();
  for (const l of rows) {
    const line = {
      day: l.day,
      serviceCode: l.service_code ?? 'inconnu',
      categoryCode: l.category_code ?? 'inconnu',
      late: l.late,
      passCount: l.pass_count,
      grossCents: Number(l.gross_cents),
      feeCents: Number(l.fee_cents),
    };
    const lines = byPlace.get(l.place_id);
    if (lines) lines.push(line);
    else byPlace.set(l.place_id, [line]);
  }
  return byPlace;
}

/** Every place's statement lines of a closed month (finance's export), with the places' names. */
export async function monthStatementLines(
  db: Queryable,
  month: string,
): Promise<Pick<Statement, 'placeId' | 'placeName' | 'lines'>[]> {
  const names = new Map((await db.select().from(places)).map((p) => [p.placeId, p.name]));
  // A month's lines (40,741 for a million redemptions) sorted in memory: with the default 4 MB
  // PostgreSQL sorted them on disk (6 MB), which took it about twice as long (measured).
  const byPlace = await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('work_mem', '32MB', true)`);
    return linesOf(tx, month);
  });
  return [...byPlace].map(([placeId, lines]) => ({
    placeId,
    placeName: names.get(placeId) ?? placeId,
    lines,
  }));
}

/** A place's statement of a closed month: its lines, figures and payout. */
export async function statementOf(db: Queryable, placeId: string, month: string): Promise<Statement> {
  const [figures] = await db
    .select()
    .from(placePeriods)
    .where(and(eq(placePeriods.placeId, placeId), eq(placePeriods.period, month)));
  if (!figures) throw notReady(month);
  const [place] = await db.select({ name: places.name }).from(places).where(eq(places.placeId, placeId));
  const lines = (await linesOf(db, month, placeId)).get(placeId) ?? [];
  const [payout] = await db
    .select()
    .from(payouts)
    .where(and(eq(payouts.placeId, placeId), eq(payouts.period, month)));
  const [run] = payout?.runId
    ? await db
        .select({ executionDate: payoutRuns.executionDate })
        .from(payoutRuns)
        .where(eq(payoutRuns.id, payout.runId))
    : [];
  const reason = payout?.holdReason
    ? HoldReasons[payout.holdReason]
    : payout?.rejectionCode
      ? `${payout.rejectionCode} — ${RejectionCodes[payout.rejectionCode]}`
      : payout?.carriedInto
        ? `reporté sur ${payout.carriedInto}`
        : null;
  return {
    placeId,
    placeName: place?.name ?? placeId,
    period: month,
    closedAt: figures.closedAt.toISOString(),
    lines,
    figures: {
      passCount: figures.passCount,
      latePassCount: figures.latePassCount,
      grossCents: figures.grossCents,
      feeCents: figures.feeCents,
      kitCents: figures.kitCents,
      kitSponsored: figures.kitSponsored,
      carriedCents: figures.carriedCents,
      netCents: figures.netCents,
    },
    payout: payout
      ? {
          id: payout.id,
          endToEndId: endToEndId(payout.id),
          status: payout.status,
          statusLabel: PayoutStatusLabels[payout.status],
          date: payout.executedOn ?? (payout.status === 'sent' ? (run?.executionDate ?? null) : null),
          reason,
        }
      : null,
  };
}

/** A place's closed months, newest first. */
export async function statementsOf(db: Queryable, placeId: string) {
  return db.select().from(placePeriods).where(eq(placePeriods.placeId, placeId)).orderBy(desc(placePeriods.period));
}

/** A funder's passes and money, per order: issued, released, redeemed, outstanding, held, credited. */
export async function funderFigures(db: Queryable, funderId: string) {
  const rows = await db.select().from(orders).where(eq(orders.funderId, funderId)).orderBy(orders.orderId);
  if (rows.length === 0)
    throw new DomainError('unknown_funder', 'Aucune commande payée connue pour ce commanditaire.', { status: 404 });
  const redeemed = new Map(
    (
      await queryRows<{ order_id: string; n: string }>(
        db,
        sql`
    SELECT order_id, sum(sign) AS n FROM settlement.booking WHERE funder_id = ${funderId} GROUP BY order_id`,
      )
    ).map((r) => [r.order_id, Number(r.n)]),
  );
  const money = await balances(db, { funderId });
  const held = (orderId: string, account: 'funder_held' | 'credit_notes') =>
    -(money.find((b) => b.account === account && b.owner === orderId)?.balanceCents ?? 0);
  const perOrder = rows.map((o) => {
    const redeemedCount = redeemed.get(o.orderId) ?? 0;
    return {
      orderId: o.orderId,
      faceValueCents: o.faceValueCents,
      passesIssued: o.passesIssued,
      passesReleased: o.passesReleased,
      passesRedeemed: redeemedCount,
      passesOutstanding: o.passesIssued - redeemedCount,
      heldCents: held(o.orderId, 'funder_held'),
      creditedCents: held(o.orderId, 'credit_notes'),
      redemptionClosed: o.redemptionClosedAt !== null,
    };
  });
  const sum = (
    k: 'passesIssued' | 'passesReleased' | 'passesRedeemed' | 'passesOutstanding' | 'heldCents' | 'creditedCents',
  ) => perOrder.reduce((t, o) => t + o[k], 0);
  return {
    funderId,
    funderName: rows[0]!.funderName,
    passesIssued: sum('passesIssued'),
    passesReleased: sum('passesReleased'),
    passesRedeemed: sum('passesRedeemed'),
    passesOutstanding: sum('passesOutstanding'),
    heldCents: sum('heldCents'),
    creditedCents: sum('creditedCents'),
    orders: perOrder,
  };
}
