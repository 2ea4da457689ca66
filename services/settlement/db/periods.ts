import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { queryRows, type Emit, type Queryable, type Tx } from '@aptic/runtime';
import { postings } from '../domain/accounts.ts';
import { NO_SUMS, placeFigures, type Carried, type PlaceSums } from '../domain/close.ts';
import { kitCharge, type Kit, type Sponsorship } from '../domain/kit.ts';
import { closability, closableFrom, monthsBetween } from '../domain/periods.ts';
import { book } from './ledger.ts';
import { tallyBookings } from './tally.ts';
import { audit, kitSponsorships, kits, payouts, periods, placePeriods, statementLines } from './schema.ts';

/** One lock orders closes against the batches that book redemptions into periods. */
const PERIOD_LOCK = sql`hashtext('settlement.periods')`;
export const sharePeriodLock = (tx: Tx) => tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${PERIOD_LOCK})`);
const exclusivePeriodLock = (tx: Tx) => tx.execute(sql`SELECT pg_advisory_xact_lock(${PERIOD_LOCK})`);

/** The daily statement tally (db/tally.ts), under the lock that orders it with the batches of bookings. */
export async function tallyDue(tx: Tx): Promise<number> {
  await exclusivePeriodLock(tx);
  return tallyBookings(tx);
}

export async function lastClosedMonth(db: Queryable): Promise<string | null> {
  const [row] = await queryRows<{ month: string | null }>(
    db,
    sql`SELECT max(month) AS month FROM ${periods} WHERE status = 'closed'`,
  );
  return row?.month ?? null;
}

export interface CloseResult {
  month: string;
  alreadyClosed: boolean;
  closedAt: string;
  places: number;
  passCount: number;
  grossCents: number;
  feeCents: number;
  kitCents: number;
  netCents: number;
  heldCount: number;
}

async function summary(db: Queryable, month: string, alreadyClosed: boolean): Promise<CloseResult> {
  const [row] = await queryRows<{
    closed_at: Date;
    places: number;
    passes: string | null;
    gross: string | null;
    fee: string | null;
    kit: string | null;
    net: string | null;
    held: number;
  }>(
    db,
    sql`
    SELECT p.closed_at, count(pp.place_id)::int AS places, sum(pp.pass_count) AS passes, sum(pp.gross_cents) AS gross, sum(pp.fee_cents) AS fee,
      sum(pp.kit_cents) AS kit, sum(pp.net_cents) AS net,
      (SELECT count(*)::int FROM ${payouts} WHERE period = ${month} AND status = 'held') AS held
    FROM ${periods} p LEFT JOIN ${placePeriods} pp ON pp.period = p.month WHERE p.month = ${month} GROUP BY p.closed_at`,
  );
  return {
    month,
    alreadyClosed,
    closedAt: new Date(row!.closed_at).toISOString(),
    places: row!.places,
    passCount: Number(row!.passes ?? 0),
    grossCents: Number(row!.gross ?? 0),
    feeCents: Number(row!.fee ?? 0),
    kitCents: Number(row!.kit ?? 0),
    netCents: Number(row!.net ?? 0),
    heldCount: row!.held,
  };
}

/**
 * The month's statement lines made final: the bookings after the daily tally's mark summed into
 * them (db/tally.ts), so the close reads those and not the whole month's; each place's sums.
 */
async function writeStatementLines(tx: Tx, month: string): Promise<Map<string, PlaceSums>> {
  await tallyBookings(tx);
  const rows = await queryRows<{ place_id: string; passes: string; late: string; gross: string; fee: string }>(
    tx,
    sql`
    SELECT place_id, sum(pass_count) AS passes, sum(pass_count) FILTER (WHERE late) AS late, sum(gross_cents) AS gross, sum(fee_cents) AS fee
    FROM ${statementLines} WHERE period = ${month} GROUP BY place_id`,
  );
  return new Map(
    rows.map((r) => [
      r.place_id,
      {
        passCount: Number(r.passes),
        latePassCount: Number(r.late ?? 0),
        grossCents: Number(r.gross),
        feeCents: Number(r.fee),
      },
    ]),
  );
}

async function kitsByPlace(tx: Tx): Promise<{ kits: Map<string, Kit>; sponsorships: Map<string, Sponsorship[]> }> {
  const kitRows = await tx.select().from(kits);
  const sponsorRows = await tx.select().from(kitSponsorships);
  const sponsorships = new Map<string, Sponsorship[]>();
  for (const s of sponsorRows) sponsorships.set(s.placeId, [...(sponsorships.get(s.placeId) ?? []), s]);
  // A kit whose cancellation arrived before its activation has no plan yet: nothing to bill.
  const known = kitRows.flatMap(({ placeId, plan, activatedOn, cancelledOn }) =>
    plan && activatedOn ? [[placeId, { plan, activatedOn, cancelledOn }] as const] : [],
  );
  return { kits: new Map(known), sponsorships };
}

/** Payouts held for a net ≤ 0: folded into this close, so the place's next net bears them. */
async function carriedPayouts(tx: Tx): Promise<Map<string, Carried & { ids: string[] }>> {
  const rows = await queryRows<{ place_id: string; ids: string[]; payable: string; kit: string }>(
    tx,
    sql`
    SELECT place_id, array_agg(id) AS ids, sum(payable_cents) AS payable, sum(kit_cents) AS kit FROM ${payouts}
    WHERE status = 'held' AND hold_reason = 'net_not_positive' GROUP BY place_id`,
  );
  return new Map(
    rows.map((r) => [r.place_id, { ids: r.ids, payableCents: Number(r.payable), kitCents: Number(r.kit) }]),
  );
}

const json = (rows: unknown[]) => sql`jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS e`;

/**
 * Closes a month: per place, its passes, gross, fee, territorial fund, kit, carried net and
 * net; a payout per place (due, or held when its net is ≤ 0); `period.closed` per place. One
 * transaction under the exclusive period lock: a second close, or one at the same time, finds
 * the month closed and answers its figures, paying nothing twice.
 */
export async function closePeriod(
  tx: Tx,
  emit: Emit,
  input: { month: string; today: string; graceDays: number; actor: string },
): Promise<CloseResult> {
  const { month } = input;
  await exclusivePeriodLock(tx);
  const [first] = await queryRows<{ month: string | null }>(tx, sql`SELECT min(month) AS month FROM ${periods}`);
  const from = first?.month && first.month < month ? first.month : month;
  await tx
    .insert(periods)
    .values(monthsBetween(from, month).map((m) => ({ month: m })))
    .onConflictDoNothing();
  const [period] = await queryRows<{ status: string }>(
    tx,
    sql`SELECT status FROM ${periods} WHERE month = ${month} FOR UPDATE`,
  );
  if (period!.status === 'closed') return summary(tx, month, true);
  const allowed = closability(month, input.today, input.graceDays);
  if (!allowed.ok) throw new DomainError(allowed.code, allowed.message, { status: 409, field: 'month' });
  const [earlier] = await queryRows<{ month: string | null }>(
    tx,
    sql`SELECT min(month) AS month FROM ${periods} WHERE status = 'open' AND month < ${month}`,
  );
  if (earlier?.month)
    throw new DomainError(
      'earlier_period_open',
      `Le mois ${earlier.month} n’est pas encore clos : les mois se clôturent dans l’ordre.`,
      { status: 409, field: 'month' },
    );

  const closedAt = new Date();
  const sums = await writeStatementLines(tx, month);
  const { kits: kitOf, sponsorships } = await kitsByPlace(tx);
  const carried = await carriedPayouts(tx);
  const placeIds = new Set([...sums.keys(), ...kitOf.keys(), ...carried.keys()]);
  const placeRows = [];
  const payoutRows = [];
  const auditRows = [];
  const booked = [];
  for (const placeId of [...placeIds].sort()) {
    const kit = kitCharge(kitOf.get(placeId), month, sponsorships.get(placeId) ?? []);
    const placeSums = sums.get(placeId) ?? NO_SUMS;
    const carry = carried.get(placeId);
    if (!sums.has(placeId) && !carry && kit.exclVatCents === 0 && !kit.sponsored) continue;
    const f = placeFigures(placeSums, kit, carry);
    const periodId = randomUUID();
    const payoutId = randomUUID();
    placeRows.push({ ...f, period: month, placeId, periodId });
    const status = f.netCents > 0 ? 'due' : 'held';
    const holdReason = status === 'held' ? 'net_not_positive' : null;
    payoutRows.push({
      id: payoutId,
      placeId,
      period: month,
      payableCents: f.payableCents,
      kitCents: f.deductedKitCents,
      netCents: f.netCents,
      status,
      holdReason,
    });
    auditRows.push({
      entity: 'payout',
      entityId: payoutId,
      scopeId: placeId,
      action: 'create',
      fromStatus: null,
      toStatus: status,
      actor: input.actor,
      details: { period: month, netCents: f.netCents, holdReason },
    });
    for (const id of carry?.ids ?? []) {
      auditRows.push({
        entity: 'payout',
        entityId: id,
        scopeId: placeId,
        action: 'carry',
        fromStatus: 'held',
        toStatus: 'carried',
        actor: input.actor,
        details: { into: month, payoutId },
      });
    }
    booked.push(
      postings.territorialFund({ placePeriodId: periodId, period: month, amountCents: f.territorialFundCents }),
    );
    booked.push(
      postings.kitDue({
        placePeriodId: periodId,
        placeId,
        period: month,
        exclVatCents: kit.exclVatCents,
        vatCents: kit.vatCents,
      }),
    );
    await emit('period.closed', {
      periodId,
      month,
      placeId,
      grossCents: f.grossCents,
      feeCents: f.feeCents,
      netCents: f.netCents,
      passCount: f.passCount,
    });
    if (holdReason) await emit('payout.held', { payoutId, placeId, month, netCents: f.netCents, reason: holdReason });
  }
  if (placeRows.length > 0) {
    await tx.execute(sql`
      INSERT INTO ${placePeriods} (period, place_id, period_id, pass_count, late_pass_count, gross_cents, fee_cents, territorial_fund_cents, kit_cents, kit_sponsored, carried_cents, net_cents, closed_at)
      SELECT e->>'period', (e->>'placeId')::uuid, (e->>'periodId')::uuid, (e->>'passCount')::int, (e->>'latePassCount')::int, (e->>'grossCents')::bigint, (e->>'feeCents')::bigint,
        (e->>'territorialFundCents')::bigint, (e->>'kitCents')::bigint, (e->>'kitSponsored')::boolean, (e->>'carriedCents')::bigint, (e->>'netCents')::bigint, ${closedAt}
      FROM ${json(placeRows)}`);
    await tx.execute(sql`
      INSERT INTO ${payouts} (id, place_id, period, payable_cents, kit_cents, net_cents, status, hold_reason)
      SELECT (e->>'id')::uuid, (e->>'placeId')::uuid, e->>'period', (e->>'payableCents')::bigint, (e->>'kitCents')::bigint, (e->>'netCents')::bigint, e->>'status', e->>'holdReason'
      FROM ${json(payoutRows)}`);
    await tx.execute(sql`
      INSERT INTO ${audit} (entity, entity_id, scope_id, action, from_status, to_status, actor, details)
      SELECT e->>'entity', (e->>'entityId')::uuid, (e->>'scopeId')::uuid, e->>'action', e->>'fromStatus', e->>'toStatus', e->>'actor', e->'details' FROM ${json(auditRows)}`);
    const carriedIds = [...carried.values()].flatMap((c) => c.ids);
    if (carriedIds.length > 0) {
      await tx.execute(
        sql`UPDATE ${payouts} SET status = 'carried', carried_into = ${month}, hold_reason = NULL, updated_at = now() WHERE id = ANY(${sql.param(carriedIds)}::uuid[])`,
      );
    }
    await book(tx, booked);
  }
  await tx.execute(
    sql`UPDATE ${periods} SET status = 'closed', closed_at = ${closedAt}, closed_by = ${input.actor} WHERE month = ${month}`,
  );
  return summary(tx, month, false);
}

/** The months the daily job closes today: every open month, in order, as long as each may be closed. */
export async function monthsDue(db: Queryable, today: string, graceDays: number): Promise<string[]> {
  const [row] = await queryRows<{ first: string | null; last: string | null }>(
    db,
    sql`
    SELECT min(month) FILTER (WHERE status = 'open') AS first, max(month) AS last FROM ${periods}`,
  );
  if (!row?.first) return [];
  return monthsBetween(row.first, row.last!).filter((m) => closability(m, today, graceDays).ok);
}

export async function listPeriods(db: Queryable, graceDays: number) {
  const rows = await queryRows<{
    month: string;
    status: string;
    closed_at: Date | null;
    closed_by: string | null;
    places: number;
    bookings: string;
  }>(
    db,
    sql`
    SELECT p.month, p.status, p.closed_at, p.closed_by,
      (SELECT count(*)::int FROM ${placePeriods} pp WHERE pp.period = p.month) AS places,
      (SELECT count(*) FROM settlement.booking b WHERE b.period = p.month) AS bookings
    FROM ${periods} p ORDER BY p.month DESC`,
  );
  return rows.map((r) => ({
    month: r.month,
    status: r.status,
    closableFrom: closableFrom(r.month, graceDays),
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    closedBy: r.closed_by,
    places: r.places,
    bookings: Number(r.bookings),
  }));
}

export async function periodPlaces(db: Queryable, month: string) {
  return db.select().from(placePeriods).where(sql`${placePeriods.period} = ${month}`).orderBy(placePeriods.placeId);
}
