import { performance } from 'node:perf_hooks';
const t0 = performance.now();
let last = t0;
const at = (what: string) => {
  const now = performance.now();
  console.log(`${((now - t0) / 1000).toFixed(2)}s (+${((now - last) / 1000).toFixed(2)}) ${what}`);
  last = now;
};
const { readConfig, startPlatform } = await import('@aptic/runtime');
at('runtime imported');
const { allServices } = await import('./services.ts');
at('services imported');
const config = readConfig({ ...process.env, LOG_LEVEL: 'warn' });
const p = await startPlatform(allServices, config, undefined, at);
at('platform started');
await p.stop();
at('stopped');
