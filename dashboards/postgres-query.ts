import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * A query of Grafana's PostgreSQL datasource (`grafana-postgresql-datasource`), which the
 * foundation SDK has no builder for: raw SQL typed in the code editor.
 */
export interface PostgresQuery {
  refId?: string;
  hide?: boolean;
  datasource?: DataSourceRef;
  rawSql: string;
  /** `time_series` for panels over time, `table` for the others. */
  format: 'time_series' | 'table';
  rawQuery: true;
  editorMode: 'code';
  _implementsDataqueryVariant(): void;
}

export class PostgresQueryBuilder implements Builder<Dataquery> {
  private readonly internal: PostgresQuery;

  constructor(rawSql: string) {
    this.internal = { rawSql, format: 'table', rawQuery: true, editorMode: 'code', _implementsDataqueryVariant() {} };
  }

  build(): PostgresQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  format(format: PostgresQuery['format']): this {
    this.internal.format = format;
    return this;
  }
}
