import { describe, expect, test } from 'vitest';
import { expandQuery, formatInterval, interpolateVariables } from './macros.ts';

// Expected strings from Grafana's macros_test.go and sqleng's Interpolate.
const ctx = { from: new Date('2018-04-12T18:00:00Z'), to: new Date('2018-04-12T18:05:00.123Z'), intervalMs: 300_000 };

describe('Grafana PostgreSQL macros', () => {
  test('time filter, from, to', () => {
    expect(expandQuery('WHERE $__timeFilter(time_column)', ctx)).toBe(
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00.123Z'",
    );
    expect(expandQuery('select $__timeFrom(), $__timeTo()', ctx)).toBe(
      "select '2018-04-12T18:00:00Z', '2018-04-12T18:05:00.123Z'",
    );
  });
  test('time groups, with and without alias, and the pre-5.3 form', () => {
    expect(expandQuery("GROUP BY $__timeGroup(time_column,'5m')", ctx)).toBe(
      'GROUP BY floor(extract(epoch from time_column)/300)*300',
    );
    expect(expandQuery("select $__timeGroupAlias(day, '1d')", ctx)).toBe(
      'select floor(extract(epoch from day)/86400)*86400 AS "time"',
    );
    expect(expandQuery("select $__timeGroup(time_column,'5m'), x", ctx)).toBe(
      'select floor(extract(epoch from time_column)/300)*300 AS "time", x',
    );
    expect(expandQuery("select $__timeGroup(c, '500ms')", ctx)).toBe('select floor(extract(epoch from c)/0.5)*0.5');
  });
  test('unix epoch macros and the global ones', () => {
    expect(expandQuery('WHERE $__unixEpochFilter(t)', ctx)).toBe('WHERE t >= 1523556000 AND t <= 1523556300');
    expect(expandQuery('$__unixEpochFrom() $__unixEpochTo() $__interval $__interval_ms', ctx)).toBe(
      '1523556000 1523556300 5m 300000',
    );
    expect(expandQuery("$__unixEpochGroupAlias(t, '1h')", ctx)).toBe('floor((t)/3600)*3600 AS "time"');
    expect(formatInterval(86_400_000)).toBe('1d');
    expect(formatInterval(1_500)).toBe('1s');
  });
  test('an unknown macro is an error, as in Grafana', () => {
    expect(() => expandQuery('$__nope(x)', ctx)).toThrow('unknown macro');
  });
  test('template variables: quoted for multi and all, custom all as written, single as is', () => {
    const variables = {
      multi: { value: ["a'b", 'c'], multi: true },
      all: { value: '$__all', includeAll: true, allValue: `'*'` },
      every: { value: '$__all', includeAll: true, options: ['x', 'y'] },
      one: { value: "it's" },
    };
    expect(interpolateVariables('($multi) (${all}) ([[every]]) $one $unknown', variables)).toBe(
      `('a''b','c') ('*') ('x','y') it''s $unknown`,
    );
  });
});
