import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  maskPassCode,
  natsNames,
  passCode,
  type EventEnvelope,
  type ScanMessage,
  type Verdict,
} from '@aptic/contracts';
import { arrayParam, queryRows, type ConsumerDefinition, type RunningPlatform } from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { JSONCodec, connect } from 'nats';
import { processScan, processScans } from '@aptic/redemption/db/scans.ts';
import { judgeScans } from '@aptic/redemption/db/judge.ts';
import { analytics } from '@aptic/analytics';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually, startDistributed } from '../support/platform.ts';
import { buildWorld, type World } from './world.ts';

let infra: Isolated;
let node: RunningPlatform;
let probeNode: RunningPlatform;
let w: World;
const redeemed: EventEnvelope<'pass.redeemed'>[] = [];
const probe: ConsumerDefinition<'pass.redeemed'> = {
  name: 'redeemed-probe',
  events: ['pass.redeemed'],
  apply: async (_tx, events) => void redeemed.push(...events),
};

const judge = (s: ScanMessage): Promise<Verdict> =>
  node.services[0]!.context.transaction((tx, emit) => processScan(tx, emit, s));
const count = async (table: string) =>
  (await queryRows<{ n: number }>(node.database.db, sql.raw(`SELECT count(*)::int AS n FROM redemption.${table}`)))[0]!
    .n;

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [redemption]);
  probeNode = await startDistributed(infra, [{ ...analytics, consumers: () => [probe] }]);
  w = await buildWorld(infra, node);
});
afterAll(async () => {
  await probeNode?.stop();
  await node?.stop();
  await infra?.cleanup();
});

