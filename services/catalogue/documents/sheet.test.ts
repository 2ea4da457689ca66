import { expect, test } from 'vitest';
import { serviceSheetHtml } from './sheet.ts';

test('the sheet lists each offer with its SVG barcode and escapes names', () => {
  const html = serviceSheetHtml(
    { id: 'p', name: 'Espace <numérique>', address: '1 rue', commune: 'Cognac', status: 'qualified' },
    [
      {
        offerId: '0b8e5f7e-9a55-4c1e-9d2c-1a2b3c4d5e6f',
        label: 'Atelier',
        group: true,
        durationMinutes: 120,
        priceCents: 1000,
      },
    ],
    '2024-01-08',
  );
  expect(html).toContain('Espace &lt;numérique&gt;');
  expect(html).toContain('SRV-0b8e5f7e-9a55-4c1e-9d2c-1a2b3c4d5e6f');
  expect(html).toContain('<svg');
  expect(html).toMatch(/10,00\s€/);
  expect(html).toContain('qualifié');
  expect(html).toContain('Imprimée le 08/01/2024');
});
