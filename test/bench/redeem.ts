/**
 * Redemption under load. Kiosks are NATS clients publishing scans of distinct valid passes; the
 * full path is JetStream → redemption (its own process) → PostgreSQL commit → verdict back on the
 * kiosk's subject. Measured: latency at a fixed offered load (1,000 scans/s, after a 2 s warm-up at
 * that rate that is not counted) from each scan's intended send time (a late send counts against
 * the path), and sustained verdicts/s at saturation with 1, 2 and 3 redemption instances sharing the
 * scan partitions. Beside them, in the same run, two floors:
 * - naive: a well-written one transaction per scan (floors/redemption.ts), after the same warm-up
 *   and VACUUM ANALYZE, at the full path's concurrency;
 * - composed: its parts measured alone, the JetStream round trip (scan publish → consume → verdict
 *   publish → ack) and the batched writes of the same rows, as their serial rate and their CPU
 *   ceiling on this machine's cores (floors/compose.ts).
 * CPU per scan of each process is measured for each load. With 3 instances, every kiosk then scans a pass, takes
 * it back and scans it again at once: the outcomes show whether its messages kept their order.
 * The NATS server is the benchmark's own, with the partition mappings production has (the
 * machine's shared server has none, so every kiosk would be in one partition).
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSONCodec, connect, type NatsConnection } from 'nats';
import {
  SCAN_PARTITIONS,
  ServiceNames,
  natsNames,
  passCode,
  passLookupHash,
  scanPartitionMappings,
  type CancelOutcome,
  type CancelRequest,
  type EventEnvelope,
  type ScanMessage,
  type Verdict,
} from '@aptic/contracts';
import {
  BatchPublisher,
  JetStreamBus,
  busConnectionOptions,
  queryRows,
  readConfig,
  startPlatform,
  type OutgoingEvent,
} from '@aptic/runtime';
import { redemption } from '@aptic/redemption';
import { startNatsServer } from '../support/nats-server.ts';
import { cpuEfficiency, cpuMeter, phaseLoad, postgresPids, report, scratch } from './support.ts';
import { composeFloor } from './floors/compose.ts';
import { scanRoundTrip } from './floors/jetstream.ts';
import { batchedWrites, naiveFloor } from './floors/redemption.ts';
import { openRules } from '../support/rules.ts';

const KEY = 'bench-key';
const LOOKUP_KEY = 'bench-pass-lookup-key-0123456789abcdef';
/** Enough kiosks for every partition to have some (a kiosk's partition is a hash of its id). */
const KIOSKS = 48;
const INSTANCES = [1, 2, 3];
/** The benchmark's own NATS server (a port of the range kept for fault and scale-out runs). */
const NATS_PORT = 14240;
const RATE = 1_000;
const RATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const SATURATION = Number(process.env.BENCH_SCANS ?? 10_000);
/** Scans of the naive floor, after as many again of warm-up. */
const FLOOR = Number(process.env.BENCH_FLOOR_SCANS ?? 3_000);
/** Scans each kiosk keeps outstanding at saturation (a kiosk sending its offline journal has many). */
const OUTSTANDING = Number(process.env.BENCH_OUTSTANDING ?? 10);
/**
 * The naive floor's connections: as many as its scans in flight (KIOSKS × OUTSTANDING) would pass
 * the shared server's 100 connections, so 40, every scan in flight waiting for one.
 */
const NAIVE_CONNECTIONS = Math.min(40, KIOSKS * OUTSTANDING);
/** The kiosk intake's largest batch, which the floors' consumer and batched writes take too. */
const BATCH = 200;
const json = JSONCodec();

const event = (type: string, data: unknown): OutgoingEvent => {
  const id = randomUUID();
  return {
    id,
    type,
    json: JSON.stringify({ id, type, occurredAt: new Date().toISOString(), producer: 'bench', data } satisfies Omit<
      EventEnvelope,
      'type' | 'data'
    > & { type: string; data: unknown }),
  };
};

