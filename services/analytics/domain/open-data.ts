/**
 * Open data: redemptions per month × commune × service × place type, with French statistical
 * secrecy applied. A count under 11 is not published (primary secrecy). Each commune's month also
 * has a total row; so that the total minus the published cells cannot give a hidden cell back, a
 * commune-month with exactly one hidden cell hides its next smallest cell too (secondary secrecy),
 * and a total under 11 is hidden itself. No other total is published.
 */

import { SECRECY_THRESHOLD } from '@aptic/contracts';

/** The service and place type of a commune-month's total row. */
export const ALL = 'ensemble';

export type Cell = { month: string; communeCode: string; serviceCode: string; placeType: string; passes: number };
export type PublishedCell = Omit<Cell, 'passes'> & { passes: number | null; secret: boolean };

const groupKey = (c: Cell) => `${c.month}|${c.communeCode}`;
const order = (a: Cell, b: Cell) =>
  a.month.localeCompare(b.month) ||
  a.communeCode.localeCompare(b.communeCode) ||
  a.serviceCode.localeCompare(b.serviceCode) ||
  a.placeType.localeCompare(b.placeType);

/** The published table: every non-empty cell and each commune-month's total, secret ones without their count. */
export function publishWithSecrecy(cells: readonly Cell[]): PublishedCell[] {
  const out: PublishedCell[] = [];
  const groups = Map.groupBy(
    cells.filter((c) => c.passes > 0),
    groupKey,
  );
  for (const group of [...groups.values()].sort((a, b) => order(a[0]!, b[0]!))) {
    const secret = new Set(group.filter((c) => c.passes < SECRECY_THRESHOLD));
    const total = group.reduce((sum, c) => sum + c.passes, 0);
    if (secret.size === 1 && total >= SECRECY_THRESHOLD) {
      const next = group.filter((c) => !secret.has(c)).sort((a, b) => a.passes - b.passes || order(a, b))[0];
      if (next) secret.add(next);
    }
    for (const c of [...group].sort(order))
      out.push({ ...c, passes: secret.has(c) ? null : c.passes, secret: secret.has(c) });
    const { month, communeCode } = group[0]!;
    const hidden = total < SECRECY_THRESHOLD;
    out.push({ month, communeCode, serviceCode: ALL, placeType: ALL, passes: hidden ? null : total, secret: hidden });
  }
  return out;
}