describe('kiosk scans through JetStream', () => {
  const names = () => natsNames(infra.prefix);
  async function viaKiosk(body: unknown, kioskId = w.kiosks[0]!): Promise<Verdict> {
    const nc = await connect({ servers: infra.natsUrl });
    try {
      const live = nc.subscribe(names().kiosk.verdicts(kioskId), { max: 1, timeout: 15_000 });
      await nc.flush();
      await nc
        .jetstream()
        .publish(
          names().kiosk.scans(kioskId),
          typeof body === 'string' ? new TextEncoder().encode(body) : JSONCodec().encode(body),
        );
      for await (const m of live) return JSONCodec<Verdict>().decode(m.data);
      throw new Error('no verdict');
    } finally {
      await nc.close();
    }
  }

  test('a scan published by a kiosk is judged and its verdict comes back on the kiosk’s subject', async () => {
    const s = w.scan(1, 5);
    expect(await viaKiosk(s)).toMatchObject({ scanId: s.scanId, outcome: 'accepted', faceValueCents: 1_000 });
    const again = w.scan(1, 5);
    expect(await viaKiosk(again)).toMatchObject({
      scanId: again.scanId,
      outcome: 'denied',
      reason: 'already_redeemed',
    });
  });

  test.each([
    ['wrong schema', () => ({ ...w.scan(1, 6), code: undefined })],
    ['non-digits', () => ({ ...w.scan(1, 6), code: '12345678ABCD' })],
    ['SQL in the code', () => ({ ...w.scan(1, 6), code: "1'; DROP TABLE redemption.scan; --" })],
    ['another kiosk’s id in the body', () => ({ ...w.scan(1, 6), kioskId: w.kiosks[1] })],
    // Under the queue's 4 KiB per message (larger ones the server refuses: next test), but not a scan.
    ['a padded payload', () => ({ ...w.scan(1, 6), padding: 'x'.repeat(3_000) })],
  ])('%s is refused with a reason, nothing stored, and the next scan still goes through', async (_label, make) => {
    const before = await count('scan');
    expect(await viaKiosk(make())).toMatchObject({ outcome: 'denied', reason: 'invalid_message' });
    expect(await count('scan')).toBe(before);
    expect((await viaKiosk(w.scan(2, 3 + Math.floor(Math.random() * 7)))).scanId).toBeDefined();
  });

  test('a 10 MB message is refused by NATS itself, a 5 KB one by the scans queue, before the platform', async () => {
    const nc = await connect({ servers: infra.natsUrl });
    await expect(nc.jetstream().publish(names().kiosk.scans(w.kiosks[0]!), new Uint8Array(5 * 1024))).rejects.toThrow(
      /size/i,
    );
    await expect(
      nc.jetstream().publish(names().kiosk.scans(w.kiosks[0]!), new Uint8Array(10 * 1024 * 1024)),
    ).rejects.toThrow(/MAX_PAYLOAD|payload/i);
    await nc.close().catch(() => {});
  });

  test('after a long stall, offline scans are bounded by the last verdict the kiosk received, not by a late online scan', async () => {
    const kioskId = w.kiosks[83]!;
    const ctx = node.services[0]!.context;
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const outcome = (v: Verdict) => (v.outcome === 'accepted' ? 'accepted' : v.reason);
    // The last verdict the kiosk received: a scan that reached the platform 10 minutes ago.
    const answered = w.scan(16, 2, { kioskId, scannedAt: minutesAgo(10).toISOString() });
    expect(
      (await judgeScans(ctx, [answered], new Date(), new Map([[answered.scanId, minutesAgo(10)]])))[0],
    ).toMatchObject({ outcome: 'accepted' });
    // Scanned online just before the stall was noticed, stored only at reconnection: judged at its arrival.
    const late = w.scan(16, 3, { kioskId, scannedAt: minutesAgo(9).toISOString() });
    expect((await judgeScans(ctx, [late]))[0]).toMatchObject({ outcome: 'accepted' });
    // Then the scans journaled offline during the stall come in, through the kiosk intake.
    const offline = (position: number, minutes: number, lastVerdict?: { lastVerdictScanId: string | null }) =>
      viaKiosk(
        w.scan(16, position, { kioskId, offline: true, scannedAt: minutesAgo(minutes).toISOString(), ...lastVerdict }),
        kioskId,
      );
    const named = { lastVerdictScanId: answered.scanId };
    expect(outcome(await offline(4, 8, named))).toBe('accepted');
    expect(await offline(5, 13, named)).toMatchObject({
      reason: 'clock_skew',
      message: expect.stringContaining('dernière réponse'),
    });
    // An older agent names no verdict: bounded by the latest online arrival, as before.
    expect(outcome(await offline(6, 8))).toBe('clock_skew');
    // Another kiosk's scan proves nothing of this one: the same.
    const elsewhere = w.scan(16, 7);
    expect((await judge(elsewhere)).outcome).toBe('accepted');
    expect(outcome(await offline(8, 8, { lastVerdictScanId: elsewhere.scanId }))).toBe('clock_skew');
    // A kiosk that never received a verdict is bounded by the offline limit only.
    expect(outcome(await offline(9, 8, { lastVerdictScanId: null }))).toBe('accepted');
  });
});

