import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PostgresQueryBuilder, type PostgresQuery } from './postgres-query.ts';

/** Grafana's plugin id of its PostgreSQL datasource. */
export const POSTGRES = 'grafana-postgresql-datasource';

/**
 * Panels query the datasource chosen in `ds`: in a funder's Grafana organisation the only one is
 * the funder's own (its PostgreSQL role), in the staff's organisation the staff's.
 */
export const DATASOURCE: DataSourceRef = { type: POSTGRES, uid: '${ds}' };

export const datasourceVariable = () => new DatasourceVariableBuilder('ds').label('Source').type(POSTGRES);

/**
 * A variable from a query, several values or all; "all" is `'*'`, which the filters below test
 * first. A query using the time range's macros is run again when the range changes.
 */
export const sqlVariable = (
  name: string,
  label: string,
  rawSql: string,
  refresh: VariableRefresh = VariableRefresh.OnDashboardLoad,
) =>
  new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(rawSql)
    .definition(rawSql)
    .multi(true)
    .includeAll(true)
    .allValue(`'*'`)
    .current({ text: 'All', value: '$__all' })
    .refresh(refresh)
    .sort(VariableSort.AlphabeticalAsc);

/** Rows of the orders chosen in `$order`. */
export const ORDER_FILTER = `('*' IN ($order) OR order_id::text IN ($order))`;

/** Rows of places in the territory chosen in `$territory` (départements, EPCI, communes). */
export const TERRITORY_FILTER =
  `('*' IN ($territory) OR ('departement:' || departement_code) IN ($territory) OR ('epci:' || epci_code) IN ($territory)` +
  ` OR ('commune:' || commune_code) IN ($territory))`;

/** A table-format query (or a time series) of the dashboard's datasource. */
export const query = (rawSql: string, format: PostgresQuery['format'] = 'table'): Builder<Dataquery> =>
  new PostgresQueryBuilder(rawSql).refId('A').datasource(DATASOURCE).format(format);

/** A figure (or a few side by side): the query's one row, each column a value. */
export const stat = (title: string, description: string, rawSql: string, unit = 'none') =>
  new Stat()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query(rawSql))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .unit(unit)
    .height(4)
    .span(4);
