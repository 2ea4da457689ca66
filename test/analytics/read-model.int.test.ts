import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { RawPublisher, testEvent as envelope } from '../support/events.ts';
import { eventually, startDistributed } from '../support/platform.ts';
import { analyticsWorld, shuffled } from './world.ts';

let infra: Isolated;
let node: RunningPlatform;
let publisher: RawPublisher;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [analytics]);
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
});
afterAll(async () => {
  await publisher?.close();
  await node?.stop();
  await infra?.cleanup();
});

/** Everything the dashboards read, as one comparable value. */
async function figures() {
  const db = node.database.db;
  const rows = async (q: string) => queryRows<Record<string, unknown>>(db, sql.raw(q));
  return {
    orders:
      await rows(`SELECT funder_id, passes_issued, carnets_issued, carnets_released, passes_released, passes_handed_out, passes_blocked, carnets_started,
                               passes_redeemed, redeemed_cents::int, held_cents::int, passes_outstanding FROM analytics.orders ORDER BY order_id`),
    usage: await rows(
      `SELECT day::text, funder_id, service_code, commune_code, redemptions, cents::int FROM analytics.usage WHERE redemptions <> 0 ORDER BY 1, 2, 3`,
    ),
    carnets: await rows(
      `SELECT order_id, carnet_number, redeemed FROM analytics.carnet WHERE redeemed <> 0 ORDER BY 1, 2`,
    ),
    facts: await rows(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE cancelled_at IS NULL)::int AS live FROM analytics.redemption_fact`,
    ),
    denied: await rows(`SELECT reason, sum(scans)::int AS n FROM analytics.denied_daily GROUP BY 1 ORDER BY 1`),
    places: await rows(`SELECT count(*)::int AS n FROM analytics.place`),
    periods: await rows(`SELECT count(*)::int AS n FROM analytics.period`),
  };
}

const inbox = async () =>
  (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM analytics.inbox`))[0]!.n;

const settled = (w: ReturnType<typeof analyticsWorld>) => async () => {
  const f = await figures();
  const a = f.orders.find((o) => o.funder_id === w.funderA);
  return {
    f,
    done: a?.passes_redeemed === w.expected.a.passesRedeemed && a?.passes_issued === 30 && a?.passes_blocked === 2,
  };
};

test('events in any order across types, twice, and again later leave the same figures', async () => {
  const w = analyticsWorld();
  // Reverse order first: every redemption before its passes, the cancellation before its redemption.
  const reversed = [...w.events].reverse();
  await publisher.publishMany(reversed);
  const first = await eventually(settled(w), (r) => r.done && r.f.denied.length === 2 && r.f.periods[0]?.n === 1);
  const a = first.f.orders.find((o) => o.funder_id === w.funderA)!;
  expect(a).toMatchObject({
    passes_issued: 30,
    carnets_issued: 3,
    passes_released: 20,
    passes_handed_out: 10,
    passes_blocked: 2,
    carnets_started: 3,
    passes_redeemed: 5,
    redeemed_cents: 5_000,
    held_cents: 25_000,
    passes_outstanding: 23,
  });
  expect(first.f.orders.find((o) => o.funder_id === w.funderB)).toMatchObject({
    passes_issued: 20,
    passes_redeemed: 2,
    carnets_started: 1,
  });
  expect(
    first.f.usage
      .filter((u) => u.funder_id === w.funderA)
      .map((u) => [u.day, u.service_code, u.commune_code, u.redemptions]),
  ).toEqual([
    ['2026-11-02', 'demarches_en_ligne', '16015', 3],
    ['2026-11-03', 'prise_en_main', '16102', 2],
  ]);
  expect(first.f.facts).toEqual([{ n: 8, live: 7 }]);
  expect(first.f.denied).toEqual([
    { reason: 'already_redeemed', n: 2 },
    { reason: 'unknown_pass', n: 1 },
  ]);

  // Every event again, shuffled, under new message ids (JetStream's dedup lets them through): the inbox
  // and the facts' keys must hold the figures still. Then the same envelopes a third time, as a replay would.
  await publisher.publishMany(
    shuffled(w.events, 7).map((e) => ({ ...e })),
    (e) => `again-${e.id}`,
  );
  await publisher.publishMany(shuffled(w.events, 11), (e) => `replay-${e.id}`);
  await eventually(inbox, (n) => n >= w.events.length);
  // Give the duplicates time to arrive and be skipped.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await figures()).toEqual(first.f);
});

test('a random order per type, with redemptions and their passes applied concurrently, gives the same started carnets', async () => {
  for (const seed of [1, 2, 3]) {
    const w = analyticsWorld();
    const before = await inbox();
    await publisher.publishMany(shuffled(w.events, seed));
    // Every event applied, not only the counters the others check: 5 redeemed can also be a moment
    // where the cancellation and one redemption are both still to come.
    await eventually(inbox, (n) => n >= before + w.events.length);
    const r = await eventually(settled(w), (x) => x.done);
    const a = r.f.orders.find((o) => o.funder_id === w.funderA)!;
    expect(a).toMatchObject({ carnets_started: 3, passes_redeemed: 5, redeemed_cents: 5_000 });
  }
});

