import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { JSONCodec, connect } from 'nats';
import { natsNames, type CancelOutcome, type EventEnvelope, type ScanMessage, type Verdict } from '@aptic/contracts';
import { businessDate, queryRows, type ConsumerDefinition, type RunningPlatform } from '@aptic/runtime';
import { sql } from 'drizzle-orm';
import { redemption } from '@aptic/redemption';
import { processScan } from '@aptic/redemption/db/scans.ts';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { call, eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';
import { buildWorld, event, type World } from './world.ts';

let infra: Isolated;
let node: RunningPlatform;
let probeNode: RunningPlatform;
let w: World;
let url: string;
const cancelled: EventEnvelope<'redemption.cancelled'>[] = [];
const probe: ConsumerDefinition<'redemption.cancelled'> = {
  name: 'cancel-probe',
  events: ['redemption.cancelled'],
  apply: async (_tx, events) => void cancelled.push(...events),
};

const judge = (s: ScanMessage): Promise<Verdict> =>
  node.services[0]!.context.transaction((tx, emit) => processScan(tx, emit, s));
const accepted = async (s: ScanMessage) => {
  const v = await judge(s);
  if (v.outcome !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(v)}`);
  return v;
};

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [redemption]);
  probeNode = await startDistributed(infra, [{ ...analytics, consumers: () => [probe] }]);
  w = await buildWorld(infra, node);
  url = node.services[0]!.url;
});
afterAll(async () => {
  await probeNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

async function kioskCancel(kioskId: string, scanId: string): Promise<CancelOutcome> {
  const names = natsNames(infra.prefix);
  const nc = await connect({ servers: infra.natsUrl });
  try {
    const answers = nc.subscribe(names.kiosk.verdicts(kioskId), { timeout: 15_000 });
    await nc.flush();
    const cancelId = randomUUID();
    await nc
      .jetstream()
      .publish(
        names.kiosk.cancels(kioskId),
        JSONCodec().encode({ cancelId, kioskId, scanId, requestedAt: new Date().toISOString() }),
      );
    for await (const m of answers) {
      const body = JSONCodec<CancelOutcome>().decode(m.data);
      if (body.cancelId === cancelId) return body;
    }
    throw new Error('no answer');
  } finally {
    await nc.close();
  }
}

describe('undo and cancellation', () => {
  test('the kiosk takes back a mis-scan: the pass can be used again, and the cancellation is announced', async () => {
    const first = w.scan(15, 2);
    const verdict = await accepted(first);
    expect(await kioskCancel(w.kiosks[0]!, first.scanId)).toMatchObject({ outcome: 'cancelled' });
    await eventually(
      async () =>
        cancelled.filter((e) => e.data.redemptionId === (verdict as { redemptionId: string }).redemptionId).length,
      (n) => n === 1,
    );
    expect((await judge(w.scan(15, 2))).outcome).toBe('accepted');
  });

  test('another kiosk cannot take it back; nor the same kiosk twice', async () => {
    const s = w.scan(15, 3);
    await accepted(s);
    expect(await kioskCancel(w.kiosks[1]!, s.scanId)).toMatchObject({ outcome: 'refused' });
    expect(await kioskCancel(w.kiosks[0]!, s.scanId)).toMatchObject({ outcome: 'cancelled' });
    expect(await kioskCancel(w.kiosks[0]!, s.scanId)).toMatchObject({ outcome: 'refused' });
  });

  test('staff cancel with a reason until the month is settled, never after', async () => {
    const s = w.scan(15, 4);
    const { redemptionId } = (await accepted(s)) as { redemptionId: string };
    expect(
      (await call(`${url}/redemptions/${redemptionId}/cancellation`, { method: 'POST', body: { reason: 'x' } })).status,
    ).toBe(400);
    const done = await call(`${url}/redemptions/${redemptionId}/cancellation`, {
      method: 'POST',
      body: { reason: 'erreur de service' },
    });
    expect(done).toMatchObject({ status: 200, body: { cancelReason: 'erreur de service' } });

    const settled = (await accepted(w.scan(15, 5))) as { redemptionId: string };
    const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
    const month = businessDate().slice(0, 7);
    const closed = event('period.closed', {
      periodId: randomUUID(),
      month,
      placeId: w.place,
      grossCents: 1_000,
      feeCents: 40,
      netCents: 960,
      passCount: 1,
    });
    await publisher.publish(closed, { msgID: closed.id });
    await publisher.close();
    await eventually(
      async () =>
        (
          await queryRows(
            node.database.db,
            sql`SELECT 1 FROM redemption.settled_period WHERE place_id = ${w.place} AND month = ${month}`,
          )
        ).length,
      (n) => n === 1,
    );
    const refused = await call(`${url}/redemptions/${settled.redemptionId}/cancellation`, {
      method: 'POST',
      body: { reason: 'trop tard' },
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'period_settled' } });
    expect(
      (await call(`${url}/redemptions/${randomUUID()}/cancellation`, { method: 'POST', body: { reason: 'inconnu' } }))
        .status,
    ).toBe(404);
  });
});

describe('offline scans', () => {
  test('an offline scan made before an online redemption wins; the later one is cancelled and the conflict recorded', async () => {
    const online = await accepted(w.scan(16, 2, { kioskId: w.farKiosk, offerId: w.farOffer }));
    // From a kiosk that has been offline for the hour (no verdict since).
    const offline = w.scan(16, 2, {
      kioskId: w.kiosks[90]!,
      offline: true,
      scannedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(await judge(offline)).toMatchObject({ outcome: 'accepted' });
    const conflicts = (await call(`${url}/conflicts`)).body as Array<{
      winnerScanId: string;
      cancelledRedemptionId: string | null;
    }>;
    expect(conflicts.find((c) => c.winnerScanId === offline.scanId)).toMatchObject({
      cancelledRedemptionId: (online as { redemptionId: string }).redemptionId,
    });
    expect(
      (await call(`${url}/redemptions/${(online as { redemptionId: string }).redemptionId}`)).body.cancelledAt,
    ).not.toBeNull();
  });

  test('an offline scan made after the online one loses, and is recorded as the loser', async () => {
    // Online scans are judged at their arrival, whatever the kiosk's clock says.
    const online = w.scan(16, 3, { scannedAt: new Date(Date.now() - 3_600_000).toISOString() });
    await accepted(online);
    const late = w.scan(16, 3, {
      offline: true,
      kioskId: w.farKiosk,
      offerId: w.farOffer,
      scannedAt: new Date().toISOString(),
    });
    expect(await judge(late)).toMatchObject({ outcome: 'denied', reason: 'already_redeemed' });
    const conflicts = (await call(`${url}/conflicts`)).body as Array<{
      winnerScanId: string;
      loserScanId: string;
      cancelledRedemptionId: string | null;
    }>;
    expect(conflicts.find((c) => c.loserScanId === late.scanId)).toMatchObject({
      winnerScanId: online.scanId,
      cancelledRedemptionId: null,
    });
  });
});

describe('staff search', () => {
  test('scans by pass, kiosk and reason; a service act with the rest paid by the beneficiary', async () => {
    const sessionId = randomUUID();
    const { redemptionId } = (await accepted(w.scan(17, 1, { sessionId }))) as { redemptionId: string };
    await judge(w.scan(17, 2, { sessionId }));
    const byCode = (await call(`${url}/scans?code=${w.code(17, 2)}`)).body as Array<{ reason: string; code: string }>;
    expect(byCode.map((s) => s.reason)).toEqual(['same_carnet_same_service']);
    // Staff see codes masked: carnet and position digits and the check digit, never the authenticator.
    expect(byCode[0]!.code).toBe(`${w.code(17, 2).slice(0, 8)}*************${w.code(17, 2).slice(-1)}`);
    const byCarnet = (await call(`${url}/scans?carnet=17`)).body as Array<{ code: string }>;
    expect(byCarnet.length).toBeGreaterThanOrEqual(2);
    const everything = JSON.stringify((await call(`${url}/scans?limit=1000`)).body);
    for (const position of [1, 2]) expect(everything).not.toContain(w.code(17, position).slice(8, 21));
    const byReason = (await call(`${url}/scans?reason=same_carnet_same_service&kioskId=${w.kiosks[0]}`))
      .body as unknown[];
    expect(byReason.length).toBeGreaterThanOrEqual(1);
    expect((await call(`${url}/scans?code=12AB`)).status).toBe(400);
    // Distributed mode: scans come only through each kiosk's bounded NATS credential, never over HTTP.
    expect((await call(`${url}/kiosks/${w.kiosks[0]}/scans`, { method: 'POST', body: w.scan(17, 5) })).status).toBe(
      404,
    );
    expect((await call(`${url}/scans?reason=pirate`)).status).toBe(400);
    const act = (
      await call(`${url}/service-acts/${(await call(`${url}/redemptions/${redemptionId}`)).body.serviceActId}`)
    ).body;
    // The workshop costs 15 €: one pass of 10 € pays part of it, the beneficiary pays 5 €.
    expect(act).toMatchObject({ priceCents: 1_500, coveredCents: 1_000, restCents: 500 });
  });
});
