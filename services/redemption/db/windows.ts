import { and, eq, sql } from 'drizzle-orm';
import { DomainError } from '@aptic/contracts';
import { queryRows, sqlState, type Emit, type Queryable, type Tx } from '@aptic/runtime';
import { FACE_VALUE_CENTS } from './judged.ts';
import { orderWindows } from './schema.ts';

/** The SQLSTATE the window triggers (migration 0002) raise on a statement touching a closed order. */
const WINDOW_CLOSED = 'AP001';

/** A statement redeemed or cancelled a pass of an order whose window closed meanwhile. */
export function hitClosedWindow(err: unknown): boolean {
  return sqlState(err) === WINDOW_CLOSED;
}

/** Refuses to change a redemption of an order whose window is closed: its count is final. */
export async function assertWindowOpen(db: Queryable, orderId: string): Promise<void> {
  const [window] = await db
    .select({ status: orderWindows.status })
    .from(orderWindows)
    .where(eq(orderWindows.orderId, orderId));
  if (window?.status === 'closed') {
    throw new DomainError(
      'redemption_window_closed',
      'La période d’encaissement des pass de cette commande est close : ce passage ne peut plus changer.',
      { status: 409 },
    );
  }
}

/**
 * Open windows whose last valid day plus the offline limit is over on `today` (Europe/Paris): the
 * last offline scan of the last day may arrive until the end of the limit, and no later.
 */
export async function dueWindows(db: Queryable, today: string, offlineDays: number): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    SELECT order_id AS id FROM ${orderWindows}
     WHERE status = 'open' AND last_day + ${offlineDays}::int < ${today}::date ORDER BY last_day, order_id`,
  );
  return rows.map((r) => r.id);
}

/**
 * Closes an order's redemption window and announces its final count, once. The update takes the
 * window row first: it waits for every statement that locked it to redeem or cancel (they commit
 * before), and any later one finds it closed and fails (the triggers). The count is then read in a
 * statement of its own, which sees all they committed. Returns false if it was closed already.
 */
export async function closeWindow(tx: Tx, emit: Emit, orderId: string, now = new Date()): Promise<boolean> {
  const [window] = await tx
    .update(orderWindows)
    .set({ status: 'closed', closedAt: now })
    .where(and(eq(orderWindows.orderId, orderId), eq(orderWindows.status, 'open')))
    .returning();
  if (!window) return false;
  // From the order's passes to their live redemption (unique indexes): no scan of the whole table.
  const [counted] = await queryRows<{ n: number }>(
    tx,
    sql`
    SELECT count(*)::int AS n FROM redemption.pass p
     WHERE p.order_id = ${orderId}
       AND (SELECT true FROM redemption.redemption r WHERE r.pass_id = p.pass_id AND r.cancelled_at IS NULL) IS NOT NULL`,
  );
  const redeemedCount = counted!.n;
  await tx.update(orderWindows).set({ redeemedCount }).where(eq(orderWindows.orderId, orderId));
  const unredeemedCount = Math.max(0, window.passCount - redeemedCount);
  await emit('order.redemption_closed', {
    orderId,
    funderId: window.funderId,
    passCount: window.passCount,
    redeemedCount,
    unredeemedCount,
    unredeemedValueCents: unredeemedCount * FACE_VALUE_CENTS,
    closedAt: now.toISOString(),
  });
  return true;
}
