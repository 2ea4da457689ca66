import { DashboardBuilder, RowBuilder, VariableRefresh } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as BarChart } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as Geomap } from '@grafana/grafana-foundation-sdk/geomap';
import { SECRECY_THRESHOLD } from '@aptic/contracts';
import { DATASOURCE, ORDER_FILTER, TERRITORY_FILTER, datasourceVariable, query, sqlVariable, stat } from './panels.ts';

/** Redemptions in the dashboard's range, for the chosen orders and territory. */
const USAGE = `analytics.usage WHERE $__timeFilter(day) AND ${ORDER_FILTER} AND ${TERRITORY_FILTER}`;
const ORDERS = `analytics.orders WHERE ${ORDER_FILTER}`;
/** The usage per place, summed before the place's details are joined (once per place, not per row of the rollup). */
const BY_PLACE = `(SELECT place_id, sum(redemptions) AS redemptions, sum(cents) AS cents FROM ${USAGE} GROUP BY place_id) u LEFT JOIN analytics.place p USING (place_id)`;

/** Ratings of the funder's passes given in the range (withdrawn ones not), for the chosen orders and territory. */
const RATINGS = `analytics.rating_fact f LEFT JOIN analytics.place p USING (place_id) WHERE NOT f.withdrawn AND f.score IS NOT NULL AND $__timeFilter(f.rated_at) AND ${ORDER_FILTER} AND ${TERRITORY_FILTER}`;
/** A cell's figures once it counts enough ratings (statistical secrecy: one person's score is never shown). */
const unlessSmall = (figure: string) => `CASE WHEN r.ratings >= ${SECRECY_THRESHOLD} THEN ${figure} END`;
const RATING_FIGURES = `r.ratings AS "Avis", ${unlessSmall('round(r.mean, 2)')} AS "Note moyenne (sur 5)", ${unlessSmall('round(100 * r.back)')} AS "Y retourneraient (%)"`;
/** The ratings per key, counted, averaged and the share who would go back. */
const ratingsBy = (key: string) =>
  `(SELECT ${key}, count(*) AS ratings, avg(f.score) AS mean, avg(CASE WHEN f.would_return THEN 1 ELSE 0 END) AS back FROM ${RATINGS} GROUP BY ${key}) r`;

const satisfaction = (title: string, rawSql: string) =>
  new Table()
    .title(title)
    .description(
      `Avis donnés par les bénéficiaires sur le service payé avec vos pass (note de 1 à 5, « Y retourneriez-vous ? »). Secret statistique : la note et la part ne sont montrées qu’à partir de ${SECRECY_THRESHOLD} avis.`,
    )
    .datasource(DATASOURCE)
    .height(8)
    .span(12)
    .noValue('—')
    .withTarget(query(rawSql));

