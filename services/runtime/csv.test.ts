import { expect, test } from 'vitest';
import { csvCell, toCsv } from './csv.ts';

test('a cell a spreadsheet would run as a formula is neutralised; numbers stay numbers', () => {
  for (const formula of ['=HYPERLINK("http://x","clic")', '+33 5 45', '-2+3', '@SUM(A1)', '\tcmd', '\r=1'])
    expect(csvCell(formula).replace(/^"/, '').startsWith("'")).toBe(true);
  expect(csvCell('=1+1')).toBe("'=1+1");
  expect(csvCell('-150')).toBe('-150');
  expect(csvCell('-1,5')).toBe('-1,5');
  expect(csvCell('Angoulême')).toBe('Angoulême');
  expect(csvCell('a;b "c"')).toBe('"a;b ""c"""');
  expect(
    toCsv([
      ['nom', 'note'],
      ["=cmd|' /C calc'!A0", '-3'],
    ]),
  ).toBe("nom;note\r\n'=cmd|' /C calc'!A0;-3\r\n");
});
