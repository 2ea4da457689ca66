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
  expect(html).toContain('S0BHSFQX6JN9GF9TB0T5CY4TQKF');
  expect(html.match(/<svg /g)).toHaveLength(2);
  // 27 characters at 0.28 mm a module, quiet zones included: under 100 mm, no longer 171.
  expect(Number(/style="width: ([\d.]+)mm"/.exec(html)?.[1])).toBeLessThan(100);
  expect(html).not.toContain('>p<');
  expect(html).toMatch(/10,00\s€/);
  expect(html).toContain('qualifié');
  expect(html).toContain('fiche imprimée le 08/01/2024');
  expect(html).toContain('scannez le code du service');
});
