import { randomUUID } from 'node:crypto';
import { and, asc, between, desc, eq, sql } from 'drizzle-orm';
import { DomainError, checkPivot, territory } from '@aptic/contracts';
import { queryRows, type Emit, type Page, type Queryable, type Tx } from '@aptic/runtime';
import { checkHandOut, checkRenewal, type CarnetFacts } from '../domain/hand-out.ts';
import { audit, findPrintOrder, markReleased } from './issuance.ts';
import { allocations, carnets, handOuts, prescribers } from './schema.ts';

export type Prescriber = typeof prescribers.$inferSelect;

export interface PrescriberInput {
  name: string;
  siret?: string;
  rna?: string;
  communeCode: string;
  contactName: string;
  contactEmail: string;
  contactPhone?: string;
  placeId?: string;
}

const unknownPrescriber = () => new DomainError('unknown_prescriber', 'Prescripteur inconnu.', { status: 404 });

function checkCommune(code: string, field: string): string {
  if (territory().commune(code)) return code;
  throw new DomainError('unknown_commune', `Code commune INSEE inconnu : ${code}.`, { status: 422, field });
}

export async function createPrescriber(tx: Tx, input: PrescriberInput, actor: string): Promise<Prescriber> {
  const pivot = checkPivot(input, 'du prescripteur');
  const row = {
    id: randomUUID(),
    name: input.name,
    ...pivot,
    communeCode: checkCommune(input.communeCode, 'communeCode'),
    contactName: input.contactName,
    contactEmail: input.contactEmail,
    contactPhone: input.contactPhone ?? null,
    placeId: input.placeId ?? null,
  };
  const [created] = await tx.insert(prescribers).values(row).onConflictDoNothing().returning();
  if (!created)
    throw new DomainError(
      'prescriber_exists',
      'Un prescripteur existe déjà avec ce SIRET (ou RNA), ou pour ce lieu de médiation.',
      { status: 409, field: 'siret' },
    );
  await audit(tx, { entity: 'prescriber', entityId: row.id, scopeId: row.id, action: 'create', actor });
  return created;
}

export async function findPrescriber(db: Queryable, id: string): Promise<Prescriber> {
  const [found] = await db.select().from(prescribers).where(eq(prescribers.id, id));
  if (!found) throw unknownPrescriber();
  return found;
}

