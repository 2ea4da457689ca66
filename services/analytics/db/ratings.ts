import { sql } from 'drizzle-orm';
import { SECRECY_THRESHOLD, territory, type EventEnvelope } from '@aptic/contracts';
import { queryRows, type ConsumerDefinition, type Queryable, type Tx } from '@aptic/runtime';
import { ALL, publishWithSecrecy, type Cell } from '../domain/open-data.ts';
import { CELL_COLUMNS, cellColumns, tableCsv } from './open-data.ts';

/**
 * Beneficiaries' ratings (qualification's service.rated, rating.withdrawn): one fact per rating at
 * its highest revision, whatever order or how often the events come; satisfaction per place and
 * service for the funders whose passes paid, and the monthly open data under statistical secrecy.
 */

async function rated(tx: Tx, events: EventEnvelope<'service.rated'>[]): Promise<void> {
  for (const { data: d } of events)
    await tx.execute(sql`
      INSERT INTO analytics.rating_fact AS f (rating_id, revision, funder_id, order_id, place_id, offer_id, service_code,
                                              score, would_return, redeemed_at, rated_at, withdrawn)
      VALUES (${d.ratingId}, ${d.revision}, ${d.funderId}, ${d.orderId}, ${d.placeId}, ${d.offerId}, ${d.serviceCode},
              ${d.score}, ${d.wouldReturn}, ${d.redeemedAt}, ${d.ratedAt}, false)
      ON CONFLICT (rating_id) DO UPDATE SET revision = excluded.revision, order_id = excluded.order_id,
        offer_id = excluded.offer_id, service_code = excluded.service_code, score = excluded.score,
        would_return = excluded.would_return, redeemed_at = excluded.redeemed_at, rated_at = excluded.rated_at
        WHERE f.revision < excluded.revision`);
}

async function withdrawn(tx: Tx, events: EventEnvelope<'rating.withdrawn'>[]): Promise<void> {
  for (const { data: d } of events)
    await tx.execute(sql`
      INSERT INTO analytics.rating_fact AS f (rating_id, revision, funder_id, place_id, withdrawn)
      VALUES (${d.ratingId}, ${d.revision}, ${d.funderId}, ${d.placeId}, true)
      ON CONFLICT (rating_id) DO UPDATE SET revision = excluded.revision, withdrawn = true
        WHERE f.revision < excluded.revision`);
}

export const ratingsConsumer: ConsumerDefinition<'service.rated' | 'rating.withdrawn'> = {
  name: 'ratings',
  events: ['service.rated', 'rating.withdrawn'],
  async apply(tx, events) {
    await rated(tx, events.filter((e) => e.type === 'service.rated') as EventEnvelope<'service.rated'>[]);
    await withdrawn(tx, events.filter((e) => e.type === 'rating.withdrawn') as EventEnvelope<'rating.withdrawn'>[]);
  },
};

export type Satisfaction = {
  placeId: string;
  placeName: string | null;
  serviceCode: string | null;
  ratings: number;
  meanScore: number | null;
  wouldReturnShare: number | null;
  /** Fewer ratings than the statistical secrecy threshold: the mean and share are not given. */
  secret: boolean;
};

/**
 * A funder's satisfaction per place and service: the ratings of its own passes only. A cell of
 * fewer than SECRECY_THRESHOLD ratings gives its count, not its mean nor share (as the funder
 * dashboard and open data): a mean of one or two ratings would be one beneficiary's answer.
 */
export function funderSatisfaction(db: Queryable, funderId: string): Promise<Satisfaction[]> {
  const shown = (figure: string) => sql.raw(`CASE WHEN ratings >= ${SECRECY_THRESHOLD} THEN ${figure} END`);
  return queryRows<Satisfaction>(
    db,
    sql`SELECT place_id AS "placeId", place_name AS "placeName", service_code AS "serviceCode", ratings,
               ${shown('mean_score')} AS "meanScore", ${shown('would_return_share')} AS "wouldReturnShare",
               ratings < ${SECRECY_THRESHOLD} AS secret
          FROM analytics.satisfaction WHERE funder_id = ${funderId}
         ORDER BY place_name, place_id, service_code`,
  );
}

// ---------------------------------------------------------------------------------------------
// Open data

const COLUMNS = [
  ...CELL_COLUMNS,
  'nombre_avis',
  'note_moyenne',
  'part_y_retourneraient',
  'secret_statistique',
] as const;
export type RatingOpenDataRow = Record<(typeof COLUMNS)[number], string | number | boolean | null>;

type RatingCell = Cell & { scoreSum: number; returnSum: number };
const cellKey = (c: Omit<Cell, 'passes'>) => `${c.month}|${c.communeCode}|${c.serviceCode}|${c.placeType}`;
const ratio = (sum: number, n: number) => Math.round((sum / n) * 100) / 100;

/**
 * The month's published ratings (by the month they were given, Paris time), per commune × service
 * × place type: count, mean score and share who would go back, under the redemptions' small-cell
 * rule (a count hidden hides its mean and share too). No comment, no personal data.
 */
export async function ratingOpenDataRows(db: Queryable, month: string): Promise<RatingOpenDataRow[]> {
  const cells = await queryRows<RatingCell>(
    db,
    sql`
    SELECT ${month} AS month, p.commune_code AS "communeCode", f.service_code AS "serviceCode", p.type AS "placeType",
           count(*)::int AS passes, sum(f.score)::int AS "scoreSum", sum(CASE WHEN f.would_return THEN 1 ELSE 0 END)::int AS "returnSum"
      FROM analytics.rating_fact f
      JOIN analytics.place p ON p.place_id = f.place_id
     WHERE NOT f.withdrawn AND f.score IS NOT NULL
       AND (f.rated_at AT TIME ZONE 'Europe/Paris') >= to_date(${month}, 'YYYY-MM')
       AND (f.rated_at AT TIME ZONE 'Europe/Paris') < to_date(${month}, 'YYYY-MM') + interval '1 month'
     GROUP BY p.commune_code, f.service_code, p.type`,
  );
  const sums = new Map(cells.map((c) => [cellKey(c), c]));
  const totals = Map.groupBy(cells, (c) => c.communeCode);
  const names = territory();
  return publishWithSecrecy(cells).map((c) => {
    const group = c.serviceCode === ALL ? totals.get(c.communeCode)! : [sums.get(cellKey(c))!];
    const n = group.reduce((s, g) => s + g.passes, 0);
    const shown = !c.secret;
    return {
      ...cellColumns(c, names),
      nombre_avis: c.passes,
      note_moyenne: shown
        ? ratio(
            group.reduce((s, g) => s + g.scoreSum, 0),
            n,
          )
        : null,
      part_y_retourneraient: shown
        ? ratio(
            group.reduce((s, g) => s + g.returnSum, 0),
            n,
          )
        : null,
      secret_statistique: c.secret,
    };
  });
}

export const ratingOpenDataCsv = (rows: readonly RatingOpenDataRow[]) => tableCsv(COLUMNS, rows);