async function seed(bus: JetStreamBus, carnets: number) {
  const orderId = randomUUID();
  const funderId = randomUUID();
  const placeId = randomUUID();
  const offerId = randomUUID();
  const kiosks = Array.from({ length: KIOSKS }, () => randomUUID());
  const events: OutgoingEvent[] = [
    event('order.paid', {
      orderId,
      funderId,
      funderName: 'Banc d’essai',
      offer: 'plus',
      carnetSize: 10,
      carnets,
      faceValueCents: carnets * 10_000,
      options: [],
      rules: openRules(),
    }),
    event('place.qualified', {
      placeId,
      name: 'Lieu de banc d’essai',
      type: 'centre_social',
      communeCode: '16015',
      departementCode: '16',
    }),
    event('kit.subscribed', { placeId, plan: 'monthly' }),
    event('offer.published', {
      offerId,
      placeId,
      serviceCode: 'seance',
      categoryCode: 'aide_demarches_administratives',
      priceCents: 1_000,
      group: false,
    }),
    ...kiosks.map((kioskId) => event('kiosk.registered', { kioskId, placeId })),
  ];
  for (let first = 1; first <= carnets; first += 500) {
    const numbers = Array.from({ length: Math.min(500, carnets - first + 1) }, (_, i) => first + i);
    events.push(
      event('passes.issued', {
        orderId,
        funderId,
        chunk: { index: 0, of: 1 },
        passes: numbers.flatMap((c) =>
          Array.from({ length: 10 }, (_, p) => ({
            passId: randomUUID(),
            codeHash: passLookupHash(LOOKUP_KEY, passCode(KEY, c, p + 1)),
            carnetNumber: c,
            position: p + 1,
          })),
        ),
      }),
    );
    events.push(event('passes.released', { orderId, carnetNumbers: numbers, releasedAt: new Date().toISOString() }));
  }
  for (let i = 0; i < events.length; i += 200) await bus.publish(events.slice(i, i + 200));
  return { orderId, funderId, placeId, offerId, kiosks };
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
}

/** The codes, one per pass, in an order that never puts two passes of one carnet in a row. */
function* codes(fromCarnet: number, count: number) {
  for (let i = 0; i < count; i++)
    yield passCode(KEY, fromCarnet + (i % Math.ceil(count / 10)), Math.floor(i / Math.ceil(count / 10)) + 1);
}

/**
 * A kiosk as NATS sees it: it publishes each scan to JetStream with the scan id as Nats-Msg-Id,
 * waits for the stream's ack, and reads verdicts on its own subject. The publish goes through the
 * platform's batch publisher rather than js.publish, whose per-message timers and stack traces would
 * charge this machine for work that real kiosks do on their own hardware.
 */
class Kiosk {
  private readonly waiting = new Map<string, (v: Verdict | CancelOutcome) => void>();
  readonly id: string;
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly publisher: BatchPublisher;
  private constructor(id: string, nc: NatsConnection, prefix: string) {
    this.id = id;
    this.nc = nc;
    this.prefix = prefix;
    this.publisher = new BatchPublisher(nc);
  }
  static async open(id: string, prefix: string, natsUrl: string): Promise<Kiosk> {
    const k = new Kiosk(id, await connect({ servers: natsUrl, ...busConnectionOptions }), prefix);
    const sub = k.nc.subscribe(natsNames(prefix).kiosk.verdicts(id));
    void (async () => {
      for await (const m of sub) {
        const v = json.decode(m.data) as Verdict | CancelOutcome;
        const key = 'cancelId' in v ? v.cancelId : v.scanId;
        k.waiting.get(key)?.(v);
        k.waiting.delete(key);
      }
    })();
    await k.nc.flush();
    return k;
  }
  /** Publishes a message (in the order of calls) and resolves with its answer. */
  private send<T>(kind: 'scans' | 'cancels', id: string, body: unknown): Promise<T> {
    const answer = new Promise<T>((resolve) => this.waiting.set(id, resolve as (v: Verdict | CancelOutcome) => void));
    const names = natsNames(this.prefix).kiosk;
    const subject = kind === 'scans' ? names.scans(this.id) : names.cancels(this.id);
    return this.publisher.publish([{ subject, data: json.encode(body), msgID: id }]).then(() => answer);
  }
  scanMessage(offerId: string, code: string): ScanMessage {
    return {
      scanId: randomUUID(),
      kioskId: this.id,
      sessionId: randomUUID(),
      offerId,
      code,
      scannedAt: new Date().toISOString(),
      offline: false,
    };
  }
  judge(scan: ScanMessage): Promise<Verdict> {
    return this.send('scans', scan.scanId, scan);
  }
  cancel(scanId: string): Promise<CancelOutcome> {
    const request: CancelRequest = {
      cancelId: randomUUID(),
      kioskId: this.id,
      scanId,
      requestedAt: new Date().toISOString(),
    };
    return this.send('cancels', request.cancelId, request);
  }
  /** Sends a scan; resolves with its verdict and when it came back (performance.now()). */
  async scan(offerId: string, code: string): Promise<{ verdict: Verdict; at: number }> {
    const verdict = await this.judge(this.scanMessage(offerId, code));
    return { verdict, at: performance.now() };
  }
  close() {
    return this.nc.close();
  }
}

