import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DomainError, type EventEnvelope } from '@aptic/contracts';
import { arrayParam, auditWriter, queryRows, type Emit, type Queryable, type Tx } from '@aptic/runtime';
import { PASSES_PER_EVENT, chunks, passesOf, type IssuedPass, type PassKeys } from '../domain/issuance.ts';
import { auditLog, carnets, passes, printOrders } from './schema.ts';

export const audit = auditWriter<'order' | 'print_partner' | 'prescriber'>(auditLog);
/**
 * Carnets per insert statement (one array parameter per column). Each insert is sent before the
 * next carnets' codes are made, so PostgreSQL writes one part while this process hashes the next:
 * both cores work at once, where making every code first and then inserting kept one waiting
 * for the other.
 */
const CARNETS_PER_INSERT = 1_000;

/**
 * Issues every pass of a paid order: carnets numbered, codes made with the key, all written in
 * bulk (without their codes) and announced (passes.issued, in chunks, with the codes' lookup
 * hashes) in the same transaction. An order is issued once:
 * its row is the guard, whatever the redeliveries.
 */
export async function issuePasses(
  tx: Tx,
  emit: Emit,
  event: EventEnvelope<'order.paid'>,
  keys: PassKeys,
): Promise<void> {
  const d = event.data;
  const [fresh] = await tx
    .insert(printOrders)
    .values({
      orderId: d.orderId,
      funderId: d.funderId,
      funderName: d.funderName,
      offer: d.offer,
      carnetSize: d.carnetSize,
      carnets: d.carnets,
      options: d.options,
      rules: d.rules,
      issuedAt: new Date(),
    })
    .onConflictDoNothing()
    .returning();
  if (!fresh) return;
  const numbers = (
    await queryRows<{ n: number }>(
      tx,
      sql`SELECT nextval('printing.carnet_number')::int AS n FROM generate_series(1, ${d.carnets}) ORDER BY 1`,
    )
  ).map((r) => r.n);
  await tx.execute(
    sql`INSERT INTO ${carnets} (number, order_id) SELECT unnest(${arrayParam(numbers, 'integer')}), ${d.orderId}`,
  );
  const issued: IssuedPass[] = [];
  let inserting = Promise.resolve();
  for (const carnetsOfPart of chunks(numbers, CARNETS_PER_INSERT)) {
    const part = passesOf(carnetsOfPart, d.carnetSize, keys);
    issued.push(...part);
    await inserting;
    inserting = insertPasses(tx, d.orderId, part);
    // Awaited at the next part or after the last; a failure meanwhile is not an unhandled one.
    inserting.catch(() => {});
  }
  await inserting;
  const parts = chunks(issued, PASSES_PER_EVENT);
  for (const [index, part] of parts.entries())
    await emit('passes.issued', {
      orderId: d.orderId,
      funderId: d.funderId,
      chunk: { index, of: parts.length },
      passes: part,
    });
  await audit(tx, {
    entity: 'order',
    entityId: d.orderId,
    scopeId: d.orderId,
    action: 'issue',
    actor: `system: order.paid ${event.id}`,
    details: { carnets: numbers.length, first: numbers[0], last: numbers.at(-1), passes: issued.length },
  });
}

/**
 * One insert of passes (without their codes), one array parameter per column, sent at once: drizzle's
 * query runs when it is awaited, and again at each await, so it is started here, once, as a promise.
 */
function insertPasses(tx: Tx, orderId: string, part: readonly IssuedPass[]): Promise<void> {
  const ids = arrayParam(
    part.map((p) => p.passId),
    'uuid',
  );
  const numbers = arrayParam(
    part.map((p) => p.carnetNumber),
    'integer',
  );
  const positions = arrayParam(
    part.map((p) => p.position),
    'integer',
  );
  const query = tx.execute(sql`
    INSERT INTO ${passes} (pass_id, order_id, carnet_number, position)
    SELECT id, ${orderId}, carnet, position FROM unnest(${ids}, ${numbers}, ${positions}) AS t(id, carnet, position)`);
  return query.then(() => undefined);
}

export async function findPrintOrder(db: Queryable, orderId: string) {
  const [order] = await db.select().from(printOrders).where(eq(printOrders.orderId, orderId));
  if (!order)
    throw new DomainError('unknown_order', 'Commande inconnue de l’impression (pas encore payée ?).', { status: 404 });
  return order;
}

