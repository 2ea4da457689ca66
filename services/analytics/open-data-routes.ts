import { Type } from '@sinclair/typebox';
import { sendDocument, type AdminApp } from '@aptic/runtime';

const MonthParams = Type.Object({
  month: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'AAAA-MM' }),
});

/**
 * A monthly open-data file, public and under statistical secrecy: `<path>/<AAAA-MM>.json` (its
 * rows under `lignes`, after `about`'s fields) and the same rows as `<path>/<AAAA-MM>.csv`.
 */
export function monthlyOpenData<Row>(
  app: AdminApp,
  path: string,
  file: {
    summary: string;
    /** The CSV's name before its month: `aptic-avis` → `aptic-avis-2026-03.csv`. */
    name: string;
    rows: (month: string) => Promise<Row[]>;
    csv: (rows: Row[]) => string;
    about?: Record<string, string>;
  },
): void {
  app.get(
    `${path}/:month.json`,
    { config: { public: true }, schema: { summary: file.summary, params: MonthParams } },
    async (request) => {
      const { month } = request.params as { month: string };
      return { mois: month, ...file.about, lignes: await file.rows(month) };
    },
  );
  app.get(
    `${path}/:month.csv`,
    { config: { public: true }, schema: { summary: 'The same, as CSV', params: MonthParams } },
    async (request, reply) => {
      const { month } = request.params as { month: string };
      return sendDocument(reply, 'csv', 'attachment', `${file.name}-${month}.csv`, file.csv(await file.rows(month)));
    },
  );
}
