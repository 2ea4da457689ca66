import { sql, type SQL } from 'drizzle-orm';
import { lastRedemptionDay, type EventDataOf, type EventEnvelope, type EventType } from '@aptic/contracts';
import {
  arrayParam,
  newerFact,
  placeFact,
  preparedRows,
  queryRows,
  setIfNewer,
  type ConsumerDefinition,
  type Fact,
  type Tx,
} from '@aptic/runtime';
import { handOutFact, place } from './schema.ts';

/**
 * The read model's consumers. Each batch is applied with a few set-based statements. What makes
 * them order-insensitive and idempotent:
 * - a redemption is a row keyed by its id, which pass.redeemed fills and redemption.cancelled
 *   stamps, each only once (`WHERE … IS NULL`): the rollups move when, and only when, a row goes
 *   from "not counted" to "counted" (filled and not cancelled) or back;
 * - a pass counts how many times it is redeemed now, and learns its carnet from passes.issued;
 *   whichever of the two comes second moves the carnet's count (the upserts lock the pass row, so
 *   the later transaction sees the earlier one's effect), and the order's "carnets started" moves
 *   when a carnet's count leaves or reaches zero;
 * - counters of an order add what one event says, once per event (the inbox);
 * - dimensions (offers, kiosks) are upserts of what the last event said; places keep the newest
 *   fact by their place version.
 */

type Applier<T extends EventType> = (tx: Tx, events: EventEnvelope<T>[]) => Promise<void>;

const PARIS_DAY = (column: string) => sql.raw(`(${column} AT TIME ZONE 'Europe/Paris')::date`);

/** Moves carnets' redeemed counts by per-pass deltas and the orders' carnets_started accordingly (a CTE chain's tail). */
const carnetDeltas = (passDeltas: SQL): SQL => sql`
  carnet_delta AS (
    SELECT order_id, carnet_number, sum(delta)::int AS delta FROM (${passDeltas}) d
     WHERE carnet_number IS NOT NULL AND delta <> 0 GROUP BY order_id, carnet_number),
  carnet_after AS (
    INSERT INTO analytics.carnet AS c (order_id, carnet_number, redeemed)
    SELECT order_id, carnet_number, delta FROM carnet_delta ORDER BY order_id, carnet_number
    ON CONFLICT (order_id, carnet_number) DO UPDATE SET redeemed = c.redeemed + excluded.redeemed
    RETURNING order_id, carnet_number, redeemed),
  started AS (
    SELECT a.order_id,
           (count(*) FILTER (WHERE d.delta > 0 AND a.redeemed = d.delta) - count(*) FILTER (WHERE d.delta < 0 AND a.redeemed = 0))::int AS delta
      FROM carnet_after a JOIN carnet_delta d USING (order_id, carnet_number) GROUP BY a.order_id)`;

