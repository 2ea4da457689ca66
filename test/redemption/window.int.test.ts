/**
 * End of validity without double payment: an offline scan of an order's last valid day, arriving
 * at each point of the order's closing (before it, while it runs either way round, after it, with
 * ordering's consumer lagging, with events replayed), is either redeemed and not credited, or
 * refused and credited — never both, never neither. Through the events the services really emit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { passLookupHash, type EventEnvelope, type ScanMessage, type Verdict } from '@aptic/contracts';
import {
  addDays,
  arrayParam,
  businessDate,
  queryRows,
  type ConsumerDefinition,
  type RunningPlatform,
  type ServiceContext,
} from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { ordering } from '@aptic/ordering';
import { analytics } from '@aptic/analytics';
import { processScans } from '@aptic/redemption/db/scans.ts';
import { judgeScans } from '@aptic/redemption/db/judge.ts';
import { kioskUndo } from '@aptic/redemption/db/cancellations.ts';
import { closeWindow, dueWindows } from '@aptic/redemption/db/windows.ts';
import { isolate, type Isolated } from '../support/infra.ts';
import { TEST_PASS_LOOKUP_KEY, call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';
import { validSiret } from '../support/siret.ts';
import { buildWorld, event, type World } from './world.ts';

let infra: Isolated;
let node: RunningPlatform;
let orderingNode: RunningPlatform;
let probeNode: RunningPlatform;
let w: World;
const closedEvents: EventEnvelope<'order.redemption_closed'>[] = [];
const probe: ConsumerDefinition<'order.redemption_closed'> = {
  name: 'closed-probe',
  events: ['order.redemption_closed'],
  apply: async (_tx, events) => void closedEvents.push(...events),
};

const ctx = (): ServiceContext => node.services[0]!.context;
const orderingUrl = () => orderingNode.services[0]!.url;
const db = () => node.database.db;
/** Sessions waiting on a row lock in this test's database. */
const lockWaits = async () =>
  (
    await queryRows<{ n: number }>(
      db(),
      sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    )
  )[0]!.n;
