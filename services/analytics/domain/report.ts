/**
 * The activity report's content, from figures read in the model: key figures, charts and a map as
 * SVG geometry, the places of the territory. Pure: formatting and branding decided here, the
 * template only places ready-made strings.
 */
import { formatEuros, formatInteger, frenchDate } from '@aptic/contracts';

export type ReportFigures = {
  funderName: string;
  /** White-label: the funder's name and logo, no #APTIC branding (Premium). */
  premium: boolean;
  logo: { mime: string; base64: string } | null;
  from: string;
  to: string;
  totals: {
    passesIssued: number;
    /** Passes of the carnets handed out by prescripteurs. */
    passesHandedOut: number;
    passesRedeemed: number;
    passesOutstanding: number;
    carnetsIssued: number;
    carnetsStarted: number;
    redeemedCents: number;
    heldCents: number;
  };
  period: { passesRedeemed: number; redeemedCents: number };
  /** Redemptions per month of the period (YYYY-MM). */
  byMonth: { month: string; passes: number }[];
  byService: { label: string; passes: number }[];
  places: {
    name: string;
    commune: string;
    type: string;
    passes: number;
    latitude: number | null;
    longitude: number | null;
  }[];
};

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const monthLabel = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

/** Vertical bars, one per item, scaled to the largest. */
function columns(items: { label: string; value: number }[], width = 640, height = 180) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const step = width / Math.max(1, items.length);
  const bar = Math.min(48, step * 0.7);
  return {
    width,
    height: height + 40,
    bars: items.map((item, i) => {
      const h = Math.round((item.value / max) * height);
      const x = Math.round(i * step + (step - bar) / 2);
      return {
        x,
        y: height - h + 14,
        w: Math.round(bar),
        h,
        label: item.label,
        value: formatInteger(item.value),
        labelX: Math.round(x + bar / 2),
        labelY: height + 32,
        valueY: height - h + 10,
      };
    }),
  };
}

/** Horizontal bars, for long labels. */
function rows(items: { label: string; value: number }[], width = 640) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const barArea = width - 300;
  return {
    width,
    height: items.length * 26 + 4,
    bars: items.map((item, i) => ({
      y: i * 26 + 4,
      w: Math.max(2, Math.round((item.value / max) * barArea)),
      label: item.label,
      value: formatInteger(item.value),
      valueX: 290 + Math.max(2, Math.round((item.value / max) * barArea)) + 6,
    })),
  };
}

/** The places on a plane fitted to their bounding box (longitudes shrunk by the cosine of the mean latitude). */
function map(places: ReportFigures['places'], width = 640, height = 360) {
  const located = places.filter(
    (p) => p.latitude !== null && p.longitude !== null,
  ) as (ReportFigures['places'][number] & { latitude: number; longitude: number })[];
  if (located.length === 0) return null;
  const meanLat = located.reduce((s, p) => s + p.latitude, 0) / located.length;
  const k = Math.cos((meanLat * Math.PI) / 180);
  const xs = located.map((p) => p.longitude * k);
  const ys = located.map((p) => p.latitude);
  const span = Math.max(
    0.05,
    Math.max(...xs) - Math.min(...xs),
    (Math.max(...ys) - Math.min(...ys)) * (width / height),
  );
  const scale = (width - 80) / span;
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const max = Math.max(1, ...located.map((p) => p.passes));
  return {
    width,
    height,
    points: located.map((p) => ({
      x: Math.round(width / 2 + (p.longitude * k - cx) * scale),
      y: Math.round(height / 2 - (p.latitude - cy) * scale),
      r: Math.round(4 + 12 * Math.sqrt(p.passes / max)),
      label: p.name,
      // Labels of points in the right half go to their left, so they stay on the map.
      anchor: p.longitude * k > cx ? 'end' : 'start',
      dx: p.longitude * k > cx ? -14 : 14,
    })),
  };
}

export function reportView(f: ReportFigures) {
  const t = f.totals;
  return {
    title: `Rapport d’activité — ${f.funderName}`,
    funderName: f.funderName,
    brand: f.premium ? null : '#APTIC — pass numérique',
    logo: f.premium && f.logo ? `data:${f.logo.mime};base64,${f.logo.base64}` : null,
    period: `du ${frenchDate(f.from)} au ${frenchDate(f.to)}`,
    keyFigures: [
      { label: 'Pass émis', value: formatInteger(t.passesIssued) },
      { label: 'Pass remis', value: formatInteger(t.passesHandedOut) },
      { label: 'Pass utilisés sur la période', value: formatInteger(f.period.passesRedeemed) },
      { label: 'Pass utilisés depuis l’origine', value: formatInteger(t.passesRedeemed) },
      { label: 'Pass en circulation', value: formatInteger(t.passesOutstanding) },
      { label: 'Carnets entamés', value: `${formatInteger(t.carnetsStarted)} sur ${formatInteger(t.carnetsIssued)}` },
      { label: 'Montant utilisé sur la période', value: formatEuros(f.period.redeemedCents) },
      { label: 'Montant en réserve', value: formatEuros(t.heldCents) },
    ],
    months: columns(f.byMonth.map((m) => ({ label: monthLabel(m.month), value: m.passes }))),
    services: rows(f.byService.map((s) => ({ label: s.label, value: s.passes }))),
    map: map(f.places),
    places: f.places.map((p) => ({ ...p, passes: formatInteger(p.passes) })),
    footer: f.premium
      ? `Rapport établi pour ${f.funderName}`
      : 'Rapport établi par #APTIC, le pass numérique pour l’inclusion numérique',
  };
}
