import { randomUUID } from 'node:crypto';
import { JSONCodec, type NatsConnection } from 'nats';
import { JetStreamBus, type ConsumerDefinition, type OutgoingEvent } from '@aptic/runtime';
import { countFunders } from '@aptic/analytics/db/funder-counts.ts';
import { openRules } from './rules.ts';
import { natsNames, type EventDataOf, type EventEnvelope, type EventType, type FunderKind } from '@aptic/contracts';

const json = JSONCodec();

export function funderCreated(overrides: { name?: string; kind?: FunderKind } = {}): EventEnvelope<'funder.created'> {
  return {
    id: randomUUID(),
    type: 'funder.created',
    occurredAt: new Date().toISOString(),
    producer: 'test',
    data: {
      funderId: randomUUID(),
      name: overrides.name ?? 'Commune de Test',
      kind: overrides.kind ?? 'collectivite',
      siret: '73282932000074',
    },
  };
}

/** An event as the test announces it, at `occurredAt` (now unless given). */
export const testEvent = <T extends EventType>(
  type: T,
  data: EventDataOf<T>,
  occurredAt: Date | string = new Date(),
): EventEnvelope<T> => ({
  id: randomUUID(),
  type,
  occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
  producer: 'test',
  data,
});

/** An order.paid as ordering announces it: a funder's order of `carnets` carnets, valid all year anywhere. */
export function orderPaid(
  carnets: number,
  carnetSize: 5 | 10 = 10,
  options: string[] = [],
): EventEnvelope<'order.paid'> {
  return {
    id: randomUUID(),
    type: 'order.paid',
    occurredAt: new Date().toISOString(),
    producer: 'ordering',
    data: {
      orderId: randomUUID(),
      funderId: randomUUID(),
      funderName: 'Commune de Test',
      offer: 'plus',
      carnetSize,
      carnets,
      faceValueCents: carnets * carnetSize * 1_000,
      options,
      rules: openRules(),
    },
  };
}

/** A pass.redeemed as redemption announces it: fresh ids and a 10 € pass scanned now, unless given. */
export function passRedeemed(data: Partial<EventDataOf<'pass.redeemed'>> = {}): EventEnvelope<'pass.redeemed'> {
  return {
    id: randomUUID(),
    type: 'pass.redeemed',
    occurredAt: new Date().toISOString(),
    producer: 'redemption',
    data: {
      redemptionId: randomUUID(),
      passId: randomUUID(),
      orderId: randomUUID(),
      funderId: randomUUID(),
      placeId: randomUUID(),
      kioskId: randomUUID(),
      offerId: randomUUID(),
      serviceActId: randomUUID(),
      faceValueCents: 1000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
      ...data,
    },
  };
}

/** An envelope as the relay hands it to a bus. */
export const outgoing = (e: EventEnvelope): OutgoingEvent => ({ id: e.id, type: e.type, json: JSON.stringify(e) });

/** Publishes straight to the events stream, as a relay would (or as a duplicate would arrive). */
export class RawPublisher {
  private readonly nc: NatsConnection;
  private readonly prefix: string;

  private constructor(nc: NatsConnection, prefix: string) {
    this.nc = nc;
    this.prefix = prefix;
  }

  /** Connects the way a service does, so the streams exist before anything is published. */
  static async open(natsUrl: string, prefix: string, credsFile?: string): Promise<RawPublisher> {
    const bus = await JetStreamBus.connect({ url: natsUrl, prefix, ackWaitMs: 30_000, credsFile });
    return new RawPublisher(bus.connection, prefix);
  }

  async publish(body: unknown, options: { type?: string; msgID?: string } = {}): Promise<void> {
    const type = options.type ?? (body as { type: string }).type;
    const js = this.nc.jetstream();
    await js.publish(
      natsNames(this.prefix).events.subject(type),
      json.encode(body),
      options.msgID ? { msgID: options.msgID } : {},
    );
  }

  /** Publishes envelopes with their id as message id, or another (a duplicate JetStream lets through). */
  async publishMany(bodies: EventEnvelope[], msgID: (e: EventEnvelope) => string = (e) => e.id): Promise<void> {
    const js = this.nc.jetstream();
    const subject = (t: string) => natsNames(this.prefix).events.subject(t);
    for (let i = 0; i < bodies.length; i += 1000) {
      await Promise.all(
        bodies.slice(i, i + 1000).map((b) => js.publish(subject(b.type), json.encode(b), { msgID: msgID(b) })),
      );
    }
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}

/** Publishes envelopes in order, each with its id as message id, on a connection of their own. */
export async function publishEvents(
  infra: { natsUrl: string; prefix: string },
  events: EventEnvelope[],
): Promise<void> {
  const publisher = await RawPublisher.open(infra.natsUrl, infra.prefix);
  for (const e of events) await publisher.publish(e, { msgID: e.id });
  await publisher.close();
}

/**
 * A consumer that counts funders like analytics does but cannot apply one named POISON
 * while `failing()` says so: the cause of a dead letter, fixed later.
 */
export function poisonSensitiveConsumer(failing: () => boolean): ConsumerDefinition<'funder.created'> {
  return {
    name: 'flaky',
    events: ['funder.created'],
    async apply(tx, events) {
      if (failing() && events.some((e) => e.data.name === 'POISON')) throw new Error('cannot apply POISON');
      await countFunders(tx, events);
    },
  };
}
