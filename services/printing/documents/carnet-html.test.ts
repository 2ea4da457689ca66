import { expect, test } from 'vitest';
import { DomainError, passCode } from '@aptic/contracts';
import { barcode, carnetsHtml, spacedCode, validatePrintJob } from './carnet-html.ts';
import { PNG_LOGO, TEST_KEY, printJob } from './fixtures.ts';

function refusalCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return 'accepted';
}

test('a carnet prints as its cover then its passes, each page with its numbers and code human-readable', () => {
  const job = printJob(2, 5);
  const html = carnetsHtml(job, job.carnets);
  expect(html.match(/<section class="sheet cover">/g)).toHaveLength(2);
  expect(html.match(/<section class="sheet pass">/g)).toHaveLength(10);
  expect(html).toContain('@page { size: 7.25in 3.25in; margin: 0; }');
  expect(html.indexOf('Carnet n°<br><span class="value">0000043')).toBeGreaterThan(html.lastIndexOf('Pass 5/5 · carnet 0000042'));
  expect(html).toContain(spacedCode(passCode(TEST_KEY, 43, 5)));
  expect(html).toContain('Carnet de 5 pass · 50\u00a0€');
  expect(html).toContain('Valable du 01/01/2027 au 31/12/2027 · Charente (16)');
});

test('escapes the funder name and perimeter; the templates inline nothing raw', () => {
  const html = carnetsHtml(printJob(1, 5, 1, { funderName: '<script>x</script> & "Co"', perimeterLabel: '<b>16</b>' }), printJob(1, 5, 1).carnets);
  expect(html).toContain('&lt;script&gt;x&lt;/script&gt; &amp; &quot;Co&quot;');
  expect(html).toContain('&lt;b&gt;16&lt;/b&gt;');
  expect(html).not.toContain('<script>');
});

test('sets each logo once per document, as an escaped CSS value', () => {
  const job = printJob(2, 10, 1, { logos: { pass: { mime: 'image/png', data: PNG_LOGO } } });
  const html = carnetsHtml(job, job.carnets);
  expect(html.split(PNG_LOGO.toString('base64').slice(0, 40))).toHaveLength(2);
  expect(html).toContain('--pass-logo: url(&quot;data:image/png;base64,');
  expect(html.match(/class="logo pass-logo"/g)).toHaveLength(20);
  expect(html).not.toContain('cover-logo"');
});

test('barcodes are Code 128 vector strokes, quiet zones included', () => {
  const { viewBox, strokes } = barcode(passCode(TEST_KEY, 42, 1));
  expect(viewBox).toMatch(/^0 0 176 \d+$/);
  expect(strokes.length).toBeGreaterThan(0);
  for (const s of strokes) expect(s.d).toMatch(/^[ML\d. ]+$/);
});

test('refuses jobs that cannot be printed as they are', () => {
  const job = printJob(2, 10);
  expect(validatePrintJob(job)).toBe(job);
  expect(refusalCode(() => validatePrintJob({ ...job, carnetSize: 5 }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, validUntil: '2026-12-31' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, validFrom: '2027-02-30' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, funderName: ' ' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [job.carnets[0]!, job.carnets[0]!] }))).toBe('invalid_print_job');
  const swapped = { ...job.carnets[0]!, passes: [...job.carnets[0]!.passes].reverse() };
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [swapped] }))).toBe('invalid_print_job');
  const foreign = { ...job.carnets[0]!, number: 7 };
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [foreign] }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, logos: { cover: { mime: 'image/png', data: Buffer.from('nope') } } }))).toBe('invalid_logo');
});
