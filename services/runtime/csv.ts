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

/** CSV text from lines of fields (RFC 4180 quoting), `;`-separated as French spreadsheets expect. */
export function toCsv(lines: readonly (readonly string[])[]): string {
  const field = (v: string) => (/[;"\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return lines.map((line) => line.map(field).join(';')).join('\r\n') + '\r\n';
}
