import { sql } from 'drizzle-orm';
import { PLACE_TYPES, SERVICE_CATEGORIES, territory } from '@aptic/contracts';
import { queryRows, type Queryable } from '@aptic/runtime';
import type { ReportFigures } from '../domain/report.ts';

const label = (list: readonly { code: string; label: string }[], code: string) =>
  list.find((x) => x.code === code)?.label ?? code;

/** A funder's figures for its activity report, over a period of Paris days; undefined for a funder with no order. */
export async function reportFigures(
  db: Queryable,
  funderId: string,
  from: string,
  to: string,
): Promise<(Omit<ReportFigures, 'logo'> & { premiumOrderId: string | null }) | undefined> {
  const [totals] = await queryRows<
    ReportFigures['totals'] & { funderName: string; premiumOrderId: string | null; orders: number }
  >(
    db,
    sql`
    SELECT count(*)::int AS orders, (array_agg(funder_name ORDER BY paid_at DESC NULLS LAST))[1] AS "funderName",
           (array_agg(order_id ORDER BY paid_at DESC NULLS LAST) FILTER (WHERE offer = 'premium'))[1] AS "premiumOrderId",
           coalesce(sum(passes_issued), 0)::int AS "passesIssued", coalesce(sum(passes_handed_out), 0)::int AS "passesHandedOut",
           coalesce(sum(passes_redeemed), 0)::int AS "passesRedeemed", coalesce(sum(passes_outstanding), 0)::int AS "passesOutstanding",
           coalesce(sum(carnets_issued), 0)::int AS "carnetsIssued", coalesce(sum(carnets_started), 0)::int AS "carnetsStarted",
           coalesce(sum(redeemed_cents), 0)::bigint::float8 AS "redeemedCents", coalesce(sum(held_cents), 0)::bigint::float8 AS "heldCents"
      FROM analytics.orders WHERE funder_id = ${funderId}`,
  );
  if (!totals || totals.orders === 0) return undefined;
  const inPeriod = sql`funder_id = ${funderId} AND day BETWEEN ${from}::date AND ${to}::date`;
  const byMonth = await queryRows<{ month: string; passes: number; cents: number }>(
    db,
    sql`
    SELECT to_char(day, 'YYYY-MM') AS month, sum(redemptions)::int AS passes, sum(cents)::float8 AS cents FROM analytics.usage_daily WHERE ${inPeriod} GROUP BY 1 ORDER BY 1`,
  );
  const byService = await queryRows<{ code: string; passes: number }>(
    db,
    sql`
    SELECT coalesce(category_code, 'inconnu') AS code, sum(redemptions)::int AS passes FROM analytics.usage WHERE ${inPeriod} GROUP BY 1 ORDER BY 2 DESC, 1`,
  );
  const places = await queryRows<{
    name: string | null;
    communeCode: string | null;
    type: string | null;
    passes: number;
    latitude: number | null;
    longitude: number | null;
  }>(
    db,
    sql`
    SELECT place_name AS name, commune_code AS "communeCode", place_type AS type, sum(redemptions)::int AS passes, latitude, longitude
      FROM analytics.usage WHERE ${inPeriod} GROUP BY place_id, place_name, commune_code, place_type, latitude, longitude ORDER BY 4 DESC, 1`,
  );
  const communes = territory();
  const { funderName, premiumOrderId, orders: _, ...counters } = totals;
  return {
    funderName,
    premium: premiumOrderId !== null,
    premiumOrderId,
    from,
    to,
    totals: counters,
    period: {
      passesRedeemed: byMonth.reduce((s, m) => s + m.passes, 0),
      redeemedCents: byMonth.reduce((s, m) => s + m.cents, 0),
    },
    byMonth: byMonth.map(({ month, passes }) => ({ month, passes })),
    byService: byService.map((s) => ({ label: label(SERVICE_CATEGORIES, s.code), passes: s.passes })),
    places: places.map((p) => ({
      name: p.name ?? 'Lieu inconnu',
      commune: (p.communeCode && communes.commune(p.communeCode)?.nom) ?? p.communeCode ?? '',
      type: p.type ? label(PLACE_TYPES, p.type) : '',
      passes: p.passes,
      latitude: p.latitude,
      longitude: p.longitude,
    })),
  };
}
