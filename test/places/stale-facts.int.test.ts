import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { catalogue } from '@aptic/catalogue';
import { redemption } from '@aptic/redemption';
import { settlement } from '@aptic/settlement';
import type { EventDataOf, EventEnvelope, EventType } from '@aptic/contracts';
import { isolate, type Isolated } from '../support/infra.ts';
import { eventually, startDistributed } from '../support/platform.ts';
import { RawPublisher } from '../support/events.ts';

/** Read models apply a fact about a place only if newer (its place version) than the one they hold. */
let infra: Isolated;
let node: RunningPlatform;
let publisher: RawPublisher;

const event = <T extends EventType>(type: T, data: EventDataOf<T>, occurredAt: Date): EventEnvelope<T> => ({
  id: randomUUID(),
  type,
  occurredAt: occurredAt.toISOString(),
  producer: 'qualification',
  data,
});
const qualified = (placeId: string, placeVersion: number, communeCode: string, name: string, at: Date) =>
  event(
    'place.qualified',
    { placeId, placeVersion, name, type: 'centre_social', communeCode, departementCode: '16' },
    at,
  );

beforeAll(async () => {
  infra = await isolate();
  node = await startDistributed(infra, [redemption, catalogue, settlement]);
  publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
});
afterAll(async () => {
  await publisher?.close();
  await node?.stop();
  await infra?.cleanup();
});

test('an older place.qualified replayed after a newer one restores neither commune nor name, in redemption and catalogue', async () => {
  const placeId = randomUUID();
  const now = Date.now();
  // The newer fact first; the older one, replayed, carries a later time (another clock, a replay).
  await publisher.publish(qualified(placeId, 2, '16102', 'Médiathèque (nouvelle adresse)', new Date(now)));
  const read = async () => {
    const [r] = await queryRows<{ commune: string; name: string }>(
      node.database.db,
      sql`SELECT commune_code AS commune, name FROM redemption.place WHERE place_id = ${placeId}`,
    );
    const [c] = await queryRows<{ commune: string; name: string }>(
      node.database.db,
      sql`SELECT commune_code AS commune, name FROM catalogue.place WHERE id = ${placeId}`,
    );
    return `${r?.commune}/${r?.name} ${c?.commune}/${c?.name}`;
  };
  const current = '16102/Médiathèque (nouvelle adresse) 16102/Médiathèque (nouvelle adresse)';
  await eventually(read, (v) => v === current);
  await publisher.publish(qualified(placeId, 1, '16015', 'Médiathèque', new Date(now + 60_000)));
  // A later, newer fact still applies: the older one was seen and ignored, not merely not yet read.
  await publisher.publish(
    event('place.suspended', { placeId, placeVersion: 3, reason: 'contrôle' }, new Date(now - 60_000)),
  );
  await eventually(
    async () =>
      (
        await queryRows<{ q: boolean }>(
          node.database.db,
          sql`SELECT qualified AS q FROM redemption.place WHERE place_id = ${placeId}`,
        )
      )[0]?.q,
    (q) => q === false,
  );
  await eventually(
    async () =>
      (
        await queryRows<{ s: string }>(
          node.database.db,
          sql`SELECT status AS s FROM catalogue.place_status WHERE place_id = ${placeId}`,
        )
      )[0]?.s,
    (s) => s === 'suspended',
  );
  expect(await read()).toBe(current);
  // The older qualification, replayed again, does not qualify it back.
  await publisher.publish(qualified(placeId, 2, '16102', 'Médiathèque (nouvelle adresse)', new Date(now + 120_000)));
  await new Promise((r) => setTimeout(r, 1_000));
  expect(
    (
      await queryRows<{ q: boolean }>(
        node.database.db,
        sql`SELECT qualified AS q FROM redemption.place WHERE place_id = ${placeId}`,
      )
    )[0]?.q,
  ).toBe(false);
  expect(
    (
      await queryRows<{ s: string }>(
        node.database.db,
        sql`SELECT status AS s FROM catalogue.place_status WHERE place_id = ${placeId}`,
      )
    )[0]?.s,
  ).toBe('suspended');
});

test('settlement: an older place.qualified or kit.activated, replayed or late, changes neither the name nor the kit', async () => {
  const placeId = randomUUID();
  const now = Date.now();
  const kit = async () =>
    (
      await queryRows<{ kit: string }>(
        node.database.db,
        sql`SELECT concat_ws('/', p.name, k.plan, k.activated_on::text, coalesce(k.cancelled_on::text, 'live')) AS kit
        FROM settlement.place p FULL JOIN settlement.kit k USING (place_id) WHERE ${placeId} IN (p.place_id, k.place_id)`,
      )
    )[0]?.kit;
  /** Publishes the events and waits until settlement has applied (or skipped) every one. */
  const deliver = async (...events: EventEnvelope[]) => {
    for (const e of events) await publisher.publish(e, { msgID: e.id });
    await eventually(
      async () =>
        (
          await queryRows<{ n: number }>(
            node.database.db,
            sql`SELECT count(*)::int AS n FROM settlement.inbox WHERE event_id = ANY(${sql.param(events.map((e) => e.id))}::uuid[])`,
          )
        )[0]!.n,
      (n) => n === events.length,
    );
  };
  const activated = (placeVersion: number, plan: 'monthly' | 'yearly', from: string, at: Date) =>
    event('kit.activated', { placeId, placeVersion, plan, from: `${from}T10:00:00.000Z` }, at);

  // The cancellation (version 5) arrives before the activation it ends (version 4).
  await deliver(
    qualified(placeId, 2, '16102', 'Espace numérique (nouveau nom)', new Date(now)),
    event(
      'kit.cancelled',
      { placeId, placeVersion: 5, at: '2026-03-31T10:00:00.000Z', reason: 'résiliation' },
      new Date(now),
    ),
  );
  await deliver(activated(4, 'monthly', '2026-01-15', new Date(now - 60_000)));
  const current = 'Espace numérique (nouveau nom)/monthly/2026-01-15/2026-03-31';
  expect(await kit()).toBe(current);
  // Older facts, carrying later times (another clock, a replay): an older name, an older activation.
  await deliver(
    qualified(placeId, 1, '16015', 'Espace numérique', new Date(now + 60_000)),
    activated(3, 'yearly', '2025-06-01', new Date(now + 60_000)),
  );
  expect(await kit()).toBe(current);
  // A newer activation (a new subscription) reopens the kit, from its own first day.
  await deliver(activated(6, 'yearly', '2026-05-02', new Date(now - 120_000)));
  expect(await kit()).toBe('Espace numérique (nouveau nom)/yearly/2026-05-02/live');
});