/** A funder's dashboard: its passes and what they paid for, under its own PostgreSQL role. */
export function funderDashboard() {
  return new DashboardBuilder('Mes pass numériques')
    .uid('aptic-funder')
    .tags(['aptic', 'commanditaire'])
    .description('Vos pass numériques #APTIC : émis, remis, utilisés, où et pour quels services.')
    .timezone('Europe/Paris')
    .time({ from: 'now-90d', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(datasourceVariable())
    .withVariable(
      sqlVariable(
        'order',
        'Commande',
        `SELECT order_id::text AS __value, 'Commande du ' || to_char(paid_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY') || ' (' || passes_issued || ' pass)' AS __text FROM analytics.orders ORDER BY paid_at`,
      ),
    )
    .withVariable(
      sqlVariable(
        'territory',
        'Territoire',
        // The places of the funder's usage in the range, read once, not once per kind of territory.
        `WITH used AS (SELECT DISTINCT departement_code, epci_code, commune_code FROM analytics.place WHERE place_id IN (SELECT place_id FROM analytics.usage WHERE $__timeFilter(day))) ` +
          [
            `SELECT 'departement:' || departement_code AS __value, 'Département ' || departement_code AS __text FROM used WHERE departement_code IS NOT NULL`,
            `SELECT 'epci:' || epci_code, 'EPCI ' || epci_code FROM used WHERE epci_code IS NOT NULL`,
            `SELECT 'commune:' || commune_code, 'Commune ' || commune_code FROM used WHERE commune_code IS NOT NULL`,
          ].join(' UNION '),
        VariableRefresh.OnTimeRangeChanged,
      ),
    )
    .withRow(new RowBuilder('Mes pass'))
    .withPanel(
      stat(
        'Pass émis',
        'Pass imprimés pour vos commandes.',
        `SELECT coalesce(sum(passes_issued), 0) AS "Pass émis" FROM ${ORDERS}`,
      ),
    )
    .withPanel(
      stat(
        'Pass remis',
        'Pass des carnets remis aux bénéficiaires par vos prescripteurs (scannés à la remise).',
        `SELECT coalesce(sum(passes_handed_out), 0) AS "Pass remis" FROM ${ORDERS}`,
      ),
    )
    .withPanel(
      stat(
        'Pass utilisés',
        'Pass scannés dans un lieu de médiation, annulations déduites.',
        `SELECT coalesce(sum(passes_redeemed), 0) AS "Pass utilisés" FROM ${ORDERS}`,
      ),
    )
    .withPanel(
      stat(
        'Pass en circulation',
        'Pass émis, ni utilisés ni bloqués.',
        `SELECT coalesce(sum(passes_outstanding), 0) AS "Pass en circulation" FROM ${ORDERS}`,
      ),
    )
    .withPanel(
      stat(
        'Carnets entamés',
        'Carnets dont au moins un pass a été utilisé.',
        `SELECT coalesce(sum(carnets_started), 0) AS "Carnets entamés", coalesce(sum(carnets_issued), 0) AS "Carnets émis" FROM ${ORDERS}`,
      ),
    )
    .withPanel(
      stat(
        'Pass expirant sous 60 jours',
        'Pass en circulation dont le dernier jour d’utilisation tombe dans les 60 jours.',
        `SELECT coalesce(sum(passes_outstanding), 0) AS "Pass expirant sous 60 jours" FROM ${ORDERS} AND last_redemption_day BETWEEN current_date AND current_date + 60`,
      ),
    )
    .withPanel(
      stat(
        'Montant utilisé et en réserve',
        'Valeur faciale des pass utilisés, et celle qui reste en réserve (ni utilisée ni rendue en avoir).',
        `SELECT coalesce(sum(redeemed_cents), 0) / 100.0 AS "Utilisé", coalesce(sum(held_cents), 0) / 100.0 AS "En réserve" FROM ${ORDERS}`,
        'currencyEUR',
      ).span(8),
    )
    .withPanel(
      stat(
        'Rendu en avoir',
        'Valeur faciale des pass restés inutilisés à la fin de la période d’utilisation de leur commande : créditée, ou à créditer, en avoir.',
        `SELECT coalesce(sum(credit_cents), 0) / 100.0 AS "Rendu en avoir" FROM ${ORDERS}`,
        'currencyEUR',
      ),
    )
    .withRow(new RowBuilder('Utilisation'))
    .withPanel(
      new TimeSeries()
        .title('Pass utilisés par jour')
        .datasource(DATASOURCE)
        .height(8)
        .span(24)
        .unit('none')
        .withTarget(
          query(
            // Summed per day first: the macro's epoch arithmetic (numeric) then runs once per day, not per row.
            `SELECT $__timeGroupAlias(day, '1d'), sum(redemptions) AS "Pass utilisés" FROM (SELECT day, sum(redemptions) AS redemptions FROM ${USAGE} GROUP BY day) d GROUP BY 1 ORDER BY 1`,
            'time_series',
          ),
        ),
    )
    .withPanel(
      new BarChart()
        .title('Par service')
        .datasource(DATASOURCE)
        .height(8)
        .span(12)
        .withTarget(
          query(
            `SELECT o.service_code AS "Service", sum(u.redemptions) AS "Pass utilisés" FROM (SELECT offer_id, sum(redemptions) AS redemptions FROM ${USAGE} GROUP BY offer_id) u LEFT JOIN analytics.offer o USING (offer_id) GROUP BY 1 ORDER BY 2 DESC, 1`,
          ),
        ),
    )
    .withPanel(
      new BarChart()
        .title('Par commune')
        .datasource(DATASOURCE)
        .height(8)
        .span(12)
        .withTarget(
          query(
            `SELECT p.commune_code AS "Commune", sum(u.redemptions) AS "Pass utilisés" FROM ${BY_PLACE} GROUP BY 1 ORDER BY 2 DESC, 1`,
          ),
        ),
    )
    .withPanel(
      new Table()
        .title('Par lieu')
        .datasource(DATASOURCE)
        .height(8)
        .span(12)
        .withTarget(
          query(
            `SELECT p.name AS "Lieu", p.commune_code AS "Commune", p.type AS "Type", u.redemptions AS "Pass utilisés", u.cents / 100.0 AS "Montant (€)" FROM ${BY_PLACE} ORDER BY 4 DESC, 1`,
          ),
        ),
    )
    .withPanel(
      new Geomap()
        .title('Lieux où vos pass ont été utilisés')
        .datasource(DATASOURCE)
        .height(8)
        .span(12)
        .view({ build: () => ({ id: 'coords', lat: 46.6, lon: 2.4, zoom: 5 }) })
        .layers([
          {
            build: () => ({
              type: 'markers',
              name: 'Lieux',
              location: { mode: 'coords' as never, latitude: 'latitude', longitude: 'longitude' },
              tooltip: true,
              config: { showLegend: false, style: { size: { field: 'Pass utilisés', min: 4, max: 20 } } },
            }),
          },
        ])
        .withTarget(
          query(
            `SELECT p.name AS "Lieu", p.latitude, p.longitude, u.redemptions AS "Pass utilisés" FROM ${BY_PLACE} WHERE p.latitude IS NOT NULL ORDER BY 4 DESC, 1`,
          ),
        ),
    )
    .withRow(new RowBuilder('Satisfaction des bénéficiaires'))
    .withPanel(
      satisfaction(
        'Satisfaction par lieu',
        `SELECT p.name AS "Lieu", p.commune_code AS "Commune", ${RATING_FIGURES} FROM ${ratingsBy('place_id')} LEFT JOIN analytics.place p USING (place_id) ORDER BY 3 DESC, 1`,
      ),
    )
    .withPanel(
      satisfaction(
        'Satisfaction par service',
        `SELECT r.service_code AS "Service", ${RATING_FIGURES} FROM ${ratingsBy('f.service_code')} ORDER BY 2 DESC, 1`,
      ),
    );
}
