/**
 * A place reads its beneficiaries' ratings where it reads its statements: settlement's place routes,
 * under the place's token, asking qualification (the ratings' owner) on the bus at read time.
 * Settlement runs on a node of its own, so that qualification can be stopped under it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { settlementService } from '@aptic/settlement';
import { businessDate, queryRows, type RunningPlatform } from '@aptic/runtime';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { readPdf } from '../support/pdf.ts';
import { feedbackWorld, postRating, type FeedbackWorld } from './world.ts';

const M = businessDate().slice(0, 7);
const afterM = () => {
  const [year, month] = M.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(month === 12 ? year + 1 : year, month === 12 ? 0 : month, 2, 12));
};
let clock = new Date();
let w: FeedbackWorld;
let node: RunningPlatform;
let s: string;

beforeAll(async () => {
  w = await feedbackWorld(9_300);
  node = await startDistributed(w.infra, [
    settlementService({ env: { SETTLEMENT_GRACE_DAYS: '0', SETTLEMENT_CLOSE_CHECK_MS: '3600000' }, now: () => clock }),
  ]);
  s = node.services[0]!.url;
  // Place 0: three ratings (4, 5, 2 with comments); place 1: one.
  const given: [number, number, string, string?][] = [
    [0, 0, '4', 'Très bon accueil.'],
    [1, 0, '5', 'Patient et clair.'],
    [2, 0, '2'],
    [3, 1, '1', 'Fermé.'],
  ];
  for (const [pass, place, score, comment] of given) {
    await w.redeem(w.passes[pass]!, place);
    const fields = { score, wouldReturn: score >= '4' ? 'oui' : 'non', ...(comment ? { comment } : {}) };
    expect((await postRating(w, w.passes[pass]!.code, fields)).status).toBe(303);
  }
  await eventually(
    async () =>
      (await queryRows<{ n: number }>(node.database.db, sql`SELECT count(*)::int AS n FROM settlement.booking`))[0]!.n,
    (n) => n === 4,
    30_000,
  );
}, 120_000);
afterAll(async () => {
  await node?.stop();
  await w?.stop();
});

const tokenOf = async (placeId: string) =>
  (await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'lieu', role: 'place', placeId } })).body
    .token as string;
const statementPdf = async (placeId: string, token: string) => {
  const response = await fetch(`${s}/places/${placeId}/statements/${M}/statement.pdf`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return readPdf(Buffer.from(await response.arrayBuffer()));
};

describe('a place’s ratings beside its statements', () => {
  test('its own token reads its figures and comments, never who wrote them; another place’s token gets 404', async () => {
    const token = await tokenOf(w.places[0]!);
    const own = await call(`${s}/places/${w.places[0]}/ratings`, { token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ placeId: w.places[0], count: 3, mean: 3.67, trend: null, period: null });
    expect(own.body.ratings.map((r: { score: number }) => r.score)).toEqual([2, 5, 4]);
    expect(own.body.ratings[1]).toMatchObject({ comment: 'Patient et clair.', wouldReturn: true });
    expect(JSON.stringify(own.body)).not.toMatch(/passId|redemptionId|funderId|orderId|pass_id/);
    // The same figures as qualification gives its staff.
    const staff = await call(`${w.url('qualification')}/places/${w.places[0]}/ratings`);
    expect(own.body).toMatchObject({ count: staff.body.count, mean: staff.body.mean, trend: staff.body.trend });
    expect((await call(`${s}/places/${w.places[0]}/ratings?limit=1&offset=1`, { token })).body.ratings).toEqual([
      expect.objectContaining({ score: 5 }),
    ]);

    const other = await call(`${s}/places/${w.places[0]}/ratings`, { token: await tokenOf(w.places[1]!) });
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown_place' } });
    expect(JSON.stringify(other.body)).not.toContain('Très bon accueil');
    // A place qualification does not know: its refusal crosses the bus as the same 404.
    const unknown = randomUUID();
    expect(await call(`${s}/places/${unknown}/ratings`, { token: await tokenOf(unknown) })).toMatchObject({
      status: 404,
      body: { code: 'unknown_place' },
    });
  });

  test('the month’s statement carries the place’s ratings of that month', async () => {
    clock = afterM();
    const finance = (await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'compta', role: 'finance' } }))
      .body.token as string;
    expect((await call(`${s}/periods/${M}/close`, { method: 'POST', token: finance })).status).toBe(200);
    const pdf = await statementPdf(w.places[0]!, await tokenOf(w.places[0]!));
    expect(pdf.text).toContain('Avis des bénéficiaires');
    expect(pdf.text).toContain('Ce mois-ci : 3 avis, note moyenne 3,7 / 5.');
    expect(pdf.text).toContain('Depuis le début : 3 avis, note moyenne 3,7 / 5.');
    expect(pdf.text).not.toContain('Très bon accueil');
  });

  test('qualification not answering: a typed 503 for the ratings, the statement still served without them', async () => {
    const token = await tokenOf(w.places[0]!);
    await w.platform.stop();
    const refused = await call(`${s}/places/${w.places[0]}/ratings`, { token });
    expect(refused).toMatchObject({ status: 503, body: { code: 'ratings_unavailable' } });
    expect(refused.body.message).toMatch(/réessayez/);
    const pdf = await statementPdf(w.places[0]!, token);
    expect(pdf.text).toContain("Relevé d'endossement");
    expect(pdf.text).not.toContain('Avis des bénéficiaires');
    // Another place's token is refused before qualification is asked, whether it answers or not.
    const other = await call(`${s}/places/${w.places[0]}/ratings`, { token: await tokenOf(w.places[1]!) });
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown_place' } });
    // Nor can the month's places be paid: their bank details are asked of qualification at run time.
    const finance = (await call(`${s}/admin/tokens`, { method: 'POST', body: { name: 'compta', role: 'finance' } }))
      .body.token as string;
    const run = await call(`${s}/payout-runs`, { method: 'POST', token: finance });
    expect(run).toMatchObject({ status: 503, body: { code: 'bank_details_unavailable' } });
    expect((await call(`${s}/payout-runs`, { token: finance })).body).toEqual([]);
  });
});
