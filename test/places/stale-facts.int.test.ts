import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type RunningPlatform } from '@aptic/runtime';
import { catalogue } from '@aptic/catalogue';
import { redemption } from '@aptic/redemption';
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
  node = await startDistributed(infra, [redemption, catalogue]);
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