/** Counts a batch of redemptions (each counted once, whatever order its cancellation came in). */
const redeemed: Applier<'pass.redeemed'> = async (tx, events) => {
  const d = events.map((e) => e.data);
  const col = <T>(pick: (x: (typeof d)[number]) => T) => d.map(pick);
  // The hot path (every scan): one statement, prepared once per connection (planning it cost more than running it).
  await preparedRows(
    tx,
    'analytics-redeemed',
    sql`
    WITH incoming AS (
      SELECT DISTINCT ON (redemption_id) * FROM unnest(
        ${arrayParam(
          col((x) => x.redemptionId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.funderId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.orderId),
          'uuid',
        )},
        ${arrayParam(
          col((x) => x.passId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.placeId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.kioskId),
          'uuid',
        )},
        ${arrayParam(
          col((x) => x.offerId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.serviceActId),
          'uuid',
        )}, ${arrayParam(
          col((x) => x.faceValueCents),
          'integer',
        )},
        ${arrayParam(
          col((x) => x.scannedAt),
          'timestamptz',
        )}, ${arrayParam(
          col((x) => x.lateUpload),
          'boolean',
        )})
        AS t(redemption_id, funder_id, order_id, pass_id, place_id, kiosk_id, offer_id, service_act_id, face_value_cents, scanned_at, late_upload)
      ORDER BY redemption_id),
    filled AS (
      INSERT INTO analytics.redemption_fact AS f (redemption_id, funder_id, order_id, pass_id, place_id, kiosk_id, offer_id, service_act_id, face_value_cents, scanned_at, late_upload)
      SELECT * FROM incoming
      ON CONFLICT (redemption_id) DO UPDATE SET funder_id = excluded.funder_id, order_id = excluded.order_id, pass_id = excluded.pass_id,
        place_id = excluded.place_id, kiosk_id = excluded.kiosk_id, offer_id = excluded.offer_id, service_act_id = excluded.service_act_id,
        face_value_cents = excluded.face_value_cents, scanned_at = excluded.scanned_at, late_upload = excluded.late_upload
        WHERE f.scanned_at IS NULL
      RETURNING f.*),
    counted AS (SELECT * FROM filled WHERE cancelled_at IS NULL),
    rollup AS (
      INSERT INTO analytics.usage_daily AS u (day, funder_id, order_id, place_id, offer_id, redemptions, cents)
      SELECT ${PARIS_DAY('scanned_at')}, funder_id, order_id, place_id, offer_id, count(*), sum(face_value_cents) FROM counted
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 1, 3, 4, 5
      ON CONFLICT (funder_id, day, order_id, place_id, offer_id) DO UPDATE
        SET redemptions = u.redemptions + excluded.redemptions, cents = u.cents + excluded.cents),
    kiosks AS (
      INSERT INTO analytics.kiosk AS k (kiosk_id, place_id, last_scan_at)
      SELECT kiosk_id, min(place_id::text)::uuid, max(scanned_at) FROM filled GROUP BY kiosk_id ORDER BY kiosk_id
      ON CONFLICT (kiosk_id) DO UPDATE SET last_scan_at = greatest(k.last_scan_at, excluded.last_scan_at)),
    pass_after AS (
      INSERT INTO analytics.pass AS p (pass_id, order_id, redeemed)
      SELECT pass_id, min(order_id::text)::uuid, count(*) FROM counted GROUP BY pass_id ORDER BY pass_id
      ON CONFLICT (pass_id) DO UPDATE SET redeemed = p.redeemed + excluded.redeemed
      RETURNING pass_id, order_id, carnet_number),
    ${carnetDeltas(sql`SELECT a.order_id, a.carnet_number, c.n AS delta FROM pass_after a
                         JOIN (SELECT pass_id, count(*)::int AS n FROM counted GROUP BY pass_id) c USING (pass_id)`)},
    per_order AS (
      SELECT order_id, min(funder_id::text)::uuid AS funder_id, count(*)::int AS n, sum(face_value_cents)::bigint AS cents FROM counted GROUP BY order_id)
    INSERT INTO analytics.order_summary AS s (order_id, funder_id, passes_redeemed, redeemed_cents, carnets_started)
    SELECT o.order_id, o.funder_id, o.n, o.cents, coalesce(st.delta, 0) FROM per_order o LEFT JOIN started st USING (order_id) ORDER BY o.order_id
    ON CONFLICT (order_id) DO UPDATE SET funder_id = excluded.funder_id, passes_redeemed = s.passes_redeemed + excluded.passes_redeemed,
      redeemed_cents = s.redeemed_cents + excluded.redeemed_cents, carnets_started = s.carnets_started + excluded.carnets_started`,
  );
};

/**
 * Takes back cancelled redemptions that were counted; a cancellation seen first keeps its redemption
 * from ever counting. Two statements: the first stamps the facts, waiting for a redemption being
 * counted at the same moment to commit; the second, with a snapshot taken after it, sees the rows that
 * redemption created (daily usage, pass, order) — one statement's UPDATEs would miss them.
 */
