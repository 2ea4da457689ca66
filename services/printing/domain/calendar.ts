/**
 * French working days: printing and delivery take 15 working days after the proof is approved,
 * weekends and French public holidays (jours fériés, metropolitan list) excluded.
 * Dates are `YYYY-MM-DD` strings, computed in UTC so no timezone shifts them.
 */
const iso = (d: Date) => d.toISOString().slice(0, 10);
const day = (year: number, month: number, date: number) => new Date(Date.UTC(year, month - 1, date));
const plus = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/** Easter Sunday (anonymous Gregorian algorithm). */
export function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const date = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(day(year, month, date));
}

export function publicHolidays(year: number): Set<string> {
  const e = new Date(`${easter(year)}T00:00:00Z`);
  return new Set([
    iso(day(year, 1, 1)),
    iso(plus(e, 1)), // lundi de Pâques
    iso(day(year, 5, 1)),
    iso(day(year, 5, 8)),
    iso(plus(e, 39)), // Ascension
    iso(plus(e, 50)), // lundi de Pentecôte
    iso(day(year, 7, 14)),
    iso(day(year, 8, 15)),
    iso(day(year, 11, 1)),
    iso(day(year, 11, 11)),
    iso(day(year, 12, 25)),
  ]);
}

export function isWorkingDay(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = d.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !publicHolidays(d.getUTCFullYear()).has(date);
}

/** The date `n` working days after `date` (which itself does not count). */
export function addWorkingDays(date: string, n: number): string {
  let d = new Date(`${date}T00:00:00Z`);
  for (let left = n; left > 0; ) {
    d = plus(d, 1);
    if (isWorkingDay(iso(d))) left--;
  }
  return iso(d);
}
