/**
 * `npm run chaos`: the long chaos run (8,000 scans at 40/s, a fault every 10 s, each fault twice),
 * printing its figures: lost, doubled, mismatch, and the verdict latency during each fault.
 */
import { runChaos } from './run.ts';

const figures = await runChaos({
  scans: Number(process.env.CHAOS_SCANS ?? 8_000),
  rate: Number(process.env.CHAOS_RATE ?? 40),
  faultEverySeconds: Number(process.env.CHAOS_FAULT_EVERY_SECONDS ?? 10),
  log: (line) => console.log(`… ${line}`),
});
console.log(JSON.stringify(figures, null, 2));
process.exit(figures.lost + figures.doubled + figures.mismatch + figures.parked === 0 ? 0 : 1);
