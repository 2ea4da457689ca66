/**
 * A small RFC 4180 reader: quoted fields (with "" escapes and line breaks), CRLF or LF, comma or
 * semicolon delimiter (guessed from the header line, French spreadsheets export `;`).
 */
export type CsvResult = { ok: true; rows: Record<string, string>[] } | { ok: false; message: string };

function records(text: string, delimiter: string): string[][] | undefined {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field), out.push(row), (row = []), (field = '');
    } else field += ch;
  }
  if (quoted) return undefined;
  if (field !== '' || row.length > 0) row.push(field), out.push(row);
  return out.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function parseCsv(input: string): CsvResult {
  const text = input.replace(/^\uFEFF/, '');
  const header = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  const table = records(text, delimiter);
  if (!table) return { ok: false, message: 'CSV mal formé : guillemet non fermé.' };
  const [names, ...lines] = table;
  if (!names || names.length < 2) return { ok: false, message: 'CSV sans ligne d’en-tête.' };
  const keys = names.map((n) => n.trim());
  // A line with the wrong number of fields is kept, marked, and refused as a row later.
  const rows = lines.map((cells) => {
    const row: Record<string, string> = Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? '']));
    if (cells.length !== keys.length) row.__malformed = `${cells.length} champs au lieu de ${keys.length}`;
    return row;
  });
  return { ok: true, rows };
}

/** A spreadsheet takes a cell starting with one of these for a formula (OWASP's CSV injection). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^-?[0-9]+(?:[.,][0-9]+)?$/;

/**
 * One CSV field: a cell a spreadsheet would evaluate as a formula is neutralised by a leading
 * apostrophe (a negative number stays a number), then quoted if it holds a separator, a quote or
 * a line break (RFC 4180).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.has(value[0] ?? '') && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV text from lines of fields, `;`-separated as French spreadsheets expect; every CSV the platform writes goes through here. */
export function toCsv(lines: readonly (readonly string[])[]): string {
  return `${lines.map((line) => line.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
