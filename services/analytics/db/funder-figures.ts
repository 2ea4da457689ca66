import { eq, sql } from 'drizzle-orm';
import type { EventEnvelope } from '@aptic/contracts';
import { arrayParam, type ConsumerDefinition, type Queryable, type Tx } from '@aptic/runtime';
import { orderFigures, passCarnets, startedCarnets } from './schema.ts';

type Counted = 'order.paid' | 'passes.issued' | 'passes.released' | 'pass.redeemed' | 'redemption.cancelled';
type Counter = 'carnetsIssued' | 'passesIssued' | 'carnetsReleased' | 'passesRedeemed';

/** Adds to an order's counters, creating its row if this is the first event about it. */
async function add(tx: Tx, orderId: string, counter: Counter, delta: number, known: Partial<typeof orderFigures.$inferInsert> = {}): Promise<void> {
  await tx
    .insert(orderFigures)
    .values({ orderId, ...known, [counter]: delta })
    .onConflictDoUpdate({ target: orderFigures.orderId, set: { ...known, [counter]: sql`${orderFigures[counter]} + ${delta}` } });
}

async function apply(tx: Tx, e: EventEnvelope<Counted>): Promise<void> {
  switch (e.type) {
    case 'order.paid': {
      const d = (e as EventEnvelope<'order.paid'>).data;
      return add(tx, d.orderId, 'carnetsIssued', 0, { funderId: d.funderId, carnetSize: d.carnetSize });
    }
    case 'passes.issued': {
      const d = (e as EventEnvelope<'passes.issued'>).data;
      const carnets = new Set(d.passes.map((p) => p.carnetNumber)).size;
      await tx.execute(sql`INSERT INTO ${passCarnets} (pass_id, order_id, carnet_number)
        SELECT id, ${d.orderId}, carnet FROM unnest(${arrayParam(d.passes.map((p) => p.passId), 'uuid')}, ${arrayParam(d.passes.map((p) => p.carnetNumber), 'integer')}) AS t(id, carnet)
        ON CONFLICT DO NOTHING`);
      await add(tx, d.orderId, 'passesIssued', d.passes.length, { funderId: d.funderId });
      return add(tx, d.orderId, 'carnetsIssued', carnets);
    }
    case 'passes.released': {
      const d = (e as EventEnvelope<'passes.released'>).data;
      return add(tx, d.orderId, 'carnetsReleased', d.carnetNumbers.length);
    }
    case 'pass.redeemed': {
      const d = (e as EventEnvelope<'pass.redeemed'>).data;
      await tx.execute(sql`INSERT INTO ${startedCarnets} (order_id, carnet_number) SELECT order_id, carnet_number FROM ${passCarnets} WHERE pass_id = ${d.passId} ON CONFLICT DO NOTHING`);
      return add(tx, d.orderId, 'passesRedeemed', 1, { funderId: d.funderId });
    }
    case 'redemption.cancelled':
      return add(tx, (e as EventEnvelope<'redemption.cancelled'>).data.orderId, 'passesRedeemed', -1);
  }
}

/** The funder's dashboard figures, from printing's and redemption's events. */
export const funderFigures: ConsumerDefinition<Counted> = {
  name: 'funder-figures',
  events: ['order.paid', 'passes.issued', 'passes.released', 'pass.redeemed', 'redemption.cancelled'],
  async apply(tx, events) {
    for (const e of events) await apply(tx, e);
  },
};

/** Per order and in total: carnets issued, handed out (released), started; passes redeemed. */
export async function readFunderFigures(db: Queryable, funderId: string) {
  const rows = await db
    .select({ figures: orderFigures, started: sql<number>`(SELECT count(*)::int FROM ${startedCarnets} s WHERE s.order_id = ${orderFigures.orderId})` })
    .from(orderFigures)
    .where(eq(orderFigures.funderId, funderId));
  const orders = rows.map(({ figures: f, started }) => ({
    orderId: f.orderId,
    carnetsIssued: f.carnetsIssued,
    passesIssued: f.passesIssued,
    carnetsReleased: f.carnetsReleased,
    carnetsStarted: started,
    passesRedeemed: f.passesRedeemed,
  }));
  const total = (k: Exclude<keyof (typeof orders)[number], 'orderId'>) => orders.reduce((sum, o) => sum + o[k], 0);
  return {
    funderId,
    orders,
    totals: { carnetsIssued: total('carnetsIssued'), passesIssued: total('passesIssued'), carnetsReleased: total('carnetsReleased'), carnetsStarted: total('carnetsStarted'), passesRedeemed: total('passesRedeemed') },
  };
}
