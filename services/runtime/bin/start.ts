/**
 * `npm start [-- <service>...]`
 * No DATABASE_URL/NATS_URL: all seven services in this process (embedded mode, PGlite).
 * With both: the named services (or all) against PostgreSQL and NATS JetStream.
 */
import { readConfig } from '../config.ts';
import { selectServices, startPlatform } from '../platform.ts';
import { allServices } from './services.ts';

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
