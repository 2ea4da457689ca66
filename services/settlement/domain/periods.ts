/**
 * Settlement periods: calendar months in Europe/Paris (`YYYY-MM`). A month may be closed once it
 * has ended and its grace window for offline kiosks has passed; a redemption goes to its scan's
 * month while that month is open, otherwise to the first open month after it, flagged late.
 * Months are closed in order, so the closed months are always a prefix of the calendar.
 */
export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
export const monthOf = (businessDate: string): string => businessDate.slice(0, 7);

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Months from `from` to `to`, both included (none when `from` is later). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from; m <= to; m = nextMonth(m)) months.push(m);
  return months;
}

/** Last calendar day of a month, `YYYY-MM-DD`. */
export function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The first day (Paris) a month may be closed: after its last day plus the grace days. */
export function closableFrom(month: string, graceDays: number): string {
  const d = new Date(`${lastDay(month)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + graceDays + 1);
  return d.toISOString().slice(0, 10);
}

export type Closability = { ok: true } | { ok: false; code: 'month_not_ended' | 'grace_window'; message: string };

/** May `month` be closed on `today` (a Paris business date)? */
export function closability(month: string, today: string, graceDays: number): Closability {
  if (today <= lastDay(month))
    return {
      ok: false,
      code: 'month_not_ended',
      message: `Le mois ${month} n’est pas terminé : il ne peut pas encore être clos.`,
    };
  const from = closableFrom(month, graceDays);
  if (today < from) {
    return {
      ok: false,
      code: 'grace_window',
      message: `Le mois ${month} est dans son délai de grâce pour les bornes hors ligne (${graceDays} jours) : clôture possible à partir du ${from}.`,
    };
  }
  return { ok: true };
}

/**
 * The period a redemption learned now is paid in: its scan's month, unless that month is
 * closed, then the month after the last closed one (`late`).
 */
export function periodFor(scanMonth: string, lastClosed: string | null): { period: string; late: boolean } {
  if (lastClosed === null || scanMonth > lastClosed) return { period: scanMonth, late: false };
  return { period: nextMonth(lastClosed), late: true };
}
