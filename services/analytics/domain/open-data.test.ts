import { describe, expect, test } from 'vitest';
import { ALL, publishWithSecrecy, type Cell } from './open-data.ts';

const cell = (communeCode: string, serviceCode: string, passes: number, placeType = 'bibliotheque'): Cell => ({
  month: '2026-11',
  communeCode,
  serviceCode,
  placeType,
  passes,
});
const counts = (rows: ReturnType<typeof publishWithSecrecy>) =>
  rows.map((r) => [r.communeCode, r.serviceCode, r.passes]);

describe('statistical secrecy', () => {
  test('cells of 11 and more are published with their commune-month total', () => {
    expect(counts(publishWithSecrecy([cell('16015', 'a', 11), cell('16015', 'b', 40)]))).toEqual([
      ['16015', 'a', 11],
      ['16015', 'b', 40],
      ['16015', ALL, 51],
    ]);
  });

  test('one cell under 11 hides the next smallest too, so the total cannot give it back', () => {
    const rows = publishWithSecrecy([cell('16015', 'a', 3), cell('16015', 'b', 12), cell('16015', 'c', 30)]);
    expect(counts(rows)).toEqual([
      ['16015', 'a', null],
      ['16015', 'b', null],
      ['16015', 'c', 30],
      ['16015', ALL, 45],
    ]);
    expect(rows.filter((r) => r.secret).map((r) => r.serviceCode)).toEqual(['a', 'b']);
  });

  test('two cells under 11 need nothing more; a total under 11 is hidden; empty cells are left out', () => {
    expect(
      counts(
        publishWithSecrecy([
          cell('16015', 'a', 3),
          cell('16015', 'b', 4),
          cell('16015', 'c', 30),
          cell('16015', 'd', 0),
        ]),
      ),
    ).toEqual([
      ['16015', 'a', null],
      ['16015', 'b', null],
      ['16015', 'c', 30],
      ['16015', ALL, 37],
    ]);
    expect(counts(publishWithSecrecy([cell('16102', 'a', 4), cell('16102', 'b', 5)]))).toEqual([
      ['16102', 'a', null],
      ['16102', 'b', null],
      ['16102', ALL, null],
    ]);
  });

  test('no published total minus published cells ever equals a single hidden cell', () => {
    const cells = Array.from({ length: 200 }, (_, i) =>
      cell(`16${String(i % 7).padStart(3, '0')}`, `s${i % 5}`, (i * 37) % 25, `t${i % 3}`),
    );
    const rows = publishWithSecrecy(cells);
    for (const total of rows.filter((r) => r.serviceCode === ALL && !r.secret)) {
      const group = rows.filter((r) => r.communeCode === total.communeCode && r.serviceCode !== ALL);
      expect(group.filter((r) => r.secret).length).not.toBe(1);
    }
    expect(rows.filter((r) => !r.secret).every((r) => r.passes! >= 11)).toBe(true);
  });
});