test('order.redemption_closed: nothing of the order in circulation nor held, its unused passes credited, before its order is known and twice', async () => {
  const w = analyticsWorld();
  const closing = envelope('order.redemption_closed', {
    orderId: w.orderA,
    funderId: w.funderA,
    passCount: 30,
    redeemedCount: 5,
    unredeemedCount: 25,
    unredeemedValueCents: 25_000,
    closedAt: '2027-02-01T00:00:00.000Z',
  });
  const order = async (orderId: string) =>
    (
      await queryRows<Record<string, unknown>>(
        node.database.db,
        sql`SELECT passes_issued, passes_redeemed, passes_blocked, passes_outstanding, held_cents::int, redemption_closed_at IS NOT NULL AS closed,
                   passes_unused, unused_cents::int, credit_note_cents::int, credit_cents::int FROM analytics.orders WHERE order_id = ${orderId}`,
      )
    )[0];
  // The closing first, before the order.paid that makes the order known.
  await publisher.publishMany([closing, ...w.events]);
  const closed = await eventually(
    () => order(w.orderA),
    (o) => o?.passes_redeemed === 5 && o?.passes_issued === 30 && o?.passes_blocked === 2 && o?.closed === true,
  );
  expect(closed).toMatchObject({
    passes_outstanding: 0,
    held_cents: 0,
    passes_unused: 25,
    unused_cents: 25_000,
    credit_note_cents: 0,
    credit_cents: 25_000,
  });
  // Ordering's credit note follows, and the closing is announced again: the credit counts once.
  await publisher.publishMany([
    envelope('credit_note.issued', {
      creditNoteId: randomUUID(),
      funderId: w.funderA,
      orderId: w.orderA,
      number: 'AV-2027-000001',
      amountCents: 25_000,
    }),
    { ...closing, id: randomUUID() },
  ]);
  const credited = await eventually(
    () => order(w.orderA),
    (o) => o?.credit_note_cents === 25_000,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  expect(await order(w.orderA)).toEqual(credited);
  expect(credited).toMatchObject({ passes_outstanding: 0, held_cents: 0, passes_unused: 25, credit_cents: 25_000 });
  // The other funder's order is still open.
  expect(await order(w.orderB)).toMatchObject({
    closed: false,
    passes_outstanding: 18,
    held_cents: 18_000,
    credit_cents: 0,
  });
});

test('place events out of order: the newest place version wins, details and status each', async () => {
  const placeId = randomUUID();
  const now = Date.now();
  const qualified = (placeVersion: number, communeCode: string, name: string, at: number) =>
    envelope(
      'place.qualified',
      { placeId, placeVersion, name, type: 'centre_social', communeCode, epciCode: '200071827', departementCode: '16' },
      new Date(at),
    );
  const place = async () =>
    (
      await queryRows<{ name: string | null; commune: string | null; status: string }>(
        node.database.db,
        sql`SELECT name, commune_code AS commune, status FROM analytics.place WHERE place_id = ${placeId}`,
      )
    )[0];
  // The suspension (version 3) first: the place is known by its status only.
  await publisher.publish(
    envelope('place.suspended', { placeId, placeVersion: 3, reason: 'contrôle' }, new Date(now - 60_000)),
  );
  expect(await eventually(place, (p) => p !== undefined)).toEqual({ name: null, commune: null, status: 'suspended' });
  // Its qualification (version 2) comes after: it fills in the details, the place stays suspended.
  await publisher.publish(qualified(2, '16102', 'Médiathèque (nouvelle adresse)', now));
  const current = { name: 'Médiathèque (nouvelle adresse)', commune: '16102', status: 'suspended' };
  await eventually(place, (p) => p?.name !== null);
  expect(await place()).toEqual(current);
  // An older qualification replayed, with a later time (another clock): neither name nor commune nor status come back.
  await publisher.publish(qualified(1, '16015', 'Médiathèque', now + 60_000));
  // A newer fact after it still applies: the older one was seen and ignored, not merely not yet read.
  await publisher.publish(
    envelope('place.revoked', { placeId, placeVersion: 4, reason: 'fermeture' }, new Date(now - 30_000)),
  );
  await eventually(place, (p) => p?.status === 'revoked');
  expect(await place()).toEqual({ ...current, status: 'revoked' });
  // A newer qualification moves both again.
  await publisher.publish(qualified(5, '16015', 'Médiathèque de Cognac', now - 10_000));
  expect(await eventually(place, (p) => p?.status === 'qualified')).toEqual({
    name: 'Médiathèque de Cognac',
    commune: '16015',
    status: 'qualified',
  });
});
