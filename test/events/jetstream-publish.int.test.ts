import { afterAll, beforeAll, expect, test } from 'vitest';
import { natsNames } from '@aptic/contracts';
import { JetStreamBus } from '@aptic/runtime';
import { isolate, type Isolated } from '../support/infra.ts';
import { funderCreated, outgoing } from '../support/events.ts';

let infra: Isolated;
let bus: JetStreamBus;
const stored = async () => {
  const jsm = await bus.connection.jetstreamManager();
  return (await jsm.streams.info(natsNames(infra.prefix).events.stream)).state.messages;
};

beforeAll(async () => {
  infra = await isolate();
  bus = await JetStreamBus.connect({ url: infra.natsUrl, prefix: infra.prefix, ackWaitMs: 30_000 });
});
afterAll(async () => {
  await bus?.close();
  await infra?.cleanup();
});

test('publish resolves once every event is stored; a republished event id is dropped by the stream', async () => {
  const events = Array.from({ length: 1_200 }, () => outgoing(funderCreated()));
  await bus.publish(events);
  expect(await stored()).toBe(1_200);
  await bus.publish(events.slice(0, 700));
  expect(await stored()).toBe(1_200);
});

test('a publish no stream takes is refused at once, not left waiting for acks', async () => {
  const jsm = await bus.connection.jetstreamManager();
  await jsm.streams.delete(natsNames(infra.prefix).events.stream);
  const started = Date.now();
  await expect(bus.publish([outgoing(funderCreated()), outgoing(funderCreated())])).rejects.toThrow(/no stream/);
  expect(Date.now() - started).toBeLessThan(2_000);
});
