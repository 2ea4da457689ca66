/**
 * Dates as people read them in France: every message and document shows `31/01/2027`, never an
 * ISO date, and times of day in Europe/Paris (instants are stored in UTC). One module for every
 * service, so a date reads the same on a quote, a letter, a kiosk screen and a refusal.
 */

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written `YYYY-MM-DD` (no 30 February), checked without any time zone. */
export function isCalendarDate(value: string): boolean {
  const [, year, month, day] = CALENDAR_DATE.exec(value) ?? [];
  if (!year || !month || !day) return false;
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).toISOString().slice(0, 10) === value;
}

/** "2027-01-31" → "31/01/2027"; anything but a real calendar date is a RangeError. */
export function frenchDate(isoDate: string): string {
  if (!isCalendarDate(isoDate)) throw new RangeError(`not a YYYY-MM-DD calendar date: "${isoDate}"`);
  return `${isoDate.slice(8, 10)}/${isoDate.slice(5, 7)}/${isoDate.slice(0, 4)}`;
}

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant as the time of day in France: "31/01/2027 à 14:05". */
export function frenchDateTime(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: "${String(instant)}"`);
  const parts = Object.fromEntries(parisTime.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} à ${parts.hour}:${parts.minute}`;
}
