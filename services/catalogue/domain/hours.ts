/**
 * Opening hours in OSM syntax (the national schema's `horaires`), evaluated in Europe/Paris
 * whatever the server's time zone.
 */
import OpeningHours from 'opening_hours';

// The library needs a country to know public holidays ("PH off").
const FRANCE = { lat: 46.6, lon: 2.4, address: { country_code: 'fr', state: '' } };
const parsed = new Map<string, OpeningHours | null>();

/** Longer opening hours are not parsed at all (the library's cost grows faster than the text): invalid. */
const MAX_OPENING_HOURS = 500;

function parse(value: string): OpeningHours | null {
  if (value.length > MAX_OPENING_HOURS) return null;
  if (!parsed.has(value)) {
    let hours: OpeningHours | null = null;
    try {
      hours = new OpeningHours(value, FRANCE);
    } catch {
      hours = null;
    }
    // Many places share the same hours: parsing once per distinct value keeps searches fast.
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(value, hours);
  }
  return parsed.get(value)!;
}

export function isValidOpeningHours(value: string): boolean {
  return parse(value) !== null;
}

// Built once: constructing an Intl formatter costs far more than formatting with it (it was
// most of an "open now" search's time when built per place).
const PARIS_FIELDS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A Date whose local fields are Paris wall-clock time: what the library compares against. */
function parisWallClock(instant: Date): Date {
  const parts = Object.fromEntries(PARIS_FIELDS.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  return new Date(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
}

/**
 * "Open at that instant?" for many places at once (a search): the instant is converted once, and
 * each distinct hours value evaluated once. Unknown or unparsable hours count as not open (we
 * cannot promise it).
 */
export function openAt(instant: Date): (value: string | null | undefined) => boolean {
  const wallClock = parisWallClock(instant);
  const known = new Map<string, boolean>();
  return (value) => {
    if (!value) return false;
    let open = known.get(value);
    if (open === undefined) {
      const hours = parse(value);
      open = hours?.getState(wallClock) ?? false;
      known.set(value, open);
    }
    return open;
  };
}