describe('scans against the read models built from events', () => {
  test('100 kiosks scan the same pass at the same instant: exactly one accepted, 99 already redeemed', async () => {
    const target = w.code(1, 1);
    const at = new Date().toISOString();
    const verdicts = await Promise.all(
      w.kiosks.map((kioskId) =>
        judge({
          scanId: randomUUID(),
          kioskId,
          sessionId: randomUUID(),
          offerId: w.offer,
          code: target,
          scannedAt: at,
          offline: false,
        }),
      ),
    );
    expect(verdicts.filter((v) => v.outcome === 'accepted')).toHaveLength(1);
    const refused = verdicts.filter((v) => v.outcome === 'denied');
    expect(refused).toHaveLength(99);
    for (const v of refused)
      expect(v).toMatchObject({
        reason: 'already_redeemed',
        message: expect.stringContaining('Centre social de la Grand Font'),
      });
    const [live] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE pass_id = ${w.passIds.get(target)}`,
    );
    expect(live!.n).toBe(1);
    // The losers' scans are recorded with the verdict they were given.
    const [recorded] = await queryRows<{ accepted: number; denied: number }>(
      node.database.db,
      sql`
      SELECT count(*) FILTER (WHERE outcome = 'accepted')::int AS accepted, count(*) FILTER (WHERE reason = 'already_redeemed' AND redemption_id IS NULL)::int AS denied
        FROM redemption.scan WHERE code = ${maskPassCode(target)}`,
    );
    expect(recorded).toEqual({ accepted: 1, denied: 99 });
  });

  test('the same scan delivered five times gets the same verdict and one redemption', async () => {
    const s = w.scan(1, 2);
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => judge(s)));
    expect(new Set(verdicts.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(verdicts[0]!.outcome).toBe('accepted');
    const [rows] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE scan_id = ${s.scanId}`,
    );
    expect(rows!.n).toBe(1);
  });

  test('one pass per carnet per service act; several carnets pay one group workshop', async () => {
    const sessionId = randomUUID();
    expect((await judge(w.scan(2, 1, { sessionId }))).outcome).toBe('accepted');
    expect(await judge(w.scan(2, 2, { sessionId }))).toMatchObject({
      outcome: 'denied',
      reason: 'same_carnet_same_service',
    });
    expect((await judge(w.scan(1, 3, { sessionId }))).outcome).toBe('accepted');
    // Another service act may use the same carnet.
    expect((await judge(w.scan(2, 2))).outcome).toBe('accepted');
  });

  test.each([
    ['not_released', () => w.scan(3, 1)],
    ['blocked', () => w.scan(4, 1)],
    [
      'misread',
      () => ({
        ...w.scan(1, 9),
        code: w.code(1, 9).slice(0, 5) + ((Number(w.code(1, 9)[5]) + 1) % 10) + w.code(1, 9).slice(6),
      }),
    ],
    ['unknown_pass', () => ({ ...w.scan(1, 9), code: passCode('forged key', 1, 9) })],
    ['outside_perimeter', () => w.scan(1, 9, { kioskId: w.farKiosk, offerId: w.farOffer })],
    ['service_not_offered', () => w.scan(1, 9, { offerId: w.farOffer })],
    ['kiosk_revoked', () => w.scan(1, 9, { kioskId: randomUUID() })],
    ['place_not_qualified', () => w.scan(15, 1, { kioskId: w.suspendedKiosk, offerId: w.suspendedOffer })],
    ['kit_inactive', () => w.scan(15, 1, { kioskId: w.noKitKiosk, offerId: w.noKitOffer })],
    ['place_type_not_allowed', () => w.scan(11, 1)],
    ['service_category_not_allowed', () => w.scan(12, 1)],
    ['expired', () => w.scan(13, 1)],
    ['not_yet_valid', () => w.scan(14, 1)],
  ])('%s', async (reason, make) => {
    const before = await count('redemption');
    expect(await judge(make())).toMatchObject({ outcome: 'denied', reason });
    expect(await count('redemption')).toBe(before);
  });

  test('too many unknown codes from one kiosk: refused for a while, even a good pass', async () => {
    for (let i = 0; i < 10; i++)
      expect(
        (await judge(w.scan(16, 1, { kioskId: w.guessingKiosk, code: passCode('guess', 900 + i, 1) }))).outcome,
      ).toBe('denied');
    expect(await judge(w.scan(16, 1, { kioskId: w.guessingKiosk }))).toMatchObject({
      outcome: 'denied',
      reason: 'too_many_unknown',
    });
    expect((await judge(w.scan(16, 1))).outcome).toBe('accepted');
  });

  test('every accepted pass is announced once as pass.redeemed', async () => {
    const accepted = await count('redemption');
    await eventually(
      async () => redeemed.length,
      (n) => n === accepted,
    );
    expect(new Set(redeemed.map((e) => e.data.passId)).size).toBe(accepted);
    expect(
      redeemed.every((e) => Object.values(w.orderIds).includes(e.data.orderId) && e.data.faceValueCents === 1_000),
    ).toBe(true);
  });
});