/** Which instance holds each scan partition's lease (the unmapped subjects' partition included). */
async function leaseHolders(nc: NatsConnection, prefix: string): Promise<string[]> {
  const kv = await nc.jetstream().views.kv(`${natsNames(prefix).kiosk.stream}_OWNERS`);
  const holders: string[] = [];
  for (const partition of ['unmapped', ...Array.from({ length: SCAN_PARTITIONS }, (_, i) => String(i))]) {
    const entry = await kv.get(`lease.${partition}`);
    if (entry?.operation === 'PUT') holders.push(entry.string());
  }
  return holders;
}

async function main() {
  const db = await scratch();
  const nats = await startNatsServer({
    port: NATS_PORT,
    dir: mkdtempSync(join(tmpdir(), 'aptic-bench-nats-')),
    mappings: scanPartitionMappings(db.prefix),
  });
  const env: Record<string, string> = {
    DATABASE_URL: db.databaseUrl,
    NATS_URL: nats.url,
    APTIC_NATS_PREFIX: db.prefix,
    APTIC_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    APTIC_PASS_LOOKUP_KEY: LOOKUP_KEY,
    LOG_LEVEL: 'error',
    ...Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0'])),
  };
  const carnets =
    Math.ceil((2 * FLOOR + RATE * (WARM_UP_SECONDS + RATE_SECONDS) + SATURATION * INSTANCES.length + KIOSKS) / 10) + 20;
  // In this process, redemption without its kiosk intake: its read models, filled from the seed's events.
  const local = await startPlatform([{ ...redemption, start: undefined }], readConfig(env));
  const bus = await JetStreamBus.connect({ url: nats.url, prefix: db.prefix, ackWaitMs: 30_000 });
  const instances: ChildProcess[] = [];
  // The services go with the benchmark, however the benchmark ends.
  process.once('exit', () => {
    for (const child of instances) child.kill('SIGKILL');
    void nats.kill();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  try {
    const { orderId, funderId, placeId, offerId, kiosks } = await seed(bus, carnets);
    const ready = () =>
      queryRows<{ n: number }>(
        local.database.db,
        sql`SELECT (SELECT count(*) FROM redemption.pass)::int + (SELECT count(*) FROM redemption.kiosk)::int AS n`,
      ).then((r) => r[0]!.n);
    while ((await ready()) < carnets * 10 + KIOSKS) await new Promise((r) => setTimeout(r, 200));
    // Statistics and visibility maps as a running service's tables have them (autovacuum would
    // otherwise pick these fresh tables up in the middle of a measurement): before each path.
    const vacuum = () => local.database.db.execute(sql`VACUUM ANALYZE`);
    await vacuum();

    const place = { placeId, offerId, lookupKey: LOOKUP_KEY };
    const floorScans = (from: number, count: number) =>
      [...codes(from, count)].map((code, i) => ({ code, kioskId: kiosks[i % KIOSKS]! }));
    const naive = await naiveFloor(db.databaseUrl, place, {
      warmUp: floorScans(1, FLOOR),
      scans: floorScans(1 + Math.ceil(FLOOR / 10), FLOOR),
      concurrency: KIOSKS * OUTSTANDING,
      connections: NAIVE_CONNECTIONS,
    });
    const writes = await batchedWrites(
      db.databaseUrl,
      { ...place, orderId, funderId },
      { scans: floorScans(1, SATURATION), batch: BATCH, inFlight: 2 },
    );
    const roundTrip = await scanRoundTrip({
      server: { url: nats.url, pids: () => [nats.pid!] },
      prefix: db.prefix,
      kiosks,
      scans: SATURATION,
      body: {
        sessionId: randomUUID(),
        offerId,
        code: passCode(KEY, 1, 1),
        scannedAt: new Date().toISOString(),
        offline: false,
      },
      outstanding: OUTSTANDING,
      batch: BATCH,
    });
    const composed = composeFloor({ jetStream: roundTrip, postgres: writes });
    await vacuum();

    // The full path: redemption in processes of its own, kiosks over NATS.
    const admin = await connect({ servers: nats.url });
    const startInstance = async () => {
      const child = spawn(process.execPath, ['services/platform/bin/start.ts', 'redemption'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      instances.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready (') && resolve());
        child.once('exit', (code) => reject(new Error(`redemption exited with ${code}`)));
      });
      // Measured only once the partitions are shared by every instance.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const holders = await leaseHolders(admin, db.prefix);
        if (holders.length === SCAN_PARTITIONS + 1 && new Set(holders).size === instances.length) return;
        if (Date.now() > deadline) throw new Error(`partitions not shared by ${instances.length} instances`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await startInstance();
    const clients = await Promise.all(kiosks.map((id) => Kiosk.open(id, db.prefix, nats.url)));
    let carnet = 2 * Math.ceil(FLOOR / 10) + 1;

    // CPU per scan of each part: redemption, simulated kiosks (this process), NATS, PostgreSQL.
    const roles = async () => ({
      redemption: instances.map((c) => c.pid!),
      kiosks: [process.pid],
      nats: [nats.pid!],
      postgres: await postgresPids(db.databaseUrl),
    });

    /** Offers `count` scans at RATE scans/s, open loop (a scan is sent when due, whatever came back). */
    const offer = async (count: number) => {
      const rateCodes = [...codes(carnet, count)];
      carnet += Math.ceil(count / 10);
      const latencies: number[] = [];
      /** How late each scan left this process (its simulated kiosk starved of CPU), and the rest. */
      const lateness: number[] = [];
      const fromSend: number[] = [];
      let accepted = 0;
      const start = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        // Latency counts from when the scan was due, not from when it was sent: a sender held up
        // by a slow path must not hide the scans that waited behind it (coordinated omission).
        const due = start + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const sent = performance.now();
        lateness.push(Math.max(0, sent - due));
        inFlight.push(
          clients[i % KIOSKS]!.scan(offerId, rateCodes[i]!).then(({ verdict, at }) => {
            latencies.push(at - due);
            fromSend.push(at - sent);
            if (verdict.outcome === 'accepted') accepted++;
          }),
        );
      }
      await Promise.all(inFlight);
      const sorted = (values: number[]) => values.sort((a, b) => a - b);
      return {
        latencies: sorted(latencies),
        lateness: sorted(lateness),
        fromSend: sorted(fromSend),
        accepted,
        seconds: (performance.now() - start) / 1000,
      };
    };
    // Warm-up, not measured: connections opened, statements prepared, code compiled.
    await offer(RATE * WARM_UP_SECONDS);
    const rateMeter = await cpuMeter(roles);
    const rateLoad = phaseLoad();
    const { latencies, lateness, fromSend, accepted, seconds: rateSeconds } = await offer(RATE * RATE_SECONDS);
    // The tail at this rate follows the machine's contention for its cores: recorded beside it.
    const rateContention = rateLoad();

    const rateCpu = await rateMeter.charge(latencies.length);

    /** Saturation: every kiosk scans as fast as verdicts come back, several scans outstanding each. */
    const saturate = async () => {
      const meter = await cpuMeter(roles);
      const satCodes = [...codes(carnet, SATURATION)];
      carnet += Math.ceil(SATURATION / 10);
      let taken = 0;
      let satAccepted = 0;
      const satStart = performance.now();
      await Promise.all(
        clients.flatMap((k) =>
          Array.from({ length: OUTSTANDING }, async () => {
            while (taken < satCodes.length) {
              const { verdict } = await k.scan(offerId, satCodes[taken++]!);
              if (verdict.outcome === 'accepted') satAccepted++;
            }
          }),
        ),
      );
      const sustained = SATURATION / ((performance.now() - satStart) / 1000);
      return {
        instances: instances.length,
        scans: SATURATION,
        outstanding: KIOSKS * OUTSTANDING,
        accepted: satAccepted,
        sustainedVerdictsPerSecond: Math.round(sustained),
        ofNaive: Number((sustained / naive.perSecond).toFixed(2)),
        ofComposedSerial: Number((sustained / composed.serialPerSecond).toFixed(3)),
        ofCpuCeiling: Number((sustained / composed.cpuCeilingPerSecond).toFixed(3)),
        cpuMsPerScan: await meter.charge(SATURATION),
      };
    };
    const saturation = [];
    for (const count of INSTANCES) {
      while (instances.length < count) await startInstance();
      saturation.push(await saturate());
    }

    // With every instance running: each kiosk scans a pass, takes it back and scans it again, sent
    // at once; in order, the answers are accepted, cancelled, accepted.
    const orderCodes = [...codes(carnet, KIOSKS)];
    const sequences = await Promise.all(
      clients.map(async (k, i) => {
        const first = k.scanMessage(offerId, orderCodes[i]!);
        const again = k.scanMessage(offerId, orderCodes[i]!);
        const answers = await Promise.all([k.judge(first), k.cancel(first.scanId), k.judge(again)]);
        return answers.map((a) => a.outcome).join(',');
      }),
    );
    const inOrder = sequences.filter((s) => s === 'accepted,cancelled,accepted').length;
    for (const k of clients) await k.close();
    await admin.close();
    for (const child of instances) child.kill('SIGTERM');

    const one = saturation[0]!;
    const p99 = percentile(latencies, 0.99);
    const allAccepted = accepted === latencies.length && saturation.every((r) => r.accepted === r.scans);
    const orderKept = inOrder === KIOSKS;
    const cpuSum = (cpu: Record<string, number>) =>
      Object.values(cpu)
        .reduce((a, b) => a + b, 0)
        .toFixed(2);
    const pct = (share: number) => `${Math.round(100 * share)} %`;
    report(
      'redeem',
      {
        passes: carnets * 10,
        kiosks: KIOSKS,
        atFixedLoad: {
          instances: 1,
          offeredPerSecond: RATE,
          warmUpSeconds: WARM_UP_SECONDS,
          scans: latencies.length,
          achievedPerSecond: Math.round(latencies.length / rateSeconds),
          accepted,
          cpuMsPerScan: rateCpu,
          ...rateContention,
          latencyMsFromIntendedSend: { p50: percentile(latencies, 0.5), p99, max: Math.round(latencies.at(-1)!) },
          // The target's figure is the one above; these two split it, for reading a tail: the
          // simulated kiosks (this process, on the same cores) sending late, and the path after the send.
          sendLatenessMs: { p50: percentile(lateness, 0.5), p99: percentile(lateness, 0.99) },
          latencyMsFromActualSend: { p50: percentile(fromSend, 0.5), p99: percentile(fromSend, 0.99) },
        },
        saturation,
        naiveFloor: {
          scans: FLOOR,
          inFlight: KIOSKS * OUTSTANDING,
          connections: NAIVE_CONNECTIONS,
          accepted: naive.accepted,
          verdictsPerSecond: Math.round(naive.perSecond),
          cpuMsPerScan: naive.cpuMsPerUnit,
        },
        composedFloor: composed,
        kioskOrderWithAllInstances: {
          kiosks: KIOSKS,
          inOrder,
          outOfOrder: sequences.filter((s) => s !== 'accepted,cancelled,accepted'),
        },
        targets: { ofComposedSerial: 0.5, p99MsAt1000: 25, everyScanAccepted: true, kioskOrderKept: true },
        met: allAccepted && orderKept && p99 <= 25 && one.ofComposedSerial >= 0.5,
      },
      [
        {
          figure: `${one.sustainedVerdictsPerSecond} verdicts/s sustained, 1 instance (${saturation
            .slice(1)
            .map((r) => `${r.instances}: ${r.sustainedVerdictsPerSecond}/s`)
            .join(', ')}), ${KIOSKS * OUTSTANDING} in flight, ${cpuSum(one.cpuMsPerScan)} ms CPU/scan`,
          target: '≥ 50 % of composed serial floor, every scan accepted, each kiosk’s order kept',
          floor: `composed: serial ${composed.serialPerSecond}/s (JetStream ${composed.parts.jetStream.perSecond}/s, PostgreSQL ${composed.parts.postgres.perSecond}/s), CPU ceiling ${composed.cpuCeilingPerSecond}/s (${composed.cpuMsPerUnit} ms/scan); naive ${Math.round(naive.perSecond)}/s`,
          ratio: `${pct(one.ofComposedSerial)} of serial, ${pct(one.ofCpuCeiling)} of ceiling, ${one.ofNaive} × naive`,
          efficiency: cpuEfficiency(
            composed.cpuMsPerUnit,
            Object.values(one.cpuMsPerScan).reduce((a, b) => a + b, 0),
            'ms',
          ),
          met: allAccepted && orderKept && one.ofComposedSerial >= 0.5,
        },
        {
          figure: `p99 ${p99} ms (p50 ${percentile(latencies, 0.5)}) at ${RATE}/s from intended send, ${cpuSum(rateCpu)} ms CPU/scan, CPU pressure ${rateContention.cpuPressurePercent ?? '—'} %, idle ${rateContention.idlePercent} %`,
          target: 'p99 ≤ 25 ms, every scan accepted',
          met: allAccepted && p99 <= 25,
        },
      ],
    );
  } finally {
    await bus.close();
    await local.stop();
    await db.drop();
    await nats.close();
  }
}

await main();