/** Pass ids by code, as issued here. */
const passIds = new Map<string, string>();
const liveRedemption = async (code: string) =>
  (
    await queryRows<{ n: number }>(
      db(),
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE pass_id = ${passIds.get(code)} AND cancelled_at IS NULL`,
    )
  )[0]!.n;

/** A transaction kept open until released: what it did is written but not committed. */
function held<T>(work: Parameters<ServiceContext['transaction']>[0]) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let done!: (value: T) => void;
  const worked = new Promise<T>((resolve) => (done = resolve));
  const committed = ctx().transaction(async (tx, emit) => {
    const value = (await work(tx, emit)) as T;
    done(value);
    await gate;
    return value;
  });
  return { worked, committed, release };
}

interface PaidOrder {
  orderId: string;
  funderId: string;
  lastDay: string;
  /** An offline scan of the last valid day, arriving the next morning (within the offline limit). */
  lastDayScan(position: number): { scan: ScanMessage; arrival: Date };
}

let sirets = 0;
/**
 * A funder's order through ordering (quote, purchase order, transfer): order.paid reaches redemption;
 * passes issued and released.
 */
async function paidOrder(carnet: number): Promise<PaidOrder> {
  const funder = await call(`${orderingUrl()}/funders`, {
    method: 'POST',
    body: {
      name: `Commune ${carnet}`,
      kind: 'collectivite',
      siret: validSiret(900 + sirets++),
      billingAddress: { line1: '25 boulevard Besson Bey', postalCode: '16000', city: 'Angoulême' },
      publicProcurement: true,
    },
  });
  const funderId = funder.body.id as string;
  const quote = await call(`${orderingUrl()}/quotes`, {
    method: 'POST',
    body: {
      funderId,
      offer: 'standard',
      carnetSize: 10,
      carnets: 100,
      options: [],
      rules: { perimeter: { departements: ['16'] } },
    },
  });
  const orderId = quote.body.id as string;
  await call(`${orderingUrl()}/quotes/${orderId}/acceptance/purchase-order`, {
    method: 'POST',
    body: { reference: `BC-${carnet}` },
  });
  const paid = await call(`${orderingUrl()}/orders/${orderId}/payments`, {
    method: 'POST',
    body: { amountCents: 1_000_000, receivedOn: businessDate(), reference: `VIR-${carnet}` },
  });
  expect(paid.body.status).toBe('paid');
  const passes = Array.from({ length: 10 }, (_, i) => ({
    passId: randomUUID(),
    codeHash: passLookupHash(TEST_PASS_LOOKUP_KEY, w.code(carnet, i + 1)),
    carnetNumber: carnet,
    position: i + 1,
  }));
  passes.forEach((p, i) => passIds.set(w.code(carnet, i + 1), p.passId));
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  for (const e of [
    event('passes.issued', { orderId, funderId, chunk: { index: 0, of: 1 }, passes }),
    event('passes.released', { orderId, carnetNumbers: [carnet], releasedAt: new Date().toISOString() }),
  ])
    await publisher.publish(e, { msgID: e.id });
  await publisher.close();
  const [window] = await eventually(
    async () =>
      queryRows<{ lastDay: string; passes: number }>(
        db(),
        sql`
      SELECT w.last_day::text AS "lastDay", (SELECT count(*)::int FROM redemption.pass p WHERE p.order_id = w.order_id) AS passes
        FROM redemption.order_window w WHERE w.order_id = ${orderId} AND EXISTS (SELECT 1 FROM redemption.carnet_release r WHERE r.order_id = w.order_id)`,
      ),
    (rows) => rows[0]?.passes === 10,
  );
  const lastDay = window!.lastDay;
  return {
    orderId,
    funderId,
    lastDay,
    lastDayScan: (position) => ({
      // 22:30 in Paris on the last day (winter time), sent the next morning when the network is back.
      scan: w.scan(carnet, position, { scannedAt: `${lastDay}T21:30:00.000Z`, offline: true }),
      arrival: new Date(`${addDays(lastDay, 1)}T08:00:00.000Z`),
    }),
  };
}

const judgeIn = (scan: ScanMessage, arrival: Date) =>
  ctx()
    .transaction((tx, emit) => processScans(tx, emit, [scan], arrival))
    .then((v) => v[0]!);
const creditNotes = async (funderId: string) =>
  (await call(`${orderingUrl()}/funders/${funderId}/credit-notes`)).body as Array<{
    orderId: string;
    unusedPasses: number;
    amountCents: number;
  }>;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [redemption]);
  orderingNode = await startDistributed(infra, [ordering]);
  probeNode = await startDistributed(infra, [{ ...analytics, consumers: () => [probe] }]);
  w = await buildWorld(infra, node);
});
afterAll(async () => {
  await probeNode?.stop();
  await orderingNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

describe('an order’s redemption window', () => {
  let x: PaidOrder;
  let y: PaidOrder;
  const verdicts = new Map<string, { code: string; verdict: Verdict }>();
  const keep = (scan: ScanMessage, verdict: Verdict) => verdicts.set(scan.scanId, { code: scan.code, verdict });

  test('closes once the last valid day plus the offline limit is over (Europe/Paris), not before', async () => {
    x = await paidOrder(301);
    y = await paidOrder(302);
    expect(x.lastDay).toBe(`${Number(businessDate().slice(0, 4)) + 1}-01-31`);
    const days = node.services[0]!.context.config.kioskOfflineDays;
    expect(await dueWindows(db(), addDays(x.lastDay, days), days)).not.toContain(x.orderId);
    expect(await dueWindows(db(), addDays(x.lastDay, days + 1), days)).toEqual(
      expect.arrayContaining([x.orderId, y.orderId]),
    );
  });

  test('before the close: the last day’s offline scan is redeemed', async () => {
    const { scan, arrival } = x.lastDayScan(1);
    const verdict = await judgeIn(scan, arrival);
    expect(verdict.outcome).toBe('accepted');
    keep(scan, verdict);
  });

  test('ordering lags: its consumer is down while the windows close', async () => {
    await orderingNode.stop();
  });

  test('a scan being judged when the close starts: the close waits for it and counts it', async () => {
    const { scan, arrival } = x.lastDayScan(2);
    const judging = held<Verdict[]>((tx, emit) => processScans(tx, emit, [scan], arrival));
    const [verdict] = await judging.worked;
    expect(verdict!.outcome).toBe('accepted');
    const closing = ctx().transaction((tx, emit) => closeWindow(tx, emit, x.orderId));
    await eventually(lockWaits, (n) => n > 0);
    judging.release();
    await judging.committed;
    expect(await closing).toBe(true);
    keep(scan, verdict!);
    const [window] = await queryRows<{ status: string; redeemed: number }>(
      db(),
      sql`SELECT status, redeemed_count AS redeemed FROM redemption.order_window WHERE order_id = ${x.orderId}`,
    );
    expect(window).toEqual({ status: 'closed', redeemed: 2 });
  });

  test('a close under way when a scan comes: the scan waits, then is refused', async () => {
    const closing = held<boolean>((tx, emit) => closeWindow(tx, emit, y.orderId));
    expect(await closing.worked).toBe(true);
    const { scan, arrival } = y.lastDayScan(1);
    // The scan judged while the close is not committed: it reads the window open, and waits on it.
    const judging = judgeScans(ctx(), [scan], arrival);
    await eventually(lockWaits, (n) => n > 0);
    closing.release();
    await closing.committed;
    const [verdict] = await judging;
    expect(verdict).toMatchObject({
      outcome: 'denied',
      reason: 'redemption_window_closed',
      message: expect.stringContaining('close depuis le'),
    });
    keep(scan, verdict!);
  });

  test('after the close: uploads are refused with a reason, and the count cannot change', async () => {
    for (const [order, position] of [
      [x, 3],
      [y, 2],
    ] as const) {
      const { scan, arrival } = order.lastDayScan(position);
      const verdict = await judgeScans(ctx(), [scan], arrival);
      expect(verdict[0]).toMatchObject({ outcome: 'denied', reason: 'redemption_window_closed' });
      keep(scan, verdict[0]!);
    }
    // The first scan's undo (within its minutes) is refused too: the count is final.
    const [first] = [...verdicts.keys()];
    const undo = await ctx().transaction((tx, emit) =>
      kioskUndo(tx, emit, {
        cancelId: randomUUID(),
        kioskId: w.kiosks[0]!,
        scanId: first!,
        requestedAt: new Date().toISOString(),
      }),
    );
    expect(undo).toMatchObject({ outcome: 'refused', message: expect.stringContaining('close') });
    // Closing again announces nothing.
    expect(await ctx().transaction((tx, emit) => closeWindow(tx, emit, x.orderId))).toBe(false);
    const closed = await eventually(
      async () => closedEvents,
      (list) => list.length === 2,
    );
    expect(closed.map((e) => e.data).sort((a, b) => a.redeemedCount - b.redeemedCount)).toEqual([
      expect.objectContaining({
        orderId: y.orderId,
        funderId: y.funderId,
        passCount: 1000,
        redeemedCount: 0,
        unredeemedCount: 1000,
        unredeemedValueCents: 1_000_000,
      }),
      expect.objectContaining({
        orderId: x.orderId,
        funderId: x.funderId,
        passCount: 1000,
        redeemedCount: 2,
        unredeemedCount: 998,
        unredeemedValueCents: 998_000,
      }),
    ]);
  });

  test('ordering comes back: it closes each order on the final count and credits what was not redeemed', async () => {
    orderingNode = await startDistributed(infra, [ordering]);
    for (const order of [x, y])
      await eventually(
        async () => (await call(`${orderingUrl()}/orders/${order.orderId}`)).body.status,
        (s) => s === 'closed',
      );
    expect(await creditNotes(x.funderId)).toEqual([
      expect.objectContaining({ orderId: x.orderId, unusedPasses: 998, amountCents: 998_000 }),
    ]);
    expect(await creditNotes(y.funderId)).toEqual([
      expect.objectContaining({ orderId: y.orderId, unusedPasses: 1000, amountCents: 1_000_000 }),
    ]);
  });

  test('events replayed (the closing announced again, a redemption delivered again): nothing more is credited', async () => {
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    const replays: EventEnvelope[] = closedEvents.map((e) => ({ ...e, id: randomUUID() }));
    const [redeemedAgain] = await queryRows<{ data: EventEnvelope<'pass.redeemed'>['data'] }>(
      db(),
      sql`
      SELECT json_build_object('redemptionId', r.id, 'passId', r.pass_id, 'orderId', r.order_id, 'funderId', r.funder_id, 'placeId', r.place_id, 'kioskId', r.kiosk_id,
             'offerId', r.offer_id, 'serviceActId', r.service_act_id, 'faceValueCents', r.face_value_cents, 'scannedAt', r.scanned_at, 'lateUpload', r.late_upload) AS data
        FROM redemption.redemption r WHERE r.order_id = ${x.orderId} LIMIT 1`,
    );
    replays.push(
      event('pass.redeemed', {
        ...redeemedAgain!.data,
        scannedAt: new Date(redeemedAgain!.data.scannedAt).toISOString(),
      }),
    );
    for (const e of [...closedEvents, ...replays]) await publisher.publish(e, { msgID: randomUUID() });
    await publisher.close();
    await eventually(
      async () =>
        (
          await queryRows<{ n: number }>(
            orderingNode.database.db,
            sql`SELECT count(*)::int AS n FROM ordering.inbox WHERE event_id = ANY(${arrayParam(
              replays.map((e) => e.id),
              'uuid',
            )})`,
          )
        )[0]!.n,
      (n) => n === replays.length,
    );
    expect((await creditNotes(x.funderId)).map((c) => c.amountCents)).toEqual([998_000]);
    expect((await creditNotes(y.funderId)).map((c) => c.amountCents)).toEqual([1_000_000]);
  });

  test('every scan of the last day: redeemed and not credited, or refused and credited — never both, never neither', async () => {
    const credited = { [x.orderId]: 998, [y.orderId]: 1000 };
    for (const [order, carnet] of [
      [x, 301],
      [y, 302],
    ] as const) {
      const codes = new Set(Array.from({ length: 10 }, (_, i) => w.code(carnet, i + 1)));
      let redeemed = 0;
      for (const { code, verdict } of verdicts.values()) {
        if (!codes.has(code)) continue;
        const live = await liveRedemption(code);
        expect(live).toBe(verdict.outcome === 'accepted' ? 1 : 0);
        redeemed += live;
      }
      expect(redeemed + credited[order.orderId]!).toBe(1000);
    }
  });
});