/**
 * Both ways a batch is judged: the kiosk intake's (facts, then one statement; races and offline
 * scans handed to the transaction) and processScans in a transaction. Each uses its own carnets.
 */
const batchPaths = [
  {
    path: 'as the kiosk intake judges them',
    variant: 0,
    judgeBatch: (batch: ScanMessage[]) => judgeScans(node.services[0]!.context, batch),
  },
  {
    path: 'in one transaction',
    variant: 1,
    judgeBatch: (batch: ScanMessage[]) =>
      node.services[0]!.context.transaction((tx, emit) => processScans(tx, emit, batch)),
  },
];

describe.each(batchPaths)('scans judged in batches, $path', ({ variant, judgeBatch }) => {
  /** This path's carnet standing for carnet 18, 19 or 20 of the other. */
  const c = (carnet: number) => carnet + 3 * variant;
  const summary = (v: Verdict) => (v.outcome === 'accepted' ? 'accepted' : v.reason);

  test('a batch decides what the same scans judged one by one would', async () => {
    const sessionId = randomUUID();
    const twice = w.scan(c(18), 4);
    const verdicts = await judgeBatch([
      w.scan(c(18), 1, { sessionId }),
      w.scan(c(18), 2, { sessionId }),
      twice,
      twice,
      w.scan(c(18), 1),
      w.scan(c(19), 1, { sessionId }),
    ]);
    expect(verdicts.map(summary)).toEqual([
      'accepted',
      'same_carnet_same_service',
      'accepted',
      'accepted',
      'already_redeemed',
      'accepted',
    ]);
    expect(verdicts[3]).toEqual(verdicts[2]);
    expect(verdicts[4]!.message).toContain('Centre social de la Grand Font');
    const [act] = await queryRows<{ passes: number; scans: number }>(
      node.database.db,
      sql`
      SELECT (SELECT count(*)::int FROM redemption.redemption r JOIN redemption.service_act a ON a.id = r.service_act_id WHERE a.session_id = ${sessionId}) AS passes,
             (SELECT count(*)::int FROM redemption.scan WHERE scan_id = ${twice.scanId}) AS scans`,
    );
    expect(act).toEqual({ passes: 2, scans: 1 });
  });

  test('a kiosk’s unknown codes add up within a batch', async () => {
    const kioskId = w.kiosks[50 + variant]!;
    const guesses = Array.from({ length: 11 }, (_, i) =>
      w.scan(c(18), 9, { kioskId, code: passCode('guess', 700 + i, 1) }),
    );
    const verdicts = await judgeBatch([...guesses, w.scan(c(18), 9, { kioskId })]);
    expect(verdicts.map(summary)).toEqual([...Array(10).fill('unknown_pass'), 'too_many_unknown', 'too_many_unknown']);
  });

  test('the same scans redelivered in concurrent batches get the same verdicts and one redemption each', async () => {
    const same = [1, 2, 3, 4, 5].map((p) => w.scan(c(19), p + 2));
    const [first, second] = await Promise.all([judgeBatch(same), judgeBatch([...same].reverse())]);
    expect(second!.reverse()).toEqual(first);
    expect(first!.map(summary)).toEqual(Array(5).fill('accepted'));
    const [row] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE scan_id = ANY(${arrayParam(
        same.map((s) => s.scanId),
        'uuid',
      )})`,
    );
    expect(row!.n).toBe(5);
  });

  test('concurrent batches over the same passes in different orders: each pass accepted once, no deadlock', async () => {
    const positions = Array.from({ length: 10 }, (_, i) => i + 1);
    const batches = [positions, [...positions].reverse(), positions, [...positions].reverse()].map((order, k) =>
      order.map((p) => w.scan(c(20), p, { kioskId: w.kiosks[60 + 4 * variant + k]! })),
    );
    const verdicts = (await Promise.all(batches.map(judgeBatch))).flat();
    expect(verdicts.filter((v) => v.outcome === 'accepted')).toHaveLength(10);
    expect(verdicts.filter((v) => v.outcome === 'denied' && v.reason === 'already_redeemed')).toHaveLength(30);
  });
});

describe.each(batchPaths)('a scan another transaction records meanwhile, $path', ({ variant, judgeBatch }) => {
  test('recorded as denied there: the kiosk is told denied and no redemption outlives it', async () => {
    const s = w.scan(17, 1 + variant);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const written = new Promise<void>((resolve) => (recorded = resolve));
    // Another transaction (a redelivery judged elsewhere) records the same scan as denied, not yet committed.
    const other = node.database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO redemption.scan (scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, reason, message)
        VALUES (${s.scanId}, ${s.kioskId}, ${s.sessionId}, ${s.offerId}, ${s.code}, ${s.scannedAt}, false, 'denied', 'kiosk_revoked', 'Refusé par ailleurs.')`);
      recorded();
      await held;
    });
    await written;
    const judging = judgeBatch([s]);
    // This one judged the scan accepted (it cannot see the other's row) and now waits on the scan's key.
    await eventually(
      async () =>
        (
          await queryRows<{ n: number }>(
            node.database.db,
            sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        )[0]!.n,
      (n) => n > 0,
    );
    release();
    await other;
    const [verdict] = await judging;
    expect(verdict).toMatchObject({ scanId: s.scanId, outcome: 'denied', reason: 'kiosk_revoked' });
    const [row] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE pass_id = ${w.passIds.get(s.code)}`,
    );
    expect(row!.n).toBe(0);
    expect((await judge(w.scan(17, 1 + variant))).outcome).toBe('accepted');
  });
});

describe('the kiosk’s clock is bounded', () => {
  const year = Number(new Date().toISOString().slice(0, 4));
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  test('an online scan is judged at its arrival: a kiosk set two years back does not accept an expired pass', async () => {
    const verdict = await judge(w.scan(13, 2, { scannedAt: `${year - 2}-03-01T10:00:00.000Z` }));
    expect(verdict).toMatchObject({ outcome: 'denied', reason: 'expired' });
  });

  test.each([
    [
      'dated after its arrival',
      () =>
        w.scan(17, 5, {
          kioskId: w.kiosks[81]!,
          offline: true,
          scannedAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
    ],
    [
      'older than the offline limit',
      () => w.scan(17, 6, { kioskId: w.kiosks[81]!, offline: true, scannedAt: ago(6 * 86_400_000) }),
    ],
  ])('an offline scan %s is refused for its clock, with a French message', async (_label, make) => {
    const s = make();
    expect(await judge(s)).toMatchObject({
      outcome: 'denied',
      reason: 'clock_skew',
      message: expect.stringMatching(/horloge|ancien/),
    });
    const [row] = await queryRows<{ n: number }>(
      node.database.db,
      sql`SELECT count(*)::int AS n FROM redemption.redemption WHERE scan_id = ${s.scanId}`,
    );
    expect(row!.n).toBe(0);
  });

  test('an offline scan dated before the kiosk’s last verdict online is refused; one after it is accepted', async () => {
    const kioskId = w.kiosks[82]!;
    expect((await judge(w.scan(17, 7, { kioskId }))).outcome).toBe('accepted');
    expect(await judge(w.scan(17, 8, { kioskId, offline: true, scannedAt: ago(3_600_000) }))).toMatchObject({
      outcome: 'denied',
      reason: 'clock_skew',
    });
    expect((await judge(w.scan(17, 8, { kioskId, offline: true, scannedAt: new Date().toISOString() }))).outcome).toBe(
      'accepted',
    );
  });
});
