import { expect, test } from 'vitest';
import { DomainError, passCode, printedPassCode } from '@aptic/contracts';
import { barcode, carnetsHtml, validatePrintJob } from './carnet-html.ts';
import { PNG_LOGO, TEST_KEY, printJob } from './fixtures.ts';

/** The SVG faces a document sets as CSS values (base64, its padding escaped by handlebars). */
function faces(html: string): string[] {
  return [...html.matchAll(/data:image\/svg\+xml;base64,([A-Za-z0-9+/]+(?:&#x3D;)*)/g)].map((m) =>
    Buffer.from(m[1]!.replaceAll('&#x3D;', '='), 'base64').toString('utf8'),
  );
}

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
  expect(html.indexOf('<p class="cover-number mono">0000043</p>')).toBeGreaterThan(
    html.lastIndexOf('Carnet n° <span class="mono">0000042</span><br>Pass <span class="mono">5/5</span>'),
  );
  expect(html).toContain(printedPassCode(passCode(TEST_KEY, 43, 5)));
  const [pass, cover] = faces(html);
  expect(pass).toContain('Valable du 01/01/2027 au 31/12/2027 · Charente (16)');
  expect(cover).toContain('Carnet de 5 pass · 50\u00a0€');
});

test('what all passes share is drawn once per document, as two SVG faces of the same stylesheet', () => {
  const job = printJob(2, 10);
  const html = carnetsHtml(job, job.carnets);
  const [pass, cover] = faces(html);
  expect(faces(html)).toHaveLength(2);
  expect(html.split('Offert par')).toHaveLength(1);
  for (const face of [pass!, cover!]) {
    expect(face).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="7.25in" height="3.25in">/);
    expect(face).toContain('@page { size: 7.25in 3.25in; margin: 0; }');
    expect(face).toContain('class="bleed-band"');
    expect(face).not.toMatch(/<br>|&nbsp;/);
  }
  expect(pass).toContain('class="perforation"');
  expect(cover).toContain('class="how-to"');
  expect(pass).toContain('Ni échangeable ni remboursable. Lieux qualifiés : www.aptic.fr');
});

test('escapes the funder name and perimeter, in the faces as in the pages; the templates inline nothing raw', () => {
  const html = carnetsHtml(
    printJob(1, 5, 1, { funderName: '<script>x</script> & "Co"', perimeterLabel: '<b>16</b>' }),
    printJob(1, 5, 1).carnets,
  );
  for (const face of faces(html)) {
    expect(face).toContain('&lt;script&gt;x&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(face).toContain('&lt;b&gt;16&lt;/b&gt;');
    expect(face).not.toContain('<script>');
  }
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

test('a barcode is one vector path of Code 128 bars, quiet zones included', () => {
  const { viewBox, d } = barcode(passCode(TEST_KEY, 42, 1));
  // start C, 11 digit pairs, check symbol: 13 symbols of 3 bars in 11 modules; stop: 4 bars in 13;
  // then 10 modules of quiet zone each side
  expect(viewBox).toBe('0 0 176 1');
  expect(d).toMatch(/^(M\d+ 0h[1-4]v1h-[1-4]z)+$/);
  expect(d.startsWith('M10 0h2v1h-2z')).toBe(true);
  const bars = [...d.matchAll(/M(\d+) 0h(\d)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  expect(bars).toHaveLength(3 * 13 + 4);
  expect(bars.at(-1)!.reduce((x, w) => x + w)).toBe(176 - 10);
});

test('refuses jobs that cannot be printed as they are', () => {
  const job = printJob(2, 10);
  expect(validatePrintJob(job)).toBe(job);
  expect(refusalCode(() => validatePrintJob({ ...job, carnetSize: 5 }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, validUntil: '2026-12-31' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, validFrom: '2027-02-30' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, funderName: ' ' }))).toBe('invalid_print_job');
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [job.carnets[0]!, job.carnets[0]!] }))).toBe(
    'invalid_print_job',
  );
  const swapped = { ...job.carnets[0]!, passes: [...job.carnets[0]!.passes].reverse() };
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [swapped] }))).toBe('invalid_print_job');
  const foreign = { ...job.carnets[0]!, number: 7 };
  expect(refusalCode(() => validatePrintJob({ ...job, carnets: [foreign] }))).toBe('invalid_print_job');
  expect(
    refusalCode(() => validatePrintJob({ ...job, logos: { cover: { mime: 'image/png', data: Buffer.from('nope') } } })),
  ).toBe('invalid_logo');
});
