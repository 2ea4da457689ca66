/**
 * What Grafana does to a panel's SQL before PostgreSQL sees it, so that tests and benchmarks run
 * exactly that: the browser interpolates template variables (SQL datasources quote each value of a
 * multi-value or "include all" variable and join them with commas; a custom "all" value goes in as
 * written), then the backend replaces the global macros (`$__interval`, `$__interval_ms`,
 * `$__unixEpochFrom()`, `$__unixEpochTo()`: pkg/tsdb/sqleng) and the PostgreSQL datasource's own
 * (`pkg/tsdb/grafana-postgresql-datasource/macros.go`, without TimescaleDB).
 */

export interface Variable {
  /** One value, several, or `$__all`. */
  value: string | readonly string[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  /** What "all" stands for when there is no custom all value. */
  options?: readonly string[];
}

export interface QueryContext {
  from: Date;
  to: Date;
  /** The panel's interval (`$__interval`), in milliseconds. */
  intervalMs: number;
  variables?: Record<string, Variable>;
}

const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The browser's side: `$name`, `${name}` and `[[name]]`, formatted as the SQL datasources do. */
export function interpolateVariables(sql: string, variables: Record<string, Variable>): string {
  return sql.replace(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g, (match, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    const variable = variables[name];
    if (!variable) return match;
    const values = typeof variable.value === 'string' ? [variable.value] : variable.value;
    if (values.includes('$__all')) {
      if (variable.allValue !== undefined) return variable.allValue;
      return (variable.options ?? []).map(quoteLiteral).join(',');
    }
    if (typeof variable.value === 'string' && !variable.multi && !variable.includeAll)
      return variable.value.replaceAll("'", "''");
    return values.map(quoteLiteral).join(',');
  });
}

/** gtime.FormatInterval: the whole number of the largest unit the interval reaches. */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
    [1, 'ms'],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** gtime.ParseInterval, in seconds: Go durations, plus d, w, M and y. */
function parseIntervalSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)$/.exec(text);
  if (!m) throw new Error(`error parsing interval ${text}`);
  const seconds: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3_600,
    d: 86_400,
    w: 604_800,
    M: 2_592_000,
    y: 31_536_000,
  };
  return Number(m[1]) * seconds[m[2]!]!;
}

/** Go's time.RFC3339Nano in UTC: no trailing zeros in the fraction, `Z`. */
const rfc3339Nano = (d: Date) =>
  d
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/(\.\d*?)0+Z$/, '$1Z');
const unix = (d: Date) => Math.floor(d.getTime() / 1_000);
/** Go's %v of a float64 number of seconds. */
const goFloat = (n: number) => String(n);

function evaluateMacro(name: string, args: string[], ctx: QueryContext): string {
  const needsColumn = () => {
    if (args.length === 0 || args[0] === '') throw new Error(`missing time column argument for macro ${name}`);
  };
  const group = (column: string, interval: string | undefined, wrap: (c: string) => string) => {
    if (interval === undefined) throw new Error(`macro ${name} needs time column and interval and optional fill value`);
    const s = goFloat(parseIntervalSeconds(interval.replace(/^'|'$/g, '')));
    return `floor(${wrap(column)}/${s})*${s}`;
  };
  switch (name) {
    case '__time':
      needsColumn();
      return `${args[0]} AS "time"`;
    case '__timeEpoch':
      needsColumn();
      return `extract(epoch from ${args[0]}) as "time"`;
    case '__timeFilter':
      needsColumn();
      return `${args[0]} BETWEEN '${rfc3339Nano(ctx.from)}' AND '${rfc3339Nano(ctx.to)}'`;
    case '__timeFrom':
      return `'${rfc3339Nano(ctx.from)}'`;
    case '__timeTo':
      return `'${rfc3339Nano(ctx.to)}'`;
    case '__timeGroup':
      return group(args[0]!, args[1], (c) => `extract(epoch from ${c})`);
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, ctx)} AS "time"`;
    case '__unixEpochFilter':
      needsColumn();
      return `${args[0]} >= ${unix(ctx.from)} AND ${args[0]} <= ${unix(ctx.to)}`;
    case '__unixEpochNanoFilter':
      needsColumn();
      return `${args[0]} >= ${BigInt(ctx.from.getTime()) * 1_000_000n} AND ${args[0]} <= ${BigInt(ctx.to.getTime()) * 1_000_000n}`;
    case '__unixEpochNanoFrom':
      return String(BigInt(ctx.from.getTime()) * 1_000_000n);
    case '__unixEpochNanoTo':
      return String(BigInt(ctx.to.getTime()) * 1_000_000n);
    case '__unixEpochGroup':
      return group(args[0]!, args[1], (c) => `(${c})`);
    case '__unixEpochGroupAlias':
      return `${evaluateMacro('__unixEpochGroup', args, ctx)} AS "time"`;
    default:
      throw new Error(`unknown macro "${name}"`);
  }
}

/** A panel's SQL as PostgreSQL receives it from Grafana. */
export function expandQuery(sql: string, ctx: QueryContext): string {
  let out = interpolateVariables(sql, ctx.variables ?? {});
  out = out
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', formatInterval(ctx.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(unix(ctx.from)))
    .replaceAll('$__unixEpochTo()', String(unix(ctx.to)));
  return out.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (whole, name: string, rawArgs: string, offset: number) => {
    // A $__timeGroup directly followed by a comma is the pre-5.3 form, which adds the alias.
    const macro = name === '__timeGroup' && out[offset + whole.length] === ',' ? '__timeGroupAlias' : name;
    return evaluateMacro(
      macro,
      rawArgs.split(',').map((a) => a.trim()),
      ctx,
    );
  });
}
