/**
 * The rating page in a real browser (the system Chromium, headless, driven by playwright-core):
 * opened by the address decoded (zbar) from the QR code of a rendered print file's stub, rated,
 * changed, and each refusal; every state checked by axe-core for WCAG 2.1 A and AA and
 * photographed under test/results/feedback/ for review; the first load's bytes measured.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { readConfig } from '@aptic/runtime';
import { call, eventually } from '../support/platform.ts';
import { decodeSymbols } from '../support/pdf.ts';
import { feedbackWorld, type FeedbackWorld } from './world.ts';

const RESULTS = fileURLToPath(new URL('../results/feedback/', import.meta.url));
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let w: FeedbackWorld;
let browser: Browser;
let page: Page;
let dir: string;

/** The print file of the world's order, as the print partner downloads it. */
async function printFile(): Promise<string> {
  const printing = w.url('printing');
  const proof = (await call(`${printing}/orders/${w.orderId}/proofs`, { method: 'POST' })).body;
  const approved = await call(`${printing}/proofs/${proof.id}/approval`, { method: 'POST', body: {} });
  const jobId = approved.body.job.id as string;
  await eventually(
    () => call(`${printing}/print-jobs/${jobId}/progress`),
    (r) => r.body?.status === 'ready',
    120_000,
  );
  const response = await fetch(`${printing}/print-jobs/${jobId}/pdf`, {
    headers: { authorization: 'Bearer test-admin-token-not-a-secret-0123456789' },
  });
  const file = join(dir, 'order.pdf');
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** No WCAG 2.1 A or AA violation on the page as it stands; its screenshot kept for review. */
async function check(state: string): Promise<void> {
  expect(await page.getAttribute('main', 'data-state')).toBe(state);
  await page.screenshot({ path: join(RESULTS, `${state}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

beforeAll(async () => {
  await mkdir(RESULTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'aptic-avis-'));
  w = await feedbackWorld(9_300);
  browser = await chromium.launch({ executablePath: readConfig().chromiumPath, args: FLAGS });
  page = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await w?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('from the stub’s QR code to a rating, then its change; every state accessible, the first load under 30 KB', async () => {
  const links = await decodeSymbols(await printFile(), await mkdtemp(join(dir, 'qr-')), 'qrcode');
  expect(links).toEqual(w.passes.map((p) => `${w.page}/${p.code}`));
  const pass = w.passes[0]!;
  await w.redeem(pass);

  // First load of the QR code's address: the HTML and its stylesheet, headers included.
  const loads: Promise<number>[] = [];
  page.on('requestfinished', (request) =>
    loads.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)),
  );
  await page.goto(links[0]!);
  const firstLoad = (await Promise.all(loads)).reduce((a, b) => a + b, 0);
  expect(loads).toHaveLength(2);
  expect(firstLoad).toBeLessThan(30_000);
  console.log(`rating page first load: ${firstLoad} bytes (HTML + CSS)`);
  page.removeAllListeners('requestfinished');
  await expect.poll(() => page.textContent('.act')).toContain('Espace numérique de Basseau');
  expect(await page.textContent('.act')).toContain('Aide aux démarches administratives');
  await check('rate');

  // Sent without a choice: the errors, each linked to its field.
  await page.click('button[type="submit"]');
  await check('form_errors');
  expect(await page.textContent('.problem')).toContain('Choisissez une note de 1 à 5.');

  await page.check('#score-4');
  await page.check('#return-oui');
  await page.fill('#comment', 'Accueil patient, <b>merci</b> !');
  await page.click('button[type="submit"]');
  await check('saved');
  expect(await page.textContent('.notice')).toContain('Merci, votre avis est enregistré.');
  expect(await page.inputValue('#comment')).toBe('Accueil patient, <b>merci</b> !');

  // Changed within 30 days.
  await page.goto(links[0]!);
  await check('rated');
  expect(await page.isChecked('#score-4')).toBe(true);
  await page.check('#score-2');
  await page.click('button[type="submit"]');
  await check('saved');
  expect(await page.isChecked('#score-2')).toBe(true);
  // The change reaches the funder's figures: a cell of one rating gives its count, not its mean.
  await eventually(
    () => w.count(sql`SELECT count(*)::int AS n FROM analytics.rating_fact WHERE score = 2 AND revision = 2`),
    (n) => n === 1,
  );
  expect((await call(`${w.url('analytics')}/funders/${w.funderId}/satisfaction`)).body.places).toEqual([
    expect.objectContaining({ ratings: 1, meanScore: null, wouldReturnShare: null, secret: true }),
  ]);
});

test('the entry form, a wrong code, a pass not yet redeemed, too many tries: each says so, accessibly', async () => {
  await w.forgetAttempts();
  await page.goto(`${w.page}/`);
  await check('enter');

  const wrong = `${w.passes[9]!.code.slice(0, 10)}ZZZZZ`;
  await page.fill('#code', wrong);
  await page.click('button[type="submit"]');
  expect(await page.getAttribute('main', 'data-refusal')).toMatch(/^(misread_code|unknown_code)$/);
  await check((await page.getAttribute('main', 'data-state'))!);
  expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');

  await page.fill('#code', w.passes[8]!.code.toLowerCase());
  await page.click('button[type="submit"]');
  await check('not_redeemed');
  expect(await page.textContent('main')).toContain('n’a pas encore été utilisé');

  // Someone trying codes one after the other from this connection.
  for (let i = 0; i < 40; i++) await fetch(`${w.page}/${w.passes[12]!.code}`);
  const response = await page.goto(`${w.page}/${w.passes[8]!.code}`);
  expect(response?.status()).toBe(429);
  await check('too_many_attempts');
  expect(await page.textContent('.problem')).toContain('Trop d’essais');
});