export function listPrescribers(db: Queryable, page: Page): Promise<Prescriber[]> {
  return db
    .select()
    .from(prescribers)
    .orderBy(asc(prescribers.name), asc(prescribers.id))
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * Puts the carnets `first`–`last` of an order in a prescripteur's stock. All or nothing: a range
 * reaching past the order, or holding a carnet already in a stock, changes nothing.
 */
export async function allocate(
  tx: Tx,
  prescriberId: string,
  range: { orderId: string; firstCarnet: number; lastCarnet: number },
  actor: string,
) {
  await findPrescriber(tx, prescriberId);
  await findPrintOrder(tx, range.orderId);
  const { orderId, firstCarnet, lastCarnet } = range;
  if (lastCarnet < firstCarnet)
    throw new DomainError('invalid_range', 'Le dernier carnet précède le premier.', {
      status: 422,
      field: 'lastCarnet',
    });
  const inRange = and(eq(carnets.orderId, orderId), between(carnets.number, firstCarnet, lastCarnet));
  const rows = await tx.select().from(carnets).where(inRange).for('update');
  const size = lastCarnet - firstCarnet + 1;
  if (rows.length !== size)
    throw new DomainError(
      'range_outside_order',
      `Les carnets ${firstCarnet} à ${lastCarnet} ne sont pas tous de cette commande (${rows.length} sur ${size}).`,
      { status: 422, field: 'firstCarnet' },
    );
  const taken = rows.filter((c) => c.prescriberId !== null).map((c) => c.number);
  if (taken.length > 0)
    throw new DomainError(
      'already_allocated',
      `Carnet(s) déjà attribué(s) à un prescripteur : ${taken.slice(0, 10).join(', ')}${taken.length > 10 ? '…' : ''}.`,
      { status: 409, field: 'firstCarnet' },
    );
  await tx.update(carnets).set({ prescriberId }).where(inRange);
  const id = randomUUID();
  await tx.insert(allocations).values({ id, prescriberId, orderId, firstCarnet, lastCarnet, allocatedBy: actor });
  await audit(tx, {
    entity: 'prescriber',
    entityId: prescriberId,
    scopeId: prescriberId,
    action: 'allocate',
    actor,
    details: { orderId, firstCarnet, lastCarnet },
  });
  return { id, prescriberId, orderId, firstCarnet, lastCarnet, carnets: size };
}

/** The row read, before the hand-out and renewal facts are shaped. */
type FactsRow = Omit<CarnetFacts, 'handedOut' | 'renewedBy'> & {
  handedOutAt: string | null;
  renewal: boolean;
  renewedBy: number | null;
  activation: string | null;
  publics: string[];
  deliveredAt: string | null;
};

/** Everything the hand-out rules need about a carnet, in one statement (locked with `lock`). */
async function carnetFacts(db: Queryable, carnetNumber: number, lock: boolean) {
  const [row] = await queryRows<FactsRow>(
    db,
    sql`SELECT c.number, c.order_id AS "orderId", o.funder_id AS "funderId", o.carnet_size AS "carnetSize",
               c.prescriber_id AS "prescriberId",
               (SELECT count(*)::int FROM printing.pass p WHERE p.carnet_number = c.number AND p.blocked_at IS NOT NULL) AS "blockedPasses",
               h.handed_out_at AS "handedOutAt", h.renews_carnet_number IS NOT NULL AS renewal,
               (SELECT r.carnet_number FROM printing.hand_out r WHERE r.renews_carnet_number = c.number) AS "renewedBy",
               o.rules->>'activation' AS activation, o.rules->'publics' AS publics,
               (SELECT j.updated_at FROM printing.print_job j WHERE j.order_id = c.order_id AND j.status = 'delivered') AS "deliveredAt"
          FROM printing.carnet c
          JOIN printing.print_order o ON o.order_id = c.order_id
          LEFT JOIN printing.hand_out h ON h.carnet_number = c.number
         WHERE c.number = ${carnetNumber}
         ${lock ? sql`FOR UPDATE OF c` : sql``}`,
  );
  if (!row)
    throw new DomainError('unknown_carnet', `Carnet ${carnetNumber} inconnu : vérifiez le code scanné.`, {
      status: 404,
      field: 'carnet',
    });
  const facts: CarnetFacts = {
    ...row,
    handedOut: row.handedOutAt ? { at: new Date(row.handedOutAt), renewal: row.renewal } : undefined,
    renewedBy: row.renewedBy ?? undefined,
  };
  return { facts, row };
}

export interface HandOutInput {
  orderId: string;
  carnetNumber: number;
  publicCode?: string;
  communeCode?: string;
  renewsCarnetNumber?: number;
}

/** Passes of a carnet redeemed now (asked of redemption). */
export type UsageOf = (orderId: string, carnetNumber: number) => Promise<number>;

/**
 * Records a carnet handed out by a prescripteur (remise), announces it (carnet.handed_out) and,
 * for an order activated at hand-out, releases its passes in the same transaction.
 */
export async function handOut(
  tx: Tx,
  emit: Emit,
  prescriberId: string,
  input: HandOutInput,
  usage: UsageOf,
  actor: string,
) {
  const prescriber = await findPrescriber(tx, prescriberId);
  const { facts, row } = await carnetFacts(tx, input.carnetNumber, true);
  checkHandOut(facts, {
    prescriberId,
    orderId: input.orderId,
    targetPublics: row.publics,
    publicCode: input.publicCode,
  });
  const communeCode = input.communeCode === undefined ? undefined : checkCommune(input.communeCode, 'communeCode');
  if (input.renewsCarnetNumber !== undefined) {
    const renewed = await carnetFacts(tx, input.renewsCarnetNumber, true);
    checkRenewal(facts, renewed.facts, await usage(renewed.facts.orderId, renewed.facts.number));
  }
  const handedOutAt = new Date();
  const record = {
    id: randomUUID(),
    carnetNumber: facts.number,
    orderId: facts.orderId,
    prescriberId,
    handedOutAt,
    handedOutBy: actor,
    publicCode: input.publicCode ?? null,
    communeCode: communeCode ?? null,
    renewsCarnetNumber: input.renewsCarnetNumber ?? null,
  };
  await tx.insert(handOuts).values(record);
  if (row.activation === 'hand_out') await markReleased(tx, emit, facts.orderId, [facts.number]);
  await emit('carnet.handed_out', {
    handOutId: record.id,
    orderId: facts.orderId,
    funderId: facts.funderId,
    prescriberId,
    prescriberName: prescriber.name,
    carnetNumber: facts.number,
    carnetSize: facts.carnetSize as 5 | 10,
    handedOutAt: handedOutAt.toISOString(),
    ...(row.deliveredAt ? { deliveredAt: new Date(row.deliveredAt).toISOString() } : {}),
    ...(input.publicCode ? { publicCode: input.publicCode } : {}),
    ...(communeCode ? { communeCode } : {}),
    ...(input.renewsCarnetNumber ? { renewsCarnetNumber: input.renewsCarnetNumber } : {}),
  });
  await audit(tx, {
    entity: 'prescriber',
    entityId: prescriberId,
    scopeId: prescriberId,
    action: 'hand_out',
    actor,
    details: { orderId: facts.orderId, carnet: facts.number, renews: input.renewsCarnetNumber ?? null },
  });
  return record;
}

/** A prescripteur's stock per order: carnets allocated, handed out, still in stock (their numbers by range). */
export async function stockOf(db: Queryable, prescriberId: string) {
  const rows = await queryRows<{ orderId: string; allocated: number; handedOut: number; inStock: number[] }>(
    db,
    sql`SELECT a.order_id AS "orderId", sum(a.last_carnet - a.first_carnet + 1)::int AS allocated,
               (SELECT count(*)::int FROM printing.hand_out h WHERE h.prescriber_id = ${prescriberId} AND h.order_id = a.order_id) AS "handedOut",
               coalesce((SELECT array_agg(c.number ORDER BY c.number) FROM printing.carnet c
                          WHERE c.prescriber_id = ${prescriberId} AND c.order_id = a.order_id
                            AND NOT EXISTS (SELECT 1 FROM printing.hand_out h WHERE h.carnet_number = c.number)), '{}') AS "inStock"
          FROM printing.carnet_allocation a WHERE a.prescriber_id = ${prescriberId}
         GROUP BY a.order_id ORDER BY a.order_id`,
  );
  return rows.map(({ inStock, ...r }) => ({ ...r, inStock: inStock.length, ranges: ranges(inStock) }));
}

/** Sorted numbers as ranges: [1, 2, 3, 7] → [[1, 3], [7, 7]]. */
function ranges(numbers: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of numbers) {
    const last = out.at(-1);
    if (last && last[1] === n - 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

export function handOutsOf(db: Queryable, prescriberId: string, filter: { orderId?: string }, page: Page) {
  return db
    .select()
    .from(handOuts)
    .where(
      and(eq(handOuts.prescriberId, prescriberId), filter.orderId ? eq(handOuts.orderId, filter.orderId) : undefined),
    )
    .orderBy(desc(handOuts.handedOutAt), desc(handOuts.carnetNumber))
    .limit(page.limit)
    .offset(page.offset);
}
