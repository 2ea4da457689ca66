/**
 * The world of the rating tests: qualification (the rating page), printing (the feedback codes'
 * key) and analytics on their own broker node against the shared PostgreSQL and NATS; one paid
 * order's passes issued by printing, two qualified places with an offer each, and redemption's
 * events published as redemption would.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { feedbackCode, type EventDataOf, type EventType } from '@aptic/contracts';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { analytics } from '@aptic/analytics';
import { printing } from '@aptic/printing';
import { qualificationService } from '@aptic/qualification';
import { isolate, type Isolated } from '../support/infra.ts';
import { RawPublisher, testEvent } from '../support/events.ts';
import { openRules } from '../support/rules.ts';
import { TEST_PASS_CODE_KEY, call, eventually, startDistributed } from '../support/platform.ts';
import { qualifiedPlace, siretFrom } from '../qualification/support.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type Pass = { passId: string; carnetNumber: number; position: number; code: string };

export async function feedbackWorld(siretSeed: number, env: Record<string, string> = {}) {
  const infra: Isolated = await isolate();
  const port = await freePort();
  const page = `http://127.0.0.1:${port}/avis`;
  const platform: RunningPlatform = await startDistributed(
    infra,
    [qualificationService({ QUALIFICATION_RATING_ALERT_THRESHOLD: '3' }), printing, analytics],
    { QUALIFICATION_PORT: String(port), APTIC_FEEDBACK_URL: page, ...env },
  );
  const url = (name: string) => platform.services.find((s) => s.name === name)!.url;
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  const publish = async <T extends EventType>(type: T, data: EventDataOf<T>) => {
    const event = testEvent(type, data);
    await publisher.publish(event, { msgID: event.id });
    return event;
  };

  const orderId = randomUUID();
  const funderId = randomUUID();
  await publish('order.paid', {
    orderId,
    funderId,
    funderName: 'Commune de Test',
    offer: 'plus',
    carnetSize: 10,
    carnets: 2,
    faceValueCents: 20_000,
    options: [],
    rules: openRules(),
  });
  await eventually(
    () => call(`${url('printing')}/orders/${orderId}`),
    (r) => r.body?.passes === 20,
  );
  const rows = await queryRows<{ passId: string; carnetNumber: number; position: number }>(
    platform.database.db,
    sql`SELECT pass_id AS "passId", carnet_number AS "carnetNumber", position FROM printing.pass ORDER BY carnet_number, position`,
  );
  const passes: Pass[] = rows.map((p) => ({
    ...p,
    code: feedbackCode(TEST_PASS_CODE_KEY, p.carnetNumber, p.position),
  }));

  const places = [
    await qualifiedPlace(url('qualification'), siretFrom(siretSeed), { name: 'Espace numérique de Basseau' }),
    await qualifiedPlace(url('qualification'), siretFrom(siretSeed + 1), { name: 'Médiathèque de Soyaux' }),
  ];
  const offers = places.map(() => randomUUID());
  for (const [i, placeId] of places.entries())
    await publish('offer.published', {
      offerId: offers[i]!,
      placeId,
      serviceCode: 'aide_demarches_administratives.caf',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    });

  /** A pass redeemed at a place (0 or 1), as redemption announces it; returns its redemption id. */
  const redeem = async (pass: Pass, place = 0) => {
    const redemptionId = randomUUID();
    await publish('pass.redeemed', {
      redemptionId,
      passId: pass.passId,
      orderId,
      funderId,
      placeId: places[place]!,
      kioskId: randomUUID(),
      offerId: offers[place]!,
      serviceActId: randomUUID(),
      faceValueCents: 1_000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
    });
    await eventually(
      () => count(sql`SELECT count(*)::int AS n FROM qualification.rated_act WHERE redemption_id = ${redemptionId}`),
      (n) => n === 1,
    );
    return redemptionId;
  };
  const cancel = (pass: Pass, redemptionId: string, place = 0) =>
    publish('redemption.cancelled', {
      redemptionId,
      passId: pass.passId,
      orderId,
      placeId: places[place]!,
      faceValueCents: 1_000,
      reason: 'Erreur de service',
    });
  const count = async (query: ReturnType<typeof sql>) =>
    (await queryRows<{ n: number }>(platform.database.db, query))[0]!.n;

  return {
    infra,
    platform,
    page,
    url,
    orderId,
    funderId,
    passes,
    places,
    offers,
    publish,
    redeem,
    cancel,
    count,
    /** Every rate-limit counter forgotten: each test starts with its own tries. */
    forgetAttempts: () => platform.database.db.execute(sql`DELETE FROM qualification.feedback_attempt`),
    async stop() {
      await publisher.close();
      await platform.stop();
      await infra.cleanup();
    },
  };
}
export type FeedbackWorld = Awaited<ReturnType<typeof feedbackWorld>>;

/** Posts the rating form as a browser does (URL-encoded), without following the redirection. */
export async function postRating(world: FeedbackWorld, code: string, fields: Record<string, string>) {
  const response = await fetch(`${world.page}/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

export async function getPage(world: FeedbackWorld, code: string) {
  const response = await fetch(`${world.page}/${encodeURIComponent(code)}`, { redirect: 'manual' });
  return { status: response.status, html: await response.text() };
}

/** The state the page says it is in (`data-state`) and its refusal's reason code. */
export const stateOf = (html: string) => ({
  state: /data-state="([^"]+)"/.exec(html)?.[1],
  refusal: /data-refusal="([^"]+)"/.exec(html)?.[1],
});
