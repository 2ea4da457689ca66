import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as BarChart } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { DATASOURCE, datasourceVariable, query, stat } from './panels.ts';

/** The staff's national view, under the staff's PostgreSQL role (every funder). */
export function staffDashboard() {
  return new DashboardBuilder('Vue nationale')
    .uid('aptic-national')
    .tags(['aptic', 'staff'])
    .description('Le dispositif #APTIC dans son ensemble : commanditaires, lieux, bornes, refus, paiements.')
    .timezone('Europe/Paris')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('Commanditaires'))
    .withPanel(
      stat(
        'Pass émis et utilisés',
        'Toutes commandes de tous les commanditaires.',
        `SELECT coalesce(sum(passes_issued), 0) AS "Pass émis", coalesce(sum(passes_redeemed), 0) AS "Pass utilisés" FROM analytics.orders`,
      ).span(6),
    )
    .withPanel(
      stat(
        'Bornes actives',
        'Bornes non révoquées ayant accepté un pass dans la période.',
        `SELECT count(*) AS "Bornes actives" FROM analytics.kiosk WHERE NOT revoked AND $__timeFilter(last_scan_at)`,
      ).span(6),
    )
    .withPanel(
      new TimeSeries()
        .title('Pass utilisés par jour, France entière')
        .datasource(DATASOURCE)
        .height(4)
        .span(12)
        .withTarget(
          query(
            `SELECT $__timeGroupAlias(day, '1d'), sum(redemptions) AS "Pass utilisés" FROM analytics.usage_daily WHERE $__timeFilter(day) GROUP BY 1 ORDER BY 1`,
            'time_series',
          ),
        ),
    )
    .withPanel(
      new Table()
        .title('Par commanditaire')
        .datasource(DATASOURCE)
        .height(8)
        .span(24)
        .withTarget(
          query(
            `SELECT funder_name AS "Commanditaire", sum(passes_issued) AS "Pass émis", sum(passes_handed_out) AS "Pass remis", sum(passes_redeemed) AS "Pass utilisés", sum(carnets_started) AS "Carnets entamés", sum(held_cents) / 100.0 AS "En réserve (€)" FROM analytics.orders GROUP BY funder_id, funder_name ORDER BY 4 DESC, 1`,
          ),
        ),
    )
    .withRow(new RowBuilder('Lieux et bornes'))
    .withPanel(
      new Table()
        .title('Activité des lieux')
        .datasource(DATASOURCE)
        .height(8)
        .span(16)
        .withTarget(
          query(
            `SELECT p.name AS "Lieu", p.commune_code AS "Commune", p.type AS "Type", p.status AS "Statut", coalesce(sum(u.redemptions), 0) AS "Pass utilisés", (SELECT max(k.last_scan_at) FROM analytics.kiosk k WHERE k.place_id = p.place_id) AS "Dernier scan" FROM analytics.place p LEFT JOIN analytics.usage_daily u ON u.place_id = p.place_id AND $__timeFilter(u.day) GROUP BY p.place_id, p.name, p.commune_code, p.type, p.status ORDER BY 5 DESC, 1`,
          ),
        ),
    )
    .withPanel(
      new BarChart()
        .title('Scans refusés par motif')
        .datasource(DATASOURCE)
        .height(8)
        .span(8)
        .withTarget(
          query(
            `SELECT reason AS "Motif", sum(scans) AS "Scans refusés" FROM analytics.denied_daily WHERE $__timeFilter(day) GROUP BY 1 ORDER BY 2 DESC, 1`,
          ),
        ),
    )
    .withRow(new RowBuilder('Paiements'))
    .withPanel(
      new Table()
        .title('Endossements par mois')
        .datasource(DATASOURCE)
        .height(8)
        .span(24)
        .withTarget(
          query(
            `SELECT month AS "Mois", count(*) AS "Lieux", sum(pass_count) AS "Pass", sum(gross_cents) / 100.0 AS "Brut (€)", sum(fee_cents) / 100.0 AS "Frais (€)", sum(net_cents) / 100.0 AS "Net (€)" FROM analytics.period GROUP BY 1 ORDER BY 1 DESC`,
          ),
        ),
    )
    .withPanel(
      new Table()
        .title('Virements aux lieux')
        .description('Par mois et par état : envoyés, exécutés, rejetés par la banque, retenus (avec le motif).')
        .datasource(DATASOURCE)
        .height(8)
        .span(24)
        .withTarget(
          query(
            `SELECT month AS "Mois", status AS "État", count(*) AS "Virements", sum(net_cents) / 100.0 AS "Montant (€)", string_agg(DISTINCT reason, ', ') AS "Motifs" FROM analytics.payout GROUP BY 1, 2 ORDER BY 1 DESC, 2`,
          ),
        ),
    );
}
