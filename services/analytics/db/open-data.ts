import { sql } from 'drizzle-orm';
import { territory } from '@aptic/contracts';
import { queryRows, toCsv, type Queryable } from '@aptic/runtime';
import { SECRECY_THRESHOLD } from '@aptic/contracts';
import { ALL, publishWithSecrecy, type Cell } from '../domain/open-data.ts';

/**
 * The monthly open-data file of redemptions (no personal data: counts of passes per month, commune,
 * service and place type, under statistical secrecy), as CSV or JSON, and its Table Schema.
 */

/** The columns naming an open-data cell, first in every file: its month, commune, service and place type. */
export const CELL_COLUMNS = ['mois', 'code_commune', 'nom_commune', 'service', 'type_lieu'] as const;

/** Those columns of a cell's row (the commune's name from the official geography). */
export const cellColumns = (c: Omit<Cell, 'passes'>, names: ReturnType<typeof territory>) => ({
  mois: c.month,
  code_commune: c.communeCode,
  nom_commune: names.commune(c.communeCode)?.nom ?? null,
  service: c.serviceCode,
  type_lieu: c.placeType,
});

const COLUMNS = [...CELL_COLUMNS, 'nombre_pass', 'secret_statistique'] as const;

export const tableSchema = {
  name: 'aptic-pass-numerique-utilisations',
  title: 'Pass numériques #APTIC utilisés, par mois, commune, service et type de lieu',
  description:
    `Nombre de pass numériques utilisés (annulations déduites) dans les lieux de médiation numérique qualifiés, par mois (heure de Paris), ` +
    `commune du lieu, service et type de lieu. Secret statistique : un nombre inférieur à ${SECRECY_THRESHOLD} n'est pas publié, ` +
    `ni un second nombre de la même commune et du même mois quand il permettrait de le retrouver à partir du total ` +
    `(ligne « ${ALL} »). Aucune donnée personnelle.`,
  licenses: [
    {
      name: 'etalab-2.0',
      title: 'Licence Ouverte / Open Licence version 2.0',
      path: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
    },
  ],
  missingValues: [''],
  fields: [
    {
      name: 'mois',
      type: 'yearmonth',
      description: 'Mois de l’utilisation (AAAA-MM), heure de Paris',
      constraints: { required: true },
    },
    {
      name: 'code_commune',
      type: 'string',
      description: 'Code officiel géographique (INSEE) de la commune du lieu',
      constraints: { required: true, pattern: '^(?:[0-9]{2}|2A|2B)[0-9]{3}$' },
    },
    { name: 'nom_commune', type: 'string', description: 'Nom de la commune (Code officiel géographique)' },
    {
      name: 'service',
      type: 'string',
      description: `Code du service du référentiel national, ou « ${ALL} » pour le total de la commune`,
      constraints: { required: true },
    },
    {
      name: 'type_lieu',
      type: 'string',
      description: `Type de lieu, ou « ${ALL} » pour le total de la commune`,
      constraints: { required: true },
    },
    {
      name: 'nombre_pass',
      type: 'integer',
      description: 'Nombre de pass utilisés ; vide quand le secret statistique s’applique',
      constraints: { minimum: SECRECY_THRESHOLD },
    },
    {
      name: 'secret_statistique',
      type: 'boolean',
      description: 'Vrai quand le nombre n’est pas publié (secret statistique)',
      constraints: { required: true },
    },
  ],
  primaryKey: ['mois', 'code_commune', 'service', 'type_lieu'],
};

export type OpenDataRow = Record<(typeof COLUMNS)[number], string | number | boolean | null>;

/** The month's published rows. */
export async function openDataRows(db: Queryable, month: string): Promise<OpenDataRow[]> {
  const cells = await queryRows<Cell>(
    db,
    sql`
    SELECT ${month} AS month, p.commune_code AS "communeCode", o.service_code AS "serviceCode", p.type AS "placeType", sum(u.redemptions)::int AS passes
      FROM analytics.usage_daily u
      JOIN analytics.place p ON p.place_id = u.place_id
      JOIN analytics.offer o ON o.offer_id = u.offer_id
     WHERE u.day >= to_date(${month}, 'YYYY-MM') AND u.day < to_date(${month}, 'YYYY-MM') + interval '1 month'
     GROUP BY p.commune_code, o.service_code, p.type`,
  );
  const names = territory();
  return publishWithSecrecy(cells).map((c) => ({
    ...cellColumns(c, names),
    nombre_pass: c.passes,
    secret_statistique: c.secret,
  }));
}

/** An open-data table as CSV: its columns' names, then each row's values in that order (none: empty). */
export const tableCsv = <C extends string>(columns: readonly C[], rows: readonly Record<C, unknown>[]) =>
  toCsv([[...columns], ...rows.map((r) => columns.map((c) => String(r[c] ?? '')))]);

export const openDataCsv = (rows: readonly OpenDataRow[]) => tableCsv(COLUMNS, rows);
