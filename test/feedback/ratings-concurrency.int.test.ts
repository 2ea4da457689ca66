/**
 * Two ratings of one place saved at the same moment: the place's figures count both. Each
 * transaction sees only its own new rating until the other commits, so the figures must be
 * computed after the place's lock is held, never before.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { call, eventually } from '../support/platform.ts';
import { feedbackWorld, postRating, type FeedbackWorld } from './world.ts';

let w: FeedbackWorld;

beforeAll(async () => {
  w = await feedbackWorld(9_500);
}, 120_000);
afterAll(async () => {
  await w?.stop();
});

const figures = async () =>
  (await call(`${w.url('qualification')}/places/${w.places[0]}/ratings`)).body as { count: number; mean: number };

test('two ratings of one place saved at once are both counted in its figures', async () => {
  const [first, second, third] = w.passes;
  for (const pass of [first!, second!, third!]) await w.redeem(pass);
  expect((await postRating(w, first!.code, { score: '5', wouldReturn: 'oui' })).status).toBe(303);
  expect(await figures()).toMatchObject({ count: 1, mean: 5 });

  // Hold the place's figures row so that both saves reach it with their rating written, then let go.
  const blocker = new pg.Client({ connectionString: w.infra.databaseUrl });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM qualification.place_rating WHERE place_id = $1 FOR UPDATE', [w.places[0]]);
    const saves = [
      postRating(w, second!.code, { score: '3', wouldReturn: 'oui' }),
      postRating(w, third!.code, { score: '1', wouldReturn: 'non' }),
    ];
    await eventually(
      async () =>
        (await blocker.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n as number,
      (n) => n >= 2,
    );
    await blocker.query('ROLLBACK');
    expect((await Promise.all(saves)).map((s) => s.status)).toEqual([303, 303]);
  } finally {
    await blocker.end();
  }
  expect(await figures()).toMatchObject({ count: 3, mean: 3 });
});
