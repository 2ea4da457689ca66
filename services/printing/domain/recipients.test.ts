import { expect, test } from 'vitest';
import { parseCsv } from '@aptic/runtime';
import { readRecipients } from './recipients.ts';

const csv = (lines: string[]) => {
  const parsed = parseCsv(['nom;adresse;complement;code_postal;ville;code_insee', ...lines].join('\n'));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rows;
};

test('good lines become recipients; each bad line is reported with its number and field', () => {
  const { recipients, errors } = readRecipients(
    csv([
      'Camille Martin;12 rue de Basseau;Bât. B;16000;Angoulême;16015',
      'Sans Adresse;;;16000;Angoulême;16015',
      'Jean Dupont;3 rue X;;1600;Angoulême;16015',
      'Ana Silva;4 rue Y;;16100;Cognac;99999',
      'Ligne;cassée',
    ]),
  );
  expect(recipients).toEqual([
    {
      line: 2,
      name: 'Camille Martin',
      line1: '12 rue de Basseau',
      line2: 'Bât. B',
      postalCode: '16000',
      city: 'Angoulême',
      communeCode: '16015',
    },
  ]);
  expect(errors.map((e) => [e.line, e.field])).toEqual([
    [3, 'adresse'],
    [4, 'code_postal'],
    [5, 'code_insee'],
    [6, 'ligne'],
  ]);
});
