import { expect, test } from 'vitest';
import { pino } from 'pino';
import { Timers } from './timers.ts';

test('a slow job never overlaps itself, a failing one keeps its schedule, stop waits for the run under way', async () => {
  const timers = new Timers(pino({ level: 'silent' }));
  let concurrent = 0;
  let maxConcurrent = 0;
  let slowRuns = 0;
  let failures = 0;
  timers.every('slow', 5, async () => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await new Promise((r) => setTimeout(r, 30));
    concurrent--;
    slowRuns++;
  });
  timers.every('failing', 5, async () => {
    failures++;
    throw new Error('boom');
  });
  await new Promise((r) => setTimeout(r, 100));
  await timers.stop();
  expect(maxConcurrent).toBe(1);
  expect(slowRuns).toBeGreaterThanOrEqual(2);
  expect(failures).toBeGreaterThanOrEqual(3);
  expect(concurrent).toBe(0);
});
