import { afterAll, beforeAll, expect, test } from 'vitest';
import { PdfRenderer, readConfig } from '@aptic/runtime';
import { pdfText, saveFirstPage } from '../../../test/support/pdf.ts';
import { renderLetters } from './letters-pdf.ts';

let renderer: PdfRenderer;
beforeAll(async () => {
  renderer = await PdfRenderer.launch(readConfig().chromiumPath);
});
afterAll(async () => {
  await renderer?.close();
});

test('a mailing’s letters are rendered in batches and joined, one page each, in order', async () => {
  const documents: string[] = [];
  const printer = {
    render: (html: string, options?: { tagged?: boolean }) => (documents.push(html), renderer.render(html, options)),
  };
  const recipients = ['Camille Martin', 'Jean Dupont', 'Awa Diallo'].map((name, i) => ({
    carnetNumber: 42 + i,
    name,
    line1: `${i + 1} rue de Basseau`,
    line2: null,
    postalCode: '16000',
    city: 'Angoulême',
    places:
      i === 0
        ? [
            {
              placeId: '0b8e5f7e-9a55-4c1e-9d2c-1a2b3c4d5e6f',
              name: 'Espace numérique de Basseau',
              type: 'espace_public_numerique',
              communeCode: '16015',
              communeName: 'Angoulême',
              postalCode: '16000',
              address: '2 rue de Basseau',
              latitude: null,
              longitude: null,
              distanceKm: 0.4,
              openingHours: null,
              openNow: false,
            },
          ]
        : [],
  }));
  const pdf = await renderLetters(
    printer,
    { funderName: 'CCAS', carnetSize: 10, validFrom: '2027-01-01', validUntil: '2027-12-31' },
    recipients,
    2,
  );
  expect(documents).toHaveLength(2);
  expect(documents[0]).toContain('Jean Dupont');
  expect(documents[0]).not.toContain('Awa Diallo');
  const text = await pdfText(pdf);
  expect(text.indexOf('Camille Martin')).toBeLessThan(text.indexOf('Awa Diallo'));
  expect(pdf.toString('latin1')).toContain('/Count 3');
  await saveFirstPage(pdf, 'cover-letter');
});
