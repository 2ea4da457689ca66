import { expect, test } from 'vitest';
import { reportHtml } from '../documents/report.ts';
import type { ReportFigures } from './report.ts';

const figures = (premium: boolean): ReportFigures => ({
  funderName: 'Grand Angoulême',
  premium,
  logo: { mime: 'image/png', base64: 'iVBORw0KGgo=' },
  from: '2026-11-01',
  to: '2026-11-30',
  totals: {
    passesIssued: 2_000,
    passesHandedOut: 1_500,
    passesRedeemed: 120,
    passesOutstanding: 1_880,
    carnetsIssued: 200,
    carnetsStarted: 40,
    redeemedCents: 120_000,
    heldCents: 1_880_000,
  },
  period: { passesRedeemed: 80, redeemedCents: 80_000 },
  byMonth: [{ month: '2026-11', passes: 80 }],
  byService: [{ label: 'Aide aux démarches administratives', passes: 80 }],
  places: [
    {
      name: 'EPN <Champ de Mars>',
      commune: 'Angoulême',
      type: 'Espace public numérique (EPN)',
      passes: 80,
      latitude: 45.65,
      longitude: 0.16,
    },
  ],
});

test('Premium: the funder’s logo and name, nothing of #APTIC; otherwise #APTIC-branded and no logo', () => {
  const white = reportHtml(figures(true));
  expect(white).toContain('src="data:image/png;base64,iVBORw0KGgo');
  expect(white).not.toContain('APTIC');
  const branded = reportHtml(figures(false));
  expect(branded).toContain('#APTIC');
  expect(branded).not.toContain('data:image/png');
});

test('figures in French, charts and map as SVG, text escaped', () => {
  const html = reportHtml(figures(false));
  expect(html).toContain('du 01/11/2026 au 30/11/2026');
  expect(html).toContain('18\u202f800,00\u00a0€');
  expect(html).toContain('nov. 2026');
  expect(html.match(/<svg /g)).toHaveLength(3);
  expect(html).toContain('EPN &lt;Champ de Mars&gt;');
});