const cancelled: Applier<'redemption.cancelled'> = async (tx, events) => {
  const ids = [...new Set(events.map((e) => e.data.redemptionId))].sort();
  const at = ids.map((id) => events.find((e) => e.data.redemptionId === id)!.occurredAt);
  const stamped = await queryRows<{ id: string; counted: boolean }>(
    tx,
    sql`
    INSERT INTO analytics.redemption_fact AS f (redemption_id, cancelled_at)
    SELECT * FROM unnest(${arrayParam(ids, 'uuid')}, ${arrayParam(at, 'timestamptz')})
    ON CONFLICT (redemption_id) DO UPDATE SET cancelled_at = excluded.cancelled_at WHERE f.cancelled_at IS NULL
    RETURNING f.redemption_id AS id, f.scanned_at IS NOT NULL AS counted`,
  );
  const counted = stamped.filter((r) => r.counted).map((r) => r.id);
  if (counted.length === 0) return;
  await tx.execute(sql`
    WITH uncounted AS (
      SELECT * FROM analytics.redemption_fact WHERE redemption_id = ANY(${arrayParam(counted, 'uuid')})),
    rollup AS (
      UPDATE analytics.usage_daily u SET redemptions = u.redemptions - x.n, cents = u.cents - x.cents
        FROM (SELECT ${PARIS_DAY('scanned_at')} AS day, funder_id, order_id, place_id, offer_id, count(*)::int AS n, sum(face_value_cents)::bigint AS cents
                FROM uncounted GROUP BY 1, 2, 3, 4, 5) x
       WHERE (u.funder_id, u.day, u.order_id, u.place_id, u.offer_id) = (x.funder_id, x.day, x.order_id, x.place_id, x.offer_id)),
    pass_after AS (
      UPDATE analytics.pass p SET redeemed = p.redeemed - x.n
        FROM (SELECT pass_id, count(*)::int AS n FROM uncounted GROUP BY pass_id) x WHERE p.pass_id = x.pass_id
      RETURNING p.pass_id, p.order_id, p.carnet_number, -x.n AS delta),
    ${carnetDeltas(sql`SELECT order_id, carnet_number, delta FROM pass_after`)},
    per_order AS (SELECT order_id, count(*)::int AS n, sum(face_value_cents)::bigint AS cents FROM uncounted GROUP BY order_id)
    UPDATE analytics.order_summary s
       SET passes_redeemed = s.passes_redeemed - o.n, redeemed_cents = s.redeemed_cents - o.cents, carnets_started = s.carnets_started + coalesce(st.delta, 0)
      FROM per_order o LEFT JOIN started st USING (order_id)
     WHERE s.order_id = o.order_id`);
};

/** Passes of an order and their carnets; passes redeemed before this event arrived now count their carnet. */
const issued: Applier<'passes.issued'> = async (tx, events) => {
  for (const { data } of events) {
    const passes = [...data.passes].sort((a, b) => (a.passId < b.passId ? -1 : 1));
    const carnets = new Set(passes.map((p) => p.carnetNumber)).size;
    await tx.execute(sql`
      WITH pass_after AS (
        INSERT INTO analytics.pass AS p (pass_id, order_id, carnet_number)
        SELECT id, ${data.orderId}, carnet FROM unnest(${arrayParam(
          passes.map((p) => p.passId),
          'uuid',
        )}, ${arrayParam(
          passes.map((p) => p.carnetNumber),
          'integer',
        )}) AS t(id, carnet)
        ON CONFLICT (pass_id) DO UPDATE SET carnet_number = excluded.carnet_number WHERE p.carnet_number IS NULL
        RETURNING order_id, carnet_number, redeemed AS delta),
      ${carnetDeltas(sql`SELECT order_id, carnet_number, delta FROM pass_after`)}
      INSERT INTO analytics.order_summary AS s (order_id, funder_id, passes_issued, carnets_issued, carnets_started)
      VALUES (${data.orderId}, ${data.funderId}, ${passes.length}, ${carnets}, coalesce((SELECT delta FROM started), 0))
      ON CONFLICT (order_id) DO UPDATE SET funder_id = excluded.funder_id, passes_issued = s.passes_issued + excluded.passes_issued,
        carnets_issued = s.carnets_issued + excluded.carnets_issued, carnets_started = s.carnets_started + excluded.carnets_started`);
  }
};

