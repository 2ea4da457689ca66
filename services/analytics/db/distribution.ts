import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '@aptic/runtime';

/** Median and count of a delay in hours, over the carnets that have both ends. */
interface Delay {
  carnets: number;
  medianHours: number | null;
}

/**
 * A funder's distribution network at work: carnets handed out per prescripteur, per public, per
 * commune of residence, renewals, and the delays from delivery to hand-out and from hand-out to
 * the carnet's first pass used (redemptions net of cancellations).
 */
export async function readDistribution(db: Queryable, funderId: string) {
  const group = (column: string) =>
    queryRows<{ key: string | null; name?: string; handedOut: number; renewals: number }>(
      db,
      sql`SELECT ${sql.raw(column)} AS key, ${sql.raw(column === 'prescriber_id' ? 'min(prescriber_name)' : 'NULL')} AS name,
                 count(*)::int AS "handedOut", count(renews_carnet_number)::int AS renewals
            FROM analytics.hand_out_fact WHERE funder_id = ${funderId}
           GROUP BY 1 ORDER BY 3 DESC, 1`,
    );
  const [byPrescriber, byPublic, byCommune] = await Promise.all([
    group('prescriber_id'),
    group('public_code'),
    group('commune_code'),
  ]);
  const [delays] = await queryRows<{ toHandOut: Delay; toFirstUse: Delay }>(
    db,
    sql`WITH first_use AS (
          SELECT h.hand_out_id, min(r.scanned_at) AS used_at
            FROM analytics.hand_out_fact h
            JOIN analytics.pass p ON p.order_id = h.order_id AND p.carnet_number = h.carnet_number
            JOIN analytics.redemption_fact r ON r.pass_id = p.pass_id AND r.cancelled_at IS NULL
           WHERE h.funder_id = ${funderId}
           GROUP BY h.hand_out_id)
        SELECT json_build_object('carnets', count(h.delivered_at),
                 'medianHours', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM h.handed_out_at - h.delivered_at)) / 3600)::numeric, 2)) AS "toHandOut",
               json_build_object('carnets', count(u.used_at),
                 'medianHours', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM u.used_at - h.handed_out_at)) / 3600)::numeric, 2)) AS "toFirstUse"
          FROM analytics.hand_out_fact h LEFT JOIN first_use u USING (hand_out_id)
         WHERE h.funder_id = ${funderId}`,
  );
  const rows = (list: typeof byPublic) =>
    list.map(({ key, handedOut, renewals }) => ({ code: key, handedOut, renewals }));
  return {
    funderId,
    handedOut: byPrescriber.reduce((sum, p) => sum + p.handedOut, 0),
    renewals: byPrescriber.reduce((sum, p) => sum + p.renewals, 0),
    byPrescriber: byPrescriber.map(({ key, name, handedOut, renewals }) => ({
      prescriberId: key!,
      name: name!,
      handedOut,
      renewals,
    })),
    byPublic: rows(byPublic),
    byCommune: rows(byCommune),
    delays: delays!,
  };
}
