/**
 * `npm start [-- <service>...]`
 * No DATABASE_URL/NATS_URL: all seven services in this process (embedded mode, PGlite).
 * With both: the named services (or all) against PostgreSQL and NATS JetStream.
 */
import { readConfig, selectServices, startPlatform, StartRefused } from '@aptic/runtime';
import { allServices } from './services.ts';

// A start refused for a reason the person can fix is one line, never a stack trace.
process.on('uncaughtException', (err) => {
  if (!(err instanceof StartRefused)) throw err;
  console.error(`aptic: ${err.message}`);
  process.exit(1);
});

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const env = { ...process.env };
// Embedded mode is for a person at a terminal: warnings only unless asked for more.
if (!env.DATABASE_URL && !env.LOG_LEVEL) env.LOG_LEVEL = 'warn';
const config = readConfig(env);
const platform = await startPlatform(selectServices(allServices, args), config);

for (const service of platform.services) console.log(`${service.name} admin ${service.url}`);
if (platform.bootstrapToken) {
  console.log(`\nFirst start: admin token (shown once, keep it): ${platform.bootstrapToken}`);
}
if (process.argv.includes('--demo')) {
  if (config.mode !== 'embedded') throw new Error('--demo seeds the embedded platform: start without DATABASE_URL/NATS_URL.');
  const { seedDemo } = await import('./demo.ts');
  // Seeding plays every staff role (admin); the demo kiosk gets a support token only.
  const seeder = (await platform.tokens.issue({ name: 'demo seeding', role: 'admin' }, 'npm start -- --demo')).token;
  const token = (await platform.tokens.issue({ name: 'demo kiosk', role: 'support' }, 'npm start -- --demo')).token;
  const demo = await seedDemo(platform, seeder, token);
  const catalogue = platform.services.find((s) => s.name === 'catalogue')!.url;
  console.log(`\nDemo: an order of 2,000 passes paid, printed and delivered; two places qualified with a kiosk each.`);
  console.log(`  print-ready PDF of the 200 carnets: ${demo.printFile} (bearer token: ${token})`);
  console.log(`  service sheet (the barcodes the mediator scans): ${catalogue}/places/${demo.placeId}/service-sheet.pdf (bearer token: ${token})`);
  console.log(`  service barcode of "${demo.placeName}": ${demo.serviceBarcode}`);
  console.log(`  pass codes to try: ${demo.passCodes.join(' ')}`);
  console.log('  open the kiosk in another terminal: npm run kiosk -- --demo');
}
console.log(`ready (${config.mode} mode)`);

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
