/**
 * Business dates are calendar dates in Europe/Paris (validity ends, period cut-offs, invoice
 * dates); instants are stored in UTC. Dates are handled as `YYYY-MM-DD` strings, which compare
 * correctly as strings and never shift with a timezone.
 */
const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function businessDate(instant: Date = new Date()): string {
  return parisDay.format(instant);
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