/** Adds to an order's counters, creating its row if this is the first event about it. */
const addToOrder = (tx: Tx, orderId: string, counters: Record<string, number>, known: Record<string, unknown> = {}) => {
  const columns = { ...known, ...counters };
  const names = Object.keys(columns);
  return tx.execute(sql`
    INSERT INTO analytics.order_summary AS s (order_id, ${sql.raw(names.join(', '))})
    VALUES (${orderId}, ${sql.join(
      names.map((n) => sql`${columns[n]}`),
      sql`, `,
    )})
    ON CONFLICT (order_id) DO UPDATE SET ${sql.raw(
      [
        ...Object.keys(known).map((n) => `${n} = excluded.${n}`),
        ...Object.keys(counters).map((n) => `${n} = s.${n} + excluded.${n}`),
      ].join(', '),
    )}`);
};

const paid: Applier<'order.paid'> = async (tx, events) => {
  for (const { data: d, occurredAt } of events) {
    await addToOrder(
      tx,
      d.orderId,
      {},
      {
        funder_id: d.funderId,
        funder_name: d.funderName,
        offer: d.offer,
        carnet_size: d.carnetSize,
        face_value_cents: d.faceValueCents,
        valid_from: d.rules.validFrom,
        last_redemption_day: lastRedemptionDay(d.rules.validUntil),
        paid_at: occurredAt,
      },
    );
  }
};

const released: Applier<'passes.released'> = async (tx, events) => {
  for (const { data } of events) await addToOrder(tx, data.orderId, { carnets_released: data.carnetNumbers.length });
};

/** A carnet handed out: its fact once (keyed by the hand-out), and the order's counters with it. */
const handedOut: Applier<'carnet.handed_out'> = async (tx, events) => {
  for (const { data: d } of events) {
    const fresh = await tx
      .insert(handOutFact)
      .values({
        handOutId: d.handOutId,
        funderId: d.funderId,
        orderId: d.orderId,
        prescriberId: d.prescriberId,
        prescriberName: d.prescriberName,
        carnetNumber: d.carnetNumber,
        handedOutAt: new Date(d.handedOutAt),
        deliveredAt: d.deliveredAt ? new Date(d.deliveredAt) : null,
        publicCode: d.publicCode ?? null,
        communeCode: d.communeCode ?? null,
        renewsCarnetNumber: d.renewsCarnetNumber ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: handOutFact.handOutId });
    if (fresh.length > 0)
      await addToOrder(
        tx,
        d.orderId,
        { carnets_handed_out: 1, carnets_renewed: d.renewsCarnetNumber ? 1 : 0 },
        { funder_id: d.funderId },
      );
  }
};

const blocked: Applier<'passes.blocked'> = async (tx, events) => {
  for (const { data } of events) await addToOrder(tx, data.orderId, { passes_blocked: data.passIds.length });
};

/**
 * The order's redemption window closed (redemption's final count): nothing of it is in circulation
 * or held any more, its unused passes' value is to be credited to the funder. Values, not
 * increments: announced again, it changes nothing.
 */
const closed: Applier<'order.redemption_closed'> = async (tx, events) => {
  for (const { data } of events)
    await addToOrder(
      tx,
      data.orderId,
      {},
      {
        funder_id: data.funderId,
        redemption_closed_at: data.closedAt,
        passes_unused: data.unredeemedCount,
        unused_cents: data.unredeemedValueCents,
      },
    );
};

const credited: Applier<'credit_note.issued'> = async (tx, events) => {
  for (const { data } of events)
    await addToOrder(tx, data.orderId, { credit_note_cents: data.amountCents }, { funder_id: data.funderId });
};

