import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { DomainError, type Offer } from '@aptic/contracts';
import { addDays, queryRows, type Page, type Queryable, type Tx } from '@aptic/runtime';
import { priceQuote, type CarnetSize } from '../domain/pricing.ts';
import { assertMove, rulesEditable, type OrderStatus } from '../domain/lifecycle.ts';
import { QUOTE_VALIDITY_DAYS } from '../domain/billing.ts';
import { resolveUsageRules, type UsageRulesInput } from '../domain/usage-rules.ts';
import { findFunder } from './funders.ts';
import { audit } from './records.ts';
import { funders, orders } from './schema.ts';

export type Order = typeof orders.$inferSelect;

export interface QuoteInput {
  funderId: string;
  offer: Offer;
  carnetSize: CarnetSize;
  carnets: number;
  options: string[];
  rules?: UsageRulesInput;
}

const notFound = () => new DomainError('unknown_order', 'Commande ou devis inconnu.', { status: 404 });

export async function findOrder(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<Order> {
  const query = db.select().from(orders).where(eq(orders.id, id));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) throw notFound();
  return row;
}

/** A quote (devis): priced, its usage rules resolved, numbered DEV-<year>-<n>. */
/** Orders (quotes included) by status and funder, newest first. */
export async function listOrders(
  db: Queryable,
  filter: { status?: OrderStatus; funderId?: string },
  page: Page,
): Promise<Order[]> {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(orders.status, filter.status));
  if (filter.funderId) where.push(eq(orders.funderId, filter.funderId));
  return db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), asc(orders.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function createQuote(tx: Tx, input: QuoteInput, today: string, actor: string): Promise<Order> {
  const funder = await findFunder(tx, input.funderId);
  const priced = priceQuote(input, { firstOrder: funder.openedAt === null });
  const rules = resolveUsageRules(input.rules ?? {}, input.offer, { issuedOn: today });
  const id = randomUUID();
  const [next] = await queryRows<{ n: string }>(tx, sql`SELECT nextval('ordering.quote_number')::text AS n`);
  const [row] = await tx
    .insert(orders)
    .values({
      id,
      quoteNumber: `DEV-${today.slice(0, 4)}-${next!.n.padStart(6, '0')}`,
      funderId: funder.id,
      status: 'quoted',
      offer: input.offer,
      carnetSize: input.carnetSize,
      carnets: input.carnets,
      passCount: priced.passCount,
      options: [...input.options],
      firstOrder: funder.openedAt === null,
      lines: priced.lines,
      faceValueCents: priced.faceValueCents,
      totalExclVatCents: priced.totalExclVatCents,
      vatCents: priced.vatCents,
      totalInclVatCents: priced.totalInclVatCents,
      rules,
      quotedOn: today,
      quoteValidUntil: addDays(today, QUOTE_VALIDITY_DAYS),
    })
    .returning();
  await audit(tx, {
    entity: 'order',
    entityId: id,
    scopeId: id,
    action: 'quote',
    toStatus: 'quoted',
    actor,
    details: { offer: input.offer, carnets: input.carnets, options: input.options },
  });
  return row!;
}

/** Moves an order along its lifecycle, if nobody moved it meanwhile, and writes the audit row. */
export async function moveOrder(
  tx: Tx,
  order: Order,
  to: OrderStatus,
  actor: string,
  details?: unknown,
  set: Partial<Order> = {},
): Promise<Order> {
  assertMove(order.status, to);
  const [moved] = await tx
    .update(orders)
    .set({ ...set, status: to })
    .where(and(eq(orders.id, order.id), eq(orders.status, order.status)))
    .returning();
  if (!moved)
    throw new DomainError(
      'concurrent_change',
      'La commande vient d’être modifiée par ailleurs : recharger et réessayer.',
      { status: 409 },
    );
  await audit(tx, {
    entity: 'order',
    entityId: order.id,
    scopeId: order.id,
    action: `move:${to}`,
    fromStatus: order.status,
    toStatus: to,
    actor,
    details,
  });
  return moved;
}

/** Changes the usage rules until the order is paid. */
export async function changeRules(
  tx: Tx,
  id: string,
  input: UsageRulesInput,
  today: string,
  actor: string,
): Promise<Order> {
  const order = await findOrder(tx, id, { lock: true });
  if (!rulesEditable(order.status)) {
    throw new DomainError(
      'rules_frozen',
      'Les règles d’usage ne peuvent plus changer : la commande est payée et les pass sont émis sous ces règles.',
      { status: 409 },
    );
  }
  const rules = resolveUsageRules(input, order.offer as Offer, {
    issuedOn: order.quotedOn > today ? order.quotedOn : today,
  });
  const [row] = await tx.update(orders).set({ rules }).where(eq(orders.id, id)).returning();
  await audit(tx, {
    entity: 'order',
    entityId: id,
    scopeId: id,
    action: 'rules',
    actor,
    details: { before: order.rules, after: rules },
  });
  return row!;
}

/** Quotes past their validity date become expired (the hourly sweep). */
export async function expireQuotes(tx: Tx, today: string): Promise<number> {
  const stale = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'quoted'), sql`${orders.quoteValidUntil} < ${today}`))
    .orderBy(asc(orders.createdAt))
    .for('update', { skipLocked: true });
  for (const order of stale) await moveOrder(tx, order, 'expired', 'system: quote validity sweep');
  return stale.length;
}

export async function lockFunder(tx: Tx, funderId: string) {
  const [row] = await tx.select().from(funders).where(eq(funders.id, funderId)).for('update');
  return row!;
}
