/**
 * A place's monthly statement (relevé d'endossement) in French: its passes by service and day,
 * late ones marked, gross, fee, kit, carried and net, and its payout; as print-ready HTML (the
 * service's Chromium makes the PDF) and as CSV with the same lines. Pure: no I/O besides reading
 * the template once at import; every amount is integer cents, formatted here; the template
 * escapes every string ({{ }} only).
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { formatEuros, formatInteger, frenchDate, SERVICE_CATEGORIES } from '@aptic/contracts';
import { toCsv } from '@aptic/runtime';
import { lastDay } from '../domain/periods.ts';

interface StatementLine {
  day: string;
  serviceCode: string;
  categoryCode: string;
  late: boolean;
  passCount: number;
  grossCents: number;
  feeCents: number;
}

export interface Statement {
  placeId: string;
  placeName: string;
  period: string;
  closedAt: string;
  lines: StatementLine[];
  figures: {
    passCount: number;
    latePassCount: number;
    grossCents: number;
    feeCents: number;
    kitCents: number;
    kitSponsored: boolean;
    carriedCents: number;
    netCents: number;
  };
  payout: {
    id: string;
    endToEndId: string;
    status: string;
    statusLabel: string;
    date: string | null;
    reason: string | null;
  } | null;
}

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];
const monthLabel = (period: string) => `${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;
const categories = new Map<string, string>(SERVICE_CATEGORIES.map((c) => [c.code, c.label]));
const serviceLabel = (l: StatementLine) => `${categories.get(l.categoryCode) ?? l.categoryCode} (${l.serviceCode})`;

const template = Handlebars.create().compile(
  readFileSync(new URL('./templates/statement.hbs', import.meta.url), 'utf8'),
  { strict: true, knownHelpersOnly: true },
);

/** What a statement says of the place's ratings: the month's, and all of them (qualification's figures). */
export interface RatingSummary {
  count: number;
  mean: number | null;
  trend: 'up' | 'down' | 'stable' | null;
  period: { count: number; mean: number | null } | null;
}

const TRENDS = { up: 'en hausse', down: 'en baisse', stable: 'stable' } as const;
/** 4.25 → "4,3 / 5" (one decimal, French comma). */
const outOfFive = (mean: number) => `${(Math.round(mean * 10) / 10).toFixed(1).replace('.', ',')}\u00a0/\u00a05`;
const ratingCount = (n: number) => `${formatInteger(n)} avis`;

function ratingLines(r: RatingSummary): string[] {
  const month = r.period ?? { count: 0, mean: null };
  return [
    month.mean === null
      ? 'Aucun avis donné ce mois-ci.'
      : `Ce mois-ci : ${ratingCount(month.count)}, note moyenne ${outOfFive(month.mean)}.`,
    ...(r.mean === null
      ? []
      : [
          `Depuis le début : ${ratingCount(r.count)}, note moyenne ${outOfFive(r.mean)}${r.trend ? `, tendance ${TRENDS[r.trend]}` : ''}.`,
        ]),
  ];
}

/** The statement as HTML; `ratings` null when qualification did not answer (the statement is served without them). */
export function statementHtml(s: Statement, ratings: RatingSummary | null = null): string {
  const f = s.figures;
  return template({
    ratings: ratings ? ratingLines(ratings) : [],
    placeName: s.placeName,
    period: s.period,
    monthLabel: monthLabel(s.period),
    periodLabel: `du ${frenchDate(`${s.period}-01`)} au ${frenchDate(lastDay(s.period))}`,
    closedOn: frenchDate(s.closedAt.slice(0, 10)),
    lines: s.lines.map((l) => ({
      day: frenchDate(l.day),
      late: l.late,
      service: serviceLabel(l),
      passes: formatInteger(l.passCount),
      gross: formatEuros(l.grossCents),
      fee: formatEuros(l.feeCents),
    })),
    totals: [
      {
        label: `Valeur faciale (${formatInteger(f.passCount)} pass)`,
        amount: formatEuros(f.grossCents),
        strong: false,
      },
      { label: 'Frais aval (4 %)', amount: formatEuros(-f.feeCents), strong: false },
      {
        label: f.kitSponsored ? 'Abonnement kit (pris en charge)' : 'Abonnement kit (TTC)',
        amount: formatEuros(-f.kitCents),
        strong: false,
      },
      ...(f.carriedCents !== 0
        ? [{ label: 'Report du mois précédent', amount: formatEuros(f.carriedCents), strong: false }]
        : []),
      { label: 'Net à verser', amount: formatEuros(f.netCents), strong: true },
    ],
    payout: {
      status: s.payout?.statusLabel ?? 'aucun',
      reference: s.payout?.endToEndId ?? '',
      date: s.payout?.date ? frenchDate(s.payout.date) : '',
      reason: s.payout?.reason ?? '',
    },
    hasLate: f.latePassCount > 0,
    kitSponsored: f.kitSponsored,
  });
}

const CSV_HEADER = [
  'mois',
  'lieu_id',
  'lieu',
  'jour',
  'categorie',
  'service',
  'en_retard',
  'pass',
  'valeur_faciale_centimes',
  'frais_centimes',
];

/** Statement lines as CSV, amounts in cents (integers, for spreadsheets and accounting tools): one place's, or a month's. */
export function statementsCsv(
  period: string,
  places: readonly Pick<Statement, 'placeId' | 'placeName' | 'lines'>[],
): string {
  return toCsv([
    CSV_HEADER,
    ...places.flatMap((p) =>
      p.lines.map((l) => [
        period,
        p.placeId,
        p.placeName,
        l.day,
        l.categoryCode,
        l.serviceCode,
        l.late ? 'oui' : 'non',
        String(l.passCount),
        String(l.grossCents),
        String(l.feeCents),
      ]),
    ),
  ]);
}