/** Refused scans, each once (keyed by scan), rolled up per day, reason and kiosk. */
const denied: Applier<'scans.denied'> = async (tx, events) => {
  const scans = [...new Map(events.flatMap((e) => e.data.scans).map((s) => [s.scanId, s])).values()].sort((a, b) =>
    a.scanId < b.scanId ? -1 : 1,
  );
  const col = <T>(pick: (s: (typeof scans)[number]) => T) => scans.map(pick);
  await tx.execute(sql`
    WITH fresh AS (
      INSERT INTO analytics.denied_scan (scan_id, kiosk_id, place_id, offer_id, order_id, funder_id, reason, scanned_at)
      SELECT * FROM unnest(${arrayParam(
        col((s) => s.scanId),
        'uuid',
      )}, ${arrayParam(
        col((s) => s.kioskId),
        'uuid',
      )}, ${arrayParam(
        col((s) => s.placeId ?? null),
        'uuid',
      )},
        ${arrayParam(
          col((s) => s.offerId),
          'uuid',
        )}, ${arrayParam(
          col((s) => s.orderId ?? null),
          'uuid',
        )}, ${arrayParam(
          col((s) => s.funderId ?? null),
          'uuid',
        )},
        ${arrayParam(
          col((s) => s.reason),
          'text',
        )}, ${arrayParam(
          col((s) => s.scannedAt),
          'timestamptz',
        )})
      ON CONFLICT (scan_id) DO NOTHING
      RETURNING *)
    INSERT INTO analytics.denied_daily AS d (day, reason, kiosk_id, scans)
    SELECT ${PARIS_DAY('scanned_at')}, reason, kiosk_id, count(*) FROM fresh GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, reason, kiosk_id) DO UPDATE SET scans = d.scans + excluded.scans`);
};

const placeStatus = {
  'place.qualified': 'qualified',
  'place.suspended': 'suspended',
  'place.revoked': 'revoked',
} as const;

/** What place.qualified describes, with the fact it comes from. */
const detailsOf = (d: EventDataOf<'place.qualified'>, fact: Fact) => ({
  name: d.name,
  type: d.type,
  communeCode: d.communeCode,
  epciCode: d.epciCode ?? null,
  departementCode: d.departementCode,
  latitude: d.latitude ?? null,
  longitude: d.longitude ?? null,
  detailsVersion: fact.version,
  detailsAt: fact.asOf,
});

/**
 * A place's status, and what place.qualified describes, each set only by a newer fact than the
 * one held: a suspension delivered before its qualification keeps the place suspended while the
 * qualification still fills in its details; an older event replayed later changes nothing.
 */
const places: Applier<keyof typeof placeStatus> = async (tx, events) => {
  for (const e of events) {
    const fact = placeFact(e);
    const status = { status: placeStatus[e.type], statusVersion: fact.version, statusAt: fact.asOf };
    const details = e.type === 'place.qualified' ? detailsOf((e as EventEnvelope<'place.qualified'>).data, fact) : {};
    await tx
      .insert(place)
      .values({ placeId: e.data.placeId, ...status, ...details })
      .onConflictDoUpdate({
        target: place.placeId,
        set: {
          ...setIfNewer(place, newerFact(place.statusVersion, place.statusAt, fact), status),
          ...setIfNewer(place, newerFact(place.detailsVersion, place.detailsAt, fact), details),
        },
      });
  }
};

const offers: Applier<'offer.published' | 'offer.withdrawn'> = async (tx, events) => {
  for (const e of events) {
    if (e.type === 'offer.withdrawn') {
      // A withdrawal seen before its publication is kept by the publication's upsert.
      await tx.execute(sql`INSERT INTO analytics.offer (offer_id, place_id, service_code, category_code, price_cents, withdrawn)
        VALUES (${e.data.offerId}, ${e.data.placeId}, '', '', 0, true) ON CONFLICT (offer_id) DO UPDATE SET withdrawn = true`);
      continue;
    }
    const d = (e as EventEnvelope<'offer.published'>).data;
    await tx.execute(sql`
      INSERT INTO analytics.offer (offer_id, place_id, service_code, category_code, price_cents)
      VALUES (${d.offerId}, ${d.placeId}, ${d.serviceCode}, ${d.categoryCode}, ${d.priceCents})
      ON CONFLICT (offer_id) DO UPDATE SET place_id = excluded.place_id, service_code = excluded.service_code,
        category_code = excluded.category_code, price_cents = excluded.price_cents`);
  }
};

