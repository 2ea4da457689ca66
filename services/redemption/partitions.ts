import { randomUUID } from 'node:crypto';
import type { KV, NatsConnection } from 'nats';
import type { Logger } from 'pino';

/** A lease not renewed for this long lapses, and another instance takes its partition. */
const LEASE_MS = 3_000;
const TICK_MS = 1_000;

/** Starts consuming one partition; the function it returns stops, once its messages are settled. */
export type StartPartition = (partition: string) => Promise<() => Promise<void>>;

export interface PartitionOwnership {
  /** The partitions this instance consumes now. */
  owned(): string[];
  /** Stops every partition (messages settled) and gives their leases back at once. */
  stop(): Promise<void>;
}

/** FNV-1a, to start each instance's claims at a different partition. */
function spread(text: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % n;
}

/**
 * Instances share partitions through leases in a JetStream key-value bucket whose entries lapse
 * after LEASE_MS: each instance says it is alive (`instance.<id>`), renews the leases it holds
 * (`lease.<partition>`, compare-and-set on the revision) every TICK_MS, gives back what exceeds its
 * share (the partitions divided by the live instances, rounded up) and claims free ones up to it
 * (create: only if nobody holds it). A crashed instance's leases lapse and the others take its
 * partitions; its unacknowledged messages come back after the consumers' ack wait. One partition
 * is consumed by one instance at a time, so a kiosk's messages are judged in the order it sent them.
 */
export async function sharePartitions(options: {
  nc: NatsConnection;
  bucket: string;
  partitions: readonly string[];
  start: StartPartition;
  log: Logger;
}): Promise<PartitionOwnership> {
  const { partitions, log } = options;
  const kv: KV = await options.nc.jetstream().views.kv(options.bucket, { history: 1, ttl: LEASE_MS });
  const jsm = await options.nc.jetstreamManager();
  const instance = randomUUID();
  const owned = new Map<string, { revision: number; stop: () => Promise<void> }>();
  const first = spread(instance, partitions.length);
  const order = partitions.map((_, i) => partitions[(first + i) % partitions.length]!);

  const release = async (partition: string, lease: 'lost' | 'give back') => {
    const held = owned.get(partition)!;
    owned.delete(partition);
    await held.stop();
    if (lease === 'give back') await kv.delete(`lease.${partition}`, { previousSeq: held.revision }).catch(() => {});
    log.info({ partition, lease }, 'scan partition released');
  };

  const tick = async () => {
    await kv.put(`instance.${instance}`, '');
    // The bucket stream's subjects, in one request (the client's key listing, a consumer, came back
    // short while keys were being written). A stopped instance's delete marker lapses like a lease.
    const prefix = `$KV.${options.bucket}.instance.`;
    const { state } = await jsm.streams.info(`KV_${options.bucket}`, { subjects_filter: `${prefix}*` });
    const live = Object.keys(state.subjects ?? {}).length;
    const share = Math.ceil(partitions.length / Math.max(1, live));
    for (const [partition, held] of [...owned]) {
      try {
        held.revision = await kv.update(`lease.${partition}`, instance, held.revision);
      } catch {
        await release(partition, 'lost');
      }
    }
    for (const partition of [...owned.keys()].slice(share)) await release(partition, 'give back');
    for (const partition of order) {
      if (owned.size >= share) break;
      if (owned.has(partition)) continue;
      const revision = await kv.create(`lease.${partition}`, instance).catch(() => undefined);
      if (revision === undefined) continue;
      try {
        owned.set(partition, { revision, stop: await options.start(partition) });
        log.info({ partition }, 'scan partition taken');
      } catch (err) {
        await kv.delete(`lease.${partition}`, { previousSeq: revision }).catch(() => {});
        throw err;
      }
    }
  };

  let stopped = false;
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      stopped ? undefined : tick().catch((err: unknown) => log.warn({ err }, 'scan partition leases not renewed')),
    );
  }, TICK_MS);
  running = tick();
  await running;
  return {
    owned: () => [...owned.keys()],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      for (const partition of [...owned.keys()]) await release(partition, 'give back');
      await kv.delete(`instance.${instance}`).catch(() => {});
    },
  };
}
