import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '@aptic/runtime';
import { bookings, statementLines, tallyMarks } from './schema.ts';

/**
 * Sums the bookings written since the mark into the statement lines of their months, and moves
 * the mark past them. The caller holds the exclusive period lock (db/periods.ts): no batch of
 * bookings is under way, so every booking up to the highest seq is committed and none is
 * skipped or summed twice. Run each day (a day's bookings touch each of its lines once) and by
 * the close for the bookings after the last run, so the close never reads a whole month.
 * Bookings only go to open months: a closed month's lines never change (a trigger refuses it).
 */
export async function tallyBookings(tx: Tx): Promise<number> {
  const [mark] = await queryRows<{ seq: string }>(tx, sql`SELECT seq FROM ${tallyMarks} WHERE id = 1 FOR UPDATE`);
  // The mark as a value, not a join: the planner then reads the few bookings after it by booking_seq.
  const after = Number(mark!.seq);
  const [row] = await queryRows<{ summed: string; last: string | null }>(
    tx,
    sql`
    WITH lines AS (
      INSERT INTO ${statementLines} AS t (period, place_id, offer_id, scan_day, late, pass_count, gross_cents, fee_cents)
      SELECT period, place_id, offer_id, scan_day, late, sum(sign), sum(sign * face_value_cents), sum(sign * fee_cents)
      FROM ${bookings} WHERE seq > ${after} GROUP BY period, place_id, offer_id, scan_day, late
      ON CONFLICT (period, place_id, offer_id, scan_day, late) DO UPDATE SET
        pass_count = t.pass_count + excluded.pass_count,
        gross_cents = t.gross_cents + excluded.gross_cents,
        fee_cents = t.fee_cents + excluded.fee_cents)
    SELECT count(*) AS summed, max(seq) AS last FROM ${bookings} WHERE seq > ${after}`,
  );
  if (row!.last !== null) await tx.execute(sql`UPDATE ${tallyMarks} SET seq = ${Number(row!.last)} WHERE id = 1`);
  return Number(row!.summed);
}
