import { expect, test } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

test('one at a time when idle, piled-up items together, never two batches at once', async () => {
  const batches: number[][] = [];
  let running = 0;
  let release: () => void = () => {};
  const batcher = new MicroBatcher<number>(3, async (batch) => {
    running++;
    expect(running).toBe(1);
    batches.push(batch);
    await new Promise<void>((r) => (release = r));
    running--;
  });
  batcher.push(1); // starts alone
  for (const n of [2, 3, 4, 5]) batcher.push(n); // pile up while busy
  release();
  await new Promise((r) => setTimeout(r, 0));
  release();
  await new Promise((r) => setTimeout(r, 0));
  release();
  await new Promise((r) => setTimeout(r, 0));
  expect(batches).toEqual([[1], [2, 3, 4], [5]]);
});

test('stop waits for the batch under way and hands back the rest', async () => {
  let release: () => void = () => {};
  const batcher = new MicroBatcher<number>(1, () => new Promise<void>((r) => (release = r)));
  batcher.push(1);
  batcher.push(2);
  const stopping = batcher.stop();
  release();
  expect(await stopping).toEqual([2]);
});
