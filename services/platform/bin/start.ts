/**
 * `npm start [-- <service>...]`
 * No DATABASE_URL/NATS_URL: all seven services in this process (embedded mode, PGlite).
 * With both: the named services (or all) against PostgreSQL and NATS JetStream.
 * `--demo` (embedded): seeds the demo's story, or finds it again, and prints it.
 */
import { performance } from 'node:perf_hooks';
import { feedbackCode, frenchDateTime, groupedFeedbackCode, printedPassCode, readPassCode } from '@aptic/contracts';
import {
  passCodeKey,
  readConfig,
  selectServices,
  startPlatform,
  StartRefused,
  type RunningPlatform,
} from '@aptic/runtime';
import { allServices } from './services.ts';
import type { DemoRecord } from './demo.ts';

// A start refused for a reason the person can fix is one line, never a stack trace.
process.on('uncaughtException', (err) => {
  if (!(err instanceof StartRefused)) throw err;
  console.error(`aptic: ${err.message}`);
  process.exit(1);
});

const began = performance.now();
const seconds = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
/** What the start is doing, for the person waiting at the terminal. */
const progress = (step: string) => console.log(`… ${step} (${seconds()})`);

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const withDemo = process.argv.includes('--demo');
const env = { ...process.env };
// Embedded mode is for a person at a terminal: warnings only unless asked for more.
if (!env.DATABASE_URL && !env.LOG_LEVEL) env.LOG_LEVEL = 'warn';
const config = readConfig(env);
if (withDemo && config.mode !== 'embedded')
  throw new StartRefused('--demo seeds the embedded platform: start without DATABASE_URL/NATS_URL.');
const platform = await startPlatform(selectServices(allServices, args), config, undefined, progress);

for (const service of platform.services) console.log(`${service.name} admin ${service.url}`);
if (platform.bootstrapToken) {
  console.log(
    `\nFirst start: admin token, role admin, for every admin API (shown once, keep it): ${platform.bootstrapToken}`,
  );
}
if (withDemo) {
  const { demo } = await import('./demo.ts');
  const { record, reused } = await demo(platform, progress);
  await printDemo(platform, record, reused);
}
console.log(`ready (${config.mode} mode)`);
console.log(`… started in ${seconds()}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    try {
      await platform.stop();
      process.exit(0);
    } catch (err) {
      console.error('stop failed', err);
      process.exit(1);
    }
  });
}

/** The demo's summary: the same on every start over the same data, with fresh links to open. */
async function printDemo(platform: RunningPlatform, d: DemoRecord, reused: boolean): Promise<void> {
  const url = (service: string) => platform.services.find((s) => s.name === service)!.url;
  const LINK_MINUTES = 60;
  const link = (service: string, path: string) =>
    platform.tokens.signLink(d.token, `${url(service)}${path}`, LINK_MINUTES * 60);
  const documents: [string, string][] = [
    ['print-ready PDF of the 200 carnets', await link('printing', `/print-jobs/${d.printJobId}/pdf`)],
    [
      `service sheet of "${d.placeName}" (the barcodes the mediator scans)`,
      await link('catalogue', `/places/${d.placeId}/service-sheet.pdf`),
    ],
    [`quote ${d.order.number}`, await link('ordering', `/quotes/${d.order.id}/pdf`)],
  ];
  for (const invoice of d.order.invoices)
    documents.push([`invoice ${invoice.number}`, await link('ordering', `/invoices/${invoice.id}/pdf`)]);
  // The first pass's stub, as printed: its feedback code and the rating page it leads to.
  const pass = readPassCode(d.passCodes[0]!);
  if (!pass.ok) throw new Error('demo: its first pass code does not read');
  const stub = feedbackCode(passCodeKey(platform.config), pass.carnetNumber, pass.position);
  const lines = [
    '',
    reused
      ? `Demo, found again in ${platform.config.dataDir} (seeded ${frenchDateTime(d.seededAt)}):`
      : 'Demo, seeded:',
    `  funder: ${d.funder.name} (id ${d.funder.id})`,
    `  order: ${d.order.number}, ${d.order.passCount} passes, paid, printed and delivered (id ${d.order.id})`,
    ...d.places.map((p) => `  place: ${p.name} (id ${p.id}), its kiosk ${p.kioskId}`),
    `  support token: the demo kiosk's, and a bearer token for the admin APIs as role support: ${d.token}`,
    `  documents, links to open in a browser (signed with the support token, valid ${LINK_MINUTES} minutes; start the demo again for new ones):`,
    ...documents.map(([what, href]) => `    ${what}: ${href}`),
    `  service barcode of "${d.placeName}": ${d.serviceBarcode}`,
    `  pass codes to try: ${d.passCodes.map(printedPassCode).join(' · ')}`,
    `  the first pass's stub (feedback code ${groupedFeedbackCode(stub)}): once it is scanned, rate its service at ${url('qualification')}/avis/${stub}`,
    '  open the kiosk in another terminal: npm run kiosk -- --demo',
  ];
  for (const line of lines) console.log(line);
}