const kiosks: Applier<'kiosk.registered' | 'kiosk.revoked'> = async (tx, events) => {
  for (const e of events) {
    const revoked = e.type === 'kiosk.revoked';
    await tx.execute(sql`
      INSERT INTO analytics.kiosk AS k (kiosk_id, place_id, registered, revoked) VALUES (${e.data.kioskId}, ${e.data.placeId}, true, ${revoked})
      ON CONFLICT (kiosk_id) DO UPDATE SET place_id = excluded.place_id, registered = true, revoked = k.revoked OR excluded.revoked`);
  }
};

const periods: Applier<'period.closed'> = async (tx, events) => {
  for (const { data: d } of events) {
    await tx.execute(sql`
      INSERT INTO analytics.period (period_id, month, place_id, gross_cents, fee_cents, net_cents, pass_count)
      VALUES (${d.periodId}, ${d.month}, ${d.placeId}, ${d.grossCents}, ${d.feeCents}, ${d.netCents}, ${d.passCount})
      ON CONFLICT (period_id) DO NOTHING`);
  }
};

type PayoutEvent = 'payout.sent' | 'payout.executed' | 'payout.rejected' | 'payout.held';
const payoutStatus = {
  'payout.sent': 'sent',
  'payout.executed': 'executed',
  'payout.rejected': 'rejected',
  'payout.held': 'held',
} as const;

/** A payout at the status of its latest event (by the instant it happened), whatever order they arrive in. */
const payouts: Applier<PayoutEvent> = async (tx, events) => {
  for (const e of events) {
    const d = e.data as EventEnvelope<'payout.held'>['data'] & { reasonCode?: string };
    await tx.execute(sql`
      INSERT INTO analytics.payout AS p (payout_id, place_id, month, net_cents, status, reason, status_at)
      VALUES (${d.payoutId}, ${d.placeId}, ${d.month}, ${d.netCents}, ${payoutStatus[e.type]}, ${d.reason ?? d.reasonCode ?? null}, ${e.occurredAt})
      ON CONFLICT (payout_id) DO UPDATE SET net_cents = excluded.net_cents, status = excluded.status, reason = excluded.reason, status_at = excluded.status_at
        WHERE p.status_at <= excluded.status_at`);
  }
};

/** A consumer applying each type of its events with its applier, type by type in first-seen order. */
function consumer<T extends EventType>(name: string, appliers: { [K in T]: Applier<K> }): ConsumerDefinition<T> {
  return {
    name,
    events: Object.keys(appliers) as T[],
    async apply(tx, events) {
      const byType = Map.groupBy(events, (e) => e.type);
      for (const [type, batch] of byType) await (appliers[type] as Applier<T>)(tx, batch);
    },
  };
}

/** Redemptions and passes: the facts and rollups of the funders' dashboards. */
export const usage = consumer('usage', {
  'pass.redeemed': redeemed,
  'redemption.cancelled': cancelled,
  'passes.issued': issued,
  'passes.released': released,
  'passes.blocked': blocked,
  'carnet.handed_out': handedOut,
  'order.paid': paid,
  'credit_note.issued': credited,
  'order.redemption_closed': closed,
});

/** Places, offers, kiosks, refused scans, settlement periods and payouts: the dimensions and the staff's figures. */
export const directory = consumer('directory', {
  'place.qualified': places,
  'place.suspended': places,
  'place.revoked': places,
  'offer.published': offers,
  'offer.withdrawn': offers,
  'kiosk.registered': kiosks,
  'kiosk.revoked': kiosks,
  'scans.denied': denied,
  'period.closed': periods,
  'payout.sent': payouts,
  'payout.executed': payouts,
  'payout.rejected': payouts,
  'payout.held': payouts,
});
