import { READ_COLUMNS, readRow, type ImportedPlace, type RowRefusal, type RowWarning } from './row.ts';

export interface ImportReport {
  rows: number;
  /** new places created */
  kept: number;
  /** rows whose place was already known (earlier import, or earlier in this file) */
  merged: number;
  /** merged rows that changed something */
  changed: number;
  offersPublished: number;
  refused: ({ row: number; id: string | null } & RowRefusal)[];
  warnings: ({ row: number; id: string } & RowWarning)[];
  /** columns of the file this import does not read, by name */
  ignoredColumns: string[];
}

export interface ReadFile {
  places: { row: number; place: ImportedPlace }[];
  /** rows repeating an id seen earlier in the file: merged into the first */
  repeats: number;
  refused: ImportReport['refused'];
  warnings: ImportReport['warnings'];
  ignoredColumns: string[];
}

/** Reads every row; rows are numbered from 1 as a spreadsheet user counts data lines. */
export function readFile(rows: Record<string, unknown>[]): ReadFile {
  const out: ReadFile = { places: [], repeats: 0, refused: [], warnings: [], ignoredColumns: ignoredColumns(rows) };
  const seen = new Set<string>();
  rows.forEach((raw, i) => {
    const row = i + 1;
    const reading = readRow(raw);
    if (!reading.ok) {
      out.refused.push({ row, id: typeof raw.id === 'string' && raw.id ? raw.id : null, ...reading.refusal });
      return;
    }
    const { place } = reading;
    for (const warning of place.warnings) out.warnings.push({ row, id: place.nationalId, ...warning });
    if (seen.has(place.nationalId)) out.repeats++;
    else seen.add(place.nationalId), out.places.push({ row, place });
  });
  return out;
}

function ignoredColumns(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows)
    for (const column of Object.keys(row)) if (!READ_COLUMNS.has(column) && column !== '__malformed') seen.add(column);
  return [...seen].sort();
}
