import { expect, test } from 'vitest';
import { statementsCsv } from './statement.ts';

test('statement CSV: a place name made as a formula is neutralised', () => {
  const line = {
    day: '2026-11-03',
    categoryCode: 'c',
    serviceCode: 's',
    late: false,
    passCount: 2,
    grossCents: 2_000,
    feeCents: -80,
  };
  const csv = statementsCsv('2026-11', [{ placeId: 'p', placeName: '=HYPERLINK("http://x")', lines: [line] } as never]);
  expect(csv.split('\r\n')[1]).toBe(`2026-11;p;"'=HYPERLINK(""http://x"")";2026-11-03;c;s;non;2;2000;-80`);
});
