import { expect, test } from 'vitest';
import { MAX_RENDER_ATTEMPTS, assertNext, renderRetryDelayMs } from './print-job.ts';

test('a failing render backs off, then the job fails; staff may queue it again', () => {
  expect([1, 2, 3, 4].map(renderRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
  expect(renderRetryDelayMs(20)).toBe(3_600_000);
  expect(MAX_RENDER_ATTEMPTS).toBeGreaterThan(1);
  expect(() => assertNext('queued', 'failed')).not.toThrow();
  expect(() => assertNext('failed', 'queued')).not.toThrow();
  expect(() => assertNext('failed', 'printed')).toThrow();
});