/** Where an order's carnets stand: issued, released, blocked passes. */
export async function orderStatus(db: Queryable, orderId: string) {
  const order = await findPrintOrder(db, orderId);
  const [counts] = await queryRows<{
    carnets: number;
    released: number;
    passes: number;
    blocked: number;
    first: number;
    last: number;
  }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM ${carnets} WHERE order_id = ${orderId}) AS carnets,
               (SELECT count(*)::int FROM ${carnets} WHERE order_id = ${orderId} AND released_at IS NOT NULL) AS released,
               (SELECT count(*)::int FROM ${passes} WHERE order_id = ${orderId}) AS passes,
               (SELECT count(*)::int FROM ${passes} WHERE order_id = ${orderId} AND blocked_at IS NOT NULL) AS blocked,
               (SELECT min(number) FROM ${carnets} WHERE order_id = ${orderId}) AS first,
               (SELECT max(number) FROM ${carnets} WHERE order_id = ${orderId}) AS last`,
  );
  return {
    orderId,
    funderId: order.funderId,
    carnetSize: order.carnetSize,
    issuedAt: order.issuedAt.toISOString(),
    firstCarnet: counts!.first,
    lastCarnet: counts!.last,
    carnets: counts!.carnets,
    releasedCarnets: counts!.released,
    passes: counts!.passes,
    blockedPasses: counts!.blocked,
  };
}

/**
 * Carnets received at their delivery point (their print job delivered), or released by a staff
 * decision with its reason (handed out one by one): their passes become redeemable. Until then a
 * stolen box is worthless. An order activated at hand-out (rules.activation) is not released by
 * its delivery: each carnet is, when a prescripteur hands it out (db/distribution.ts).
 */
export async function releaseCarnets(
  tx: Tx,
  emit: Emit,
  orderId: string,
  decision: { carnetNumbers?: number[]; reason: string } | 'delivered',
  actor: string,
): Promise<number[]> {
  const requested = decision === 'delivered' ? undefined : decision.carnetNumbers;
  const order = await findPrintOrder(tx, orderId);
  if (decision === 'delivered' && order.rules.activation === 'hand_out') return [];
  const ofOrder = await tx
    .select({ number: carnets.number, releasedAt: carnets.releasedAt })
    .from(carnets)
    .where(eq(carnets.orderId, orderId))
    .for('update');
  const known = new Set(ofOrder.map((c) => c.number));
  const unknown = (requested ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new DomainError('unknown_carnet', `Carnet(s) ${unknown.slice(0, 10).join(', ')} : pas dans cette commande.`, {
      status: 422,
      field: 'carnetNumbers',
    });
  const wanted = new Set(requested ?? known);
  const toRelease = ofOrder.filter((c) => wanted.has(c.number) && !c.releasedAt).map((c) => c.number);
  if (toRelease.length === 0) return [];
  await markReleased(tx, emit, orderId, toRelease);
  const reason = decision === 'delivered' ? 'print job delivered' : decision.reason;
  await audit(tx, {
    entity: 'order',
    entityId: orderId,
    scopeId: orderId,
    action: 'release',
    actor,
    details: { carnets: toRelease.length, reason },
  });
  return toRelease;
}

/** Sets the carnets released and announces it (passes.released): redemption accepts their passes from then on. */
export async function markReleased(tx: Tx, emit: Emit, orderId: string, numbers: number[]): Promise<void> {
  const releasedAt = new Date();
  await tx
    .update(carnets)
    .set({ releasedAt })
    .where(and(eq(carnets.orderId, orderId), inArray(carnets.number, numbers)));
  for (const part of chunks(numbers, 5_000))
    await emit('passes.released', { orderId, carnetNumbers: part, releasedAt: releasedAt.toISOString() });
}

/** A carnet, or some of its passes, declared lost or stolen: redemption refuses them from then on. */
export async function blockCarnet(
  tx: Tx,
  emit: Emit,
  carnetNumber: number,
  input: { reason: string; positions?: number[] },
  actor: string,
): Promise<string[]> {
  const [carnet] = await tx.select().from(carnets).where(eq(carnets.number, carnetNumber));
  if (!carnet) throw new DomainError('unknown_carnet', `Carnet ${carnetNumber} inconnu.`, { status: 404 });
  const where = input.positions?.length
    ? and(eq(passes.carnetNumber, carnetNumber), inArray(passes.position, input.positions), isNull(passes.blockedAt))
    : and(eq(passes.carnetNumber, carnetNumber), isNull(passes.blockedAt));
  const blocked = await tx
    .update(passes)
    .set({ blockedAt: new Date(), blockReason: input.reason })
    .where(where)
    .returning({ passId: passes.passId });
  if (blocked.length === 0)
    throw new DomainError('nothing_to_block', 'Ces pass sont déjà bloqués (ou n’existent pas dans ce carnet).', {
      status: 409,
    });
  const passIds = blocked.map((b) => b.passId);
  await emit('passes.blocked', { orderId: carnet.orderId, carnetNumber, passIds, reason: input.reason });
  await audit(tx, {
    entity: 'order',
    entityId: carnet.orderId,
    scopeId: carnet.orderId,
    action: 'block',
    actor,
    details: { carnetNumber, passes: passIds.length, reason: input.reason },
  });
  return passIds;
}
