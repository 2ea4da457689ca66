import { expect, test } from 'vitest';
import { runChaos } from './run.ts';

/**
 * The short chaos run of `npm test` (the long one: `npm run chaos`): every fault once, under a
 * steady stream of scans with duplicates; nothing lost, nothing doubled, every count the same.
 */
test('kill -9 of every service, NATS and PostgreSQL restarts, a kiosk cut off: nothing lost or doubled', {
  timeout: 600_000,
}, async () => {
  const figures = await runChaos({ scans: 1_800, rate: 25, faultEverySeconds: 6, log: (l) => console.log(l) });
  console.log(JSON.stringify(figures, null, 2));
  expect(figures.faults.length).toBeGreaterThanOrEqual(8);
  expect({
    lost: figures.lost,
    doubled: figures.doubled,
    mismatch: figures.mismatch,
    parked: figures.parked,
    crashes: figures.crashes,
  }).toEqual({ lost: 0, doubled: 0, mismatch: 0, parked: 0, crashes: [] });
});
