/**
 * The JetStream part of a path's physical floor, measured alone: the same messages through the
 * same client code (the platform's batch publisher) to a consumer in a process of its own, with
 * nothing else in between: no validation, no database.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { JSONCodec, RetentionPolicy, StorageType, connect, nanos, type NatsConnection } from 'nats';
import { BatchPublisher, busConnectionOptions } from '@aptic/runtime';
import { cpuMeter, natsServerPids, natsUrl } from '../support.ts';
import type { FloorPart } from './compose.ts';
import type { ConsumerOptions } from './consumer.ts';

/**
 * Starts the consumer process on the stream `<p>_<kind>` (subjects `<p>.<kind>.>`), runs `load`
 * once it is ready, and measures rate and CPU until it has acked `count`.
 */
/** A NATS server, and its processes to charge CPU to. */
export interface Server {
  url: string;
  pids: () => number[];
}

/** The machine's shared server (NATS_URL). */
export const sharedServer: Server = { url: natsUrl, pids: natsServerPids };

async function measure(
  nc: NatsConnection,
  server: Server,
  p: string,
  kind: string,
  consumer: Pick<ConsumerOptions, 'batch' | 'count' | 'answerTo'>,
  load: () => Promise<void>,
): Promise<FloorPart> {
  const options: ConsumerOptions = {
    url: server.url,
    stream: `${p}_${kind}`,
    durable: 'floor',
    filter: `${p}.${kind}.>`,
    doneSubject: `${p}.done`,
    ...consumer,
  };
  const child = spawn(process.execPath, [new URL('./consumer.ts', import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`floor consumer exited with ${code}`)));
    });
    const done = nc.subscribe(options.doneSubject, { max: 1 });
    await nc.flush();
    const meter = await cpuMeter(async () => ({
      producer: [process.pid],
      consumer: [child.pid!],
      nats: server.pids(),
    }));
    const started = performance.now();
    await Promise.all([
      load(),
      (async () => {
        for await (const _ of done) break;
      })(),
    ]);
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: options.count / seconds, cpuMsPerUnit: await meter.charge(options.count) };
  } finally {
    child.kill('SIGTERM');
  }
}

async function withStreams<T>(
  server: Server,
  streams: { name: string; subjects: string[]; retention: RetentionPolicy; duplicate_window?: number }[],
  run: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: server.url, ...busConnectionOptions });
  const jsm = await nc.jetstreamManager();
  try {
    for (const s of streams) await jsm.streams.add({ ...s, storage: StorageType.File });
    return await run(nc);
  } finally {
    for (const s of streams) await jsm.streams.delete(s.name).catch(() => {});
    await nc.close();
  }
}

/**
 * Redemption's JetStream round trip: kiosks, each a connection of its own as in the field, publish
 * scans (Nats-Msg-Id, stream ack) to a work queue, each keeping `outstanding` in flight; the
 * consumer publishes each verdict to a stream kept for kiosks, then acks the scan; each kiosk reads
 * its verdicts on its own subject.
 */
export function scanRoundTrip(options: {
  server: Server;
  prefix: string;
  kiosks: string[];
  scans: number;
  body: Record<string, unknown>;
  outstanding: number;
  batch: number;
}): Promise<FloorPart> {
  const p = `${options.prefix}floor`;
  const json = JSONCodec();
  return withStreams(
    options.server,
    [
      { name: `${p}_scans`, subjects: [`${p}.scans.>`], retention: RetentionPolicy.Workqueue },
      { name: `${p}_verdicts`, subjects: [`${p}.verdicts.>`], retention: RetentionPolicy.Limits },
    ],
    async (nc) => {
      let taken = 0;
      const kiosk = async (kioskId: string) => {
        const own = await connect({ servers: options.server.url, ...busConnectionOptions });
        const waiting = new Map<string, () => void>();
        own.subscribe(`${p}.verdicts.${kioskId}`, {
          callback: (_err, m) => {
            const { scanId } = json.decode(m.data) as { scanId: string };
            waiting.get(scanId)?.();
            waiting.delete(scanId);
          },
        });
        await own.flush();
        const publisher = new BatchPublisher(own);
        const scan = async () => {
          while (taken++ < options.scans) {
            const scanId = randomUUID();
            const verdict = new Promise<void>((resolve) => waiting.set(scanId, resolve));
            await publisher.publish([
              {
                subject: `${p}.scans.${kioskId}`,
                data: json.encode({ ...options.body, scanId, kioskId }),
                msgID: scanId,
              },
            ]);
            await verdict;
          }
        };
        return { run: () => Promise.all(Array.from({ length: options.outstanding }, scan)), close: () => own.close() };
      };
      const kiosks = await Promise.all(options.kiosks.map(kiosk));
      try {
        return await measure(
          nc,
          options.server,
          p,
          'scans',
          { batch: options.batch, count: options.scans, answerTo: `${p}.verdicts` },
          async () => void (await Promise.all(kiosks.map((k) => k.run()))),
        );
      } finally {
        await Promise.all(kiosks.map((k) => k.close()));
      }
    },
  );
}

/**
 * The durable events' JetStream part: publish (Nats-Msg-Id, stream ack) in the relay's batches and
 * pipelining, then a durable pull consumer in another process acking each message explicitly.
 */
export function eventDelivery(options: {
  server: Server;
  prefix: string;
  bodies: string[];
  batch: number;
  inFlight: number;
  consumerBatch: number;
}): Promise<FloorPart> {
  const p = `${options.prefix}floor`;
  const text = new TextEncoder();
  return withStreams(
    options.server,
    [
      {
        name: `${p}_events`,
        subjects: [`${p}.events.>`],
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(120_000),
      },
    ],
    (nc) => {
      const publisher = new BatchPublisher(nc);
      const messages = options.bodies.map((body) => ({
        subject: `${p}.events.funder.created`,
        data: text.encode(body),
        msgID: randomUUID(),
      }));
      const publishAll = async () => {
        const inFlight = new Set<Promise<void>>();
        for (let i = 0; i < messages.length; i += options.batch) {
          if (inFlight.size === options.inFlight) await Promise.race(inFlight);
          const sent: Promise<void> = publisher
            .publish(messages.slice(i, i + options.batch))
            .finally(() => inFlight.delete(sent));
          inFlight.add(sent);
        }
        await Promise.all(inFlight);
      };
      return measure(
        nc,
        options.server,
        p,
        'events',
        { batch: options.consumerBatch, count: messages.length },
        publishAll,
      );
    },
  );
}
