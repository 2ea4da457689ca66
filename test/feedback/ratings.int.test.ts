/**
 * Ratings end to end over the real bus: the rating page (qualification) asks printing which pass
 * a feedback code names, learns redemptions and cancellations from redemption's durable events,
 * and announces service.rated / rating.withdrawn, which analytics applies once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect } from 'nats';
import { feedbackCode, groupedFeedbackCode, natsNames, passCode } from '@aptic/contracts';
import { queryRows } from '@aptic/runtime';
import { TEST_PASS_CODE_KEY, call, eventually } from '../support/platform.ts';
import { loginAs } from '../analytics/panels.ts';
import { feedbackWorld, getPage, postRating, stateOf, type FeedbackWorld } from './world.ts';

let w: FeedbackWorld;

beforeAll(async () => {
  w = await feedbackWorld(9_100);
}, 120_000);
afterAll(async () => {
  await w?.stop();
});
beforeEach(() => w.forgetAttempts());

const ratingsOf = (passId: string) =>
  queryRows<{ score: number; status: string; revision: number; comment: string | null }>(
    w.platform.database.db,
    sql`SELECT score, status, revision, comment FROM qualification.rating WHERE pass_id = ${passId}`,
  );
const factsOf = (passId: string) =>
  queryRows<{ revision: number; score: number | null; withdrawn: boolean }>(
    w.platform.database.db,
    sql`SELECT f.revision, f.score, f.withdrawn FROM analytics.rating_fact f
          JOIN qualification.rating r ON r.id = f.rating_id WHERE r.pass_id = ${passId}`,
  );
const satisfaction = async () =>
  (await call(`${w.url('analytics')}/funders/${w.funderId}/satisfaction`)).body.places as {
    placeId: string;
    ratings: number;
    meanScore: number | null;
    wouldReturnShare: number | null;
    secret: boolean;
  }[];
const allRatings = () => w.count(sql`SELECT count(*)::int AS n FROM qualification.rating`);

describe('a rating', () => {
  test('reaches qualification and analytics exactly once; a change is a new revision of the same fact', async () => {
    const pass = w.passes[0]!;
    await w.redeem(pass);
    const first = await postRating(w, pass.code, { score: '4', wouldReturn: 'oui', comment: 'Très bon accueil.' });
    expect(first).toMatchObject({ status: 303, location: `./${pass.code}?enregistre=1` });
    expect(await ratingsOf(pass.passId)).toEqual([
      { score: 4, status: 'active', revision: 1, comment: 'Très bon accueil.' },
    ]);
    await eventually(
      () => factsOf(pass.passId),
      (f) => f.length === 1 && f[0]!.revision === 1,
    );

    // The same event delivered again (a copy JetStream lets through): the inbox skips it.
    const nc = await connect({ servers: w.infra.natsUrl });
    const names = natsNames(w.infra.prefix);
    const last = await (await nc.jetstreamManager()).streams.getMessage(names.events.stream, {
      last_by_subj: names.events.subject('service.rated'),
    });
    await nc.jetstream().publish(last.subject, last.data, { msgID: `copy-${Date.now()}` });
    await nc.close();

    const changed = await postRating(w, groupedFeedbackCode(pass.code).toLowerCase(), {
      score: '2',
      wouldReturn: 'non',
    });
    expect(changed.status).toBe(303);
    expect(await ratingsOf(pass.passId)).toEqual([{ score: 2, status: 'active', revision: 2, comment: null }]);
    await eventually(
      () => factsOf(pass.passId),
      (f) => f.length === 1 && f[0]!.revision === 2 && f[0]!.score === 2,
    );
    // One rating: its count for the funder, not its mean (one beneficiary's answer).
    expect(await satisfaction()).toEqual([
      expect.objectContaining({
        placeId: w.places[0],
        ratings: 1,
        meanScore: null,
        wouldReturnShare: null,
        secret: true,
      }),
    ]);
    const inbox = await w.count(sql`SELECT count(*)::int AS n FROM analytics.inbox WHERE consumer LIKE '%ratings%'`);
    expect(inbox).toBe(2);
    // Qualification's figures for the place, beside its questionnaire score.
    const figures = await call(`${w.url('qualification')}/places/${w.places[0]}/ratings`);
    expect(figures.body).toMatchObject({ count: 1, mean: 2, flagged: false, questionnaireScore: expect.any(Number) });
  });

  test('is withdrawn when its redemption is cancelled, everywhere; the page then says the pass has not served', async () => {
    const pass = w.passes[1]!;
    const redemptionId = await w.redeem(pass);
    expect((await postRating(w, pass.code, { score: '5', wouldReturn: 'oui' })).status).toBe(303);
    await eventually(
      () => factsOf(pass.passId),
      (f) => f.length === 1,
    );
    await w.cancel(pass, redemptionId);
    await eventually(
      () => ratingsOf(pass.passId),
      (r) => r[0]?.status === 'withdrawn',
    );
    await eventually(
      () => factsOf(pass.passId),
      (f) => f[0]?.withdrawn === true && f[0].revision === 2,
    );
    expect(stateOf((await getPage(w, pass.code)).html)).toEqual({ state: 'not_redeemed', refusal: 'not_redeemed' });
    const refused = await postRating(w, pass.code, { score: '1', wouldReturn: 'non' });
    expect([refused.status, stateOf(refused.html).refusal]).toEqual([409, 'not_redeemed']);
    expect((await satisfaction()).reduce((n, s) => n + s.ratings, 0)).toBe(1);
  });

  test('flags a place whose latest ratings fall under the threshold: staff alert and metric', async () => {
    for (const pass of w.passes.slice(10, 15)) {
      await w.redeem(pass, 1);
      expect((await postRating(w, pass.code, { score: '1', wouldReturn: 'non', comment: 'Fermé.' })).status).toBe(303);
    }
    const alerts = await call(`${w.url('qualification')}/rating-alerts`);
    expect(alerts.body).toEqual([
      expect.objectContaining({ placeId: w.places[1], name: 'Médiathèque de Soyaux', flagged: true, recentMean: 1 }),
    ]);
    const metrics = await (await fetch(`${w.url('qualification')}/metrics`)).text();
    expect(metrics).toMatch(/^aptic_places_rating_alert(\{[^}]*\})? 1$/m);
    const trail = await call(`${w.url('qualification')}/places/${w.places[1]}/audit`);
    expect(JSON.stringify(trail.body)).toContain('rating_alert');
  });

  test('funders read their own satisfaction under their reporting role (RLS); open data hides small cells', async () => {
    const analyticsUrl = w.url('analytics');
    const other = randomUUID();
    const roles = [
      (await call(`${analyticsUrl}/reporting-roles`, { method: 'POST', body: { funderId: w.funderId } })).body,
      (await call(`${analyticsUrl}/reporting-roles`, { method: 'POST', body: { funderId: other } })).body,
    ] as { role: string; password: string }[];
    const clients = await Promise.all(roles.map((r) => loginAs(w.infra.databaseUrl, r.role, r.password)));
    try {
      await eventually(
        () => clients[0]!.query('SELECT sum(ratings)::int AS n FROM analytics.satisfaction'),
        (r) => r.rows[0].n === 6,
      );
      expect((await clients[1]!.query('SELECT count(*)::int AS n FROM analytics.rating_fact')).rows[0].n).toBe(0);
      expect((await clients[1]!.query('SELECT count(*)::int AS n FROM analytics.satisfaction')).rows[0].n).toBe(0);
    } finally {
      for (const c of clients) await c.end();
      const admin = new pg.Client({ connectionString: w.infra.databaseUrl });
      await admin.connect();
      for (const r of roles) await admin.query(`DROP OWNED BY "${r.role}"; DROP ROLE IF EXISTS "${r.role}"`);
      await admin.end();
    }
    const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(new Date()).slice(0, 7);
    const open = await call(`${analyticsUrl}/open-data/ratings/${month}.json`, { token: null });
    expect(open.status).toBe(200);
    // Under 11 ratings per cell and per commune: nothing is published but the cells' existence.
    expect(open.body.lignes.length).toBeGreaterThan(0);
    for (const row of open.body.lignes)
      expect(row).toMatchObject({
        nombre_avis: null,
        note_moyenne: null,
        part_y_retourneraient: null,
        secret_statistique: true,
      });
    expect(JSON.stringify(open.body)).not.toContain('Fermé');
  });

  test('a place token sees its own ratings and comments, never who wrote them; another place’s token sees nothing', async () => {
    const token = async (placeId: string) =>
      (
        await call(`${w.url('qualification')}/admin/tokens`, {
          method: 'POST',
          body: { name: 'lieu', role: 'place', placeId },
        })
      ).body.token as string;
    const own = await call(`${w.url('qualification')}/places/${w.places[1]}/ratings`, {
      token: await token(w.places[1]!),
    });
    expect(own.status).toBe(200);
    expect(own.body.ratings.length).toBeGreaterThanOrEqual(5);
    expect(own.body.ratings[0]).toMatchObject({ score: 1, comment: 'Fermé.' });
    expect(JSON.stringify(own.body)).not.toMatch(/passId|redemptionId|pass_id/);
    const other = await call(`${w.url('qualification')}/places/${w.places[1]}/ratings`, {
      token: await token(w.places[0]!),
    });
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown_place' } });
  });
});

describe('bad input: a clear refusal, nothing stored', () => {
  test('an unknown code, a code of the wrong shape, a pass code, a mistyped code', async () => {
    const before = await allRatings();
    const forged = feedbackCode('another key', w.passes[2]!.carnetNumber, w.passes[2]!.position);
    const cases: [string, number, string][] = [
      [forged, 404, 'unknown_code'],
      ['ABC', 400, 'malformed_code'],
      [passCode(TEST_PASS_CODE_KEY, w.passes[2]!.carnetNumber, 3), 400, 'malformed_code'],
      [`${w.passes[2]!.code.slice(0, 14)}${w.passes[2]!.code[14] === '0' ? '1' : '0'}`, 400, 'misread_code'],
    ];
    for (const [code, status, refusal] of cases) {
      const page = await getPage(w, code);
      expect([page.status, stateOf(page.html).refusal]).toEqual([status, refusal]);
      const posted = await postRating(w, code, { score: '5', wouldReturn: 'oui' });
      expect([posted.status, stateOf(posted.html).refusal]).toEqual([status, refusal]);
    }
    expect(await allRatings()).toBe(before);
  });

  test('a pass not redeemed yet is said kindly and cannot be rated', async () => {
    const pass = w.passes[3]!;
    const page = await getPage(w, pass.code);
    expect([page.status, stateOf(page.html).state]).toEqual([200, 'not_redeemed']);
    expect(page.html).toContain('n’a pas encore été utilisé');
    expect((await postRating(w, pass.code, { score: '5', wouldReturn: 'oui' })).status).toBe(409);
    expect(await ratingsOf(pass.passId)).toEqual([]);
  });

  test('a rating of 0 or 6, no answer, a 10 KB comment: refused with the field named; HTML in a comment is shown as text', async () => {
    const pass = w.passes[4]!;
    await w.redeem(pass);
    const refusedForms: Record<string, string>[] = [
      { score: '0', wouldReturn: 'oui' },
      { score: '6', wouldReturn: 'oui' },
      { score: '4.5', wouldReturn: 'oui' },
      { score: '4', wouldReturn: 'peut-être' },
      { score: '4', wouldReturn: 'oui', comment: 'x'.repeat(10_240) },
    ];
    for (const fields of refusedForms) {
      const refused = await postRating(w, pass.code, fields);
      expect([refused.status, stateOf(refused.html).refusal]).toEqual([422, 'invalid_rating']);
      expect(refused.html).toMatch(/role="alert"/);
    }
    expect(await ratingsOf(pass.passId)).toEqual([]);

    const html = '<script>alert(1)</script><b>merci</b>';
    expect((await postRating(w, pass.code, { score: '4', wouldReturn: 'oui', comment: html })).status).toBe(303);
    const page = await getPage(w, pass.code);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;merci&lt;/b&gt;');
    expect(page.html).not.toContain('<script>');
    expect((await ratingsOf(pass.passId))[0]!.comment).toBe(html);
  });

  test('100 tries from one address: refused once over the limit, with a typed French message; guesses on one code prefix too', async () => {
    const before = await allRatings();
    const forged = (i: number) => feedbackCode(`guess ${i}`, w.passes[5]!.carnetNumber, w.passes[5]!.position);
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await getPage(w, forged(i))).status);
    // The code prefix is blocked after 10 failures, the address after its limit.
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    const last = await getPage(w, w.passes[5]!.code);
    expect([last.status, stateOf(last.html).refusal]).toEqual([429, 'too_many_attempts']);
    expect(last.html).toContain('Trop d’essais depuis votre connexion');
    expect(await allRatings()).toBe(before);

    await w.forgetAttempts();
    for (let i = 0; i < 10; i++) await getPage(w, forged(1000 + i));
    const prefix = await getPage(w, w.passes[6]!.code);
    expect([prefix.status, stateOf(prefix.html).refusal]).toEqual([429, 'too_many_attempts_code']);
    expect(prefix.html).toContain('Trop d’essais avec ce code');
  });
});

describe('a funder’s satisfaction figures', () => {
  test('a cell of 11 ratings (the statistical secrecy threshold) gives its mean and share', async () => {
    for (const pass of [7, 8, 9, 15, 16, 17].map((i) => w.passes[i]!)) {
      await w.redeem(pass, 1);
      expect((await postRating(w, pass.code, { score: '5', wouldReturn: 'oui' })).status).toBe(303);
    }
    const cell = await eventually(
      async () => (await satisfaction()).find((s) => s.placeId === w.places[1]),
      (s) => s?.ratings === 11,
    );
    expect(cell).toMatchObject({ secret: false, meanScore: expect.closeTo(35 / 11, 2) });
    expect(cell!.wouldReturnShare).toBeGreaterThan(0);
  });
});
