/**
 * The chaos run: the seven services in processes of their own on a PostgreSQL and a NATS of the
 * run's own; simulated kiosks scan passes at a steady rate, with duplicates, while faults are
 * injected one after another (kill -9 of each service, a NATS restart, a PostgreSQL crash, a
 * kiosk's network cut). Then it counts from the outside: scans lost (no verdict, or a pass never
 * accepted), doubled (a pass accepted twice, a scan given two verdicts), and mismatches between
 * redemption's redemptions, the kiosks' accepted verdicts, ordering's, analytics' and settlement's
 * counts and settlement's ledger; and the verdict latency during each fault.
 */
import { sql } from 'drizzle-orm';
import { connect } from 'nats';
import { natsNames, type ServiceName } from '@aptic/contracts';
import { connectPostgres, queryRows } from '@aptic/runtime';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { call, eventually } from '../support/platform.ts';
import { PREFIX, startCluster, type Cluster } from './cluster.ts';
import { SimulatedKiosk, type ScanRecord } from './kiosk.ts';
import { buildWorld, type ChaosWorld } from './world.ts';

export interface ChaosOptions {
  scans: number;
  /** Scans per second, all kiosks together. */
  rate: number;
  /** Seconds between two faults. */
  faultEverySeconds: number;
  log?: (line: string) => void;
}

interface Fault {
  name: string;
  inject(cluster: Cluster, proxy: TcpProxy): Promise<void>;
}

const kill =
  (...services: ServiceName[]): Fault['inject'] =>
  async (cluster) => {
    for (const s of services) await cluster.kill(s);
  };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every fault, in order; the long run goes through them again while scans remain. */
const FAULTS: Fault[] = [
  { name: 'kill -9 redemption', inject: kill('redemption') },
  { name: 'kill -9 analytics', inject: kill('analytics') },
  { name: 'kill -9 ordering', inject: kill('ordering') },
  { name: 'kill -9 settlement', inject: kill('settlement') },
  { name: 'kill -9 printing, qualification, catalogue', inject: kill('printing', 'qualification', 'catalogue') },
  {
    name: 'NATS restart',
    inject: async (cluster) => {
      await cluster.nats.kill();
      await pause(2_000);
      await cluster.nats.start();
    },
  },
  {
    name: 'PostgreSQL crash and restart',
    inject: async (cluster) => {
      cluster.postgres.crash();
      await pause(2_000);
      await cluster.postgres.start();
    },
  },
  {
    name: 'kiosk network cut (10 s)',
    inject: async (_cluster, proxy) => {
      await proxy.cut();
      await pause(10_000);
      await proxy.restore();
    },
  },
];

interface Latency {
  scans: number;
  p50: number;
  p99: number;
  max: number;
}

function latency(records: ScanRecord[]): Latency {
  const ms = records.filter((r) => r.answeredAt).map((r) => r.answeredAt! - r.sentAt);
  ms.sort((a, b) => a - b);
  const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0;
  return { scans: records.length, p50: at(0.5), p99: at(0.99), max: ms.at(-1) ?? 0 };
}

/** What the services say they counted, read through their admin APIs (redemption's from its tables). */
async function counts(cluster: Cluster, world: ChaosWorld) {
  const db = connectPostgres(cluster.databaseUrl);
  try {
    // Live redemptions: an offline scan made before an online one of the same pass wins, and the
    // later redemption is cancelled (the earlier scan wins), so a kiosk may have been told "accepted"
    // for a redemption that no longer stands.
    const live = await queryRows<{ id: string; pass_id: string }>(
      db.db,
      sql`SELECT id, pass_id FROM redemption.redemption WHERE order_id = ${world.orderId} AND cancelled_at IS NULL`,
    );
    const order = await call(`${cluster.url('ordering')}/orders/${world.orderId}`);
    const figures = await call(`${cluster.url('analytics')}/funders/${world.funderId}/figures`);
    const money = await call(`${cluster.url('settlement')}/funders/${world.funderId}/money`);
    const ledger = await call(`${cluster.url('settlement')}/ledger/check`);
    return {
      redemption: live.length,
      redemptionPasses: new Set(live.map((l) => l.pass_id)).size,
      liveIds: new Set(live.map((l) => l.id)),
      ordering: order.body?.redeemedPasses as number | undefined,
      analytics: figures.body?.totals?.passesRedeemed as number | undefined,
      settlement: money.body?.passesRedeemed as number | undefined,
      ledgerBalanced: ledger.body?.ok === true,
    };
  } finally {
    await db.close();
  }
}

async function parked(natsUrl: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(natsNames(PREFIX).deadLetters.stream).catch(() => undefined);
    return info?.state.messages ?? 0;
  } finally {
    await nc.close();
  }
}

export async function runChaos(options: ChaosOptions) {
  const log = options.log ?? (() => {});
  const startedAt = Date.now();
  const cluster = await startCluster();
  const kiosks: SimulatedKiosk[] = [];
  let proxy: TcpProxy | undefined;
  try {
    log(`cluster up in ${Math.round((Date.now() - startedAt) / 1000)} s`);
    // A pass for every scan (a few are scanned twice on purpose); the Plus offer's minimum is 200 carnets.
    const carnets = Math.max(200, Math.ceil(options.scans / 10) + 10);
    const world = await buildWorld(cluster, { carnets, places: 2, kiosksPerPlace: 5 });
    log(`world built in ${Math.round((Date.now() - startedAt) / 1000)} s`);
    proxy = await TcpProxy.open({ host: '127.0.0.1', port: Number(new URL(cluster.natsUrl).port) });
    // Kiosk 0 reaches NATS through the proxy: its network is the one cut.
    for (const [i, k] of world.kiosks.entries())
      kiosks.push(await SimulatedKiosk.open(k, i === 0 ? proxy.url(cluster.natsUrl) : cluster.natsUrl, PREFIX));

    const faults: { name: string; at: number; until: number }[] = [];
    const duration = (options.scans / options.rate) * 1000;
    const until = Date.now() + duration + 120_000;
    let stopFaults = false;
    const faultLoop = (async () => {
      await pause(options.faultEverySeconds * 1000);
      for (let i = 0; !stopFaults; i++) {
        const fault = FAULTS[i % FAULTS.length]!;
        const at = Date.now();
        log(`fault: ${fault.name}`);
        await fault.inject(cluster, proxy!);
        faults.push({ name: fault.name, at, until: Date.now() });
        await pause(options.faultEverySeconds * 1000);
      }
    })();

    // Scans at a steady rate; 5 % also sent again at once with the same message id, 5 % with a
    // new one, and one pass in 50 scanned a second time later, by another kiosk (not the cut one).
    const scanning: Promise<void>[] = [];
    const rescanned = new Set<number>();
    const sendStart = Date.now();
    for (let i = 0; i < options.scans; i++) {
      const wait = sendStart + (i * 1000) / options.rate - Date.now();
      if (wait > 1) await pause(wait);
      const kiosk = kiosks[i % kiosks.length]!;
      const copies = { sameId: i % 20 === 3, newId: i % 20 === 7 };
      scanning.push(kiosk.scan(i, world.code(i), until, copies));
      const again = i - 100;
      if (again >= 0 && again % 50 === 1 && again % kiosks.length !== 0) {
        rescanned.add(again);
        scanning.push(kiosks[1 + (again % (kiosks.length - 1))]!.scan(again, world.code(again), until));
      }
    }
    stopFaults = true;
    await Promise.all(scanning);
    await faultLoop;
    await cluster.settled();
    log(`scans answered, ${Math.round((Date.now() - sendStart) / 1000)} s after the first`);

    // Each service's count settles on redemption's once their consumers catch up.
    // (A service being started again answers nothing for a while: asked again.)
    const settledCounts = await eventually(
      () => counts(cluster, world).catch(() => undefined),
      (c) =>
        c !== undefined && c.ordering === c.redemption && c.analytics === c.redemption && c.settlement === c.redemption,
      120_000,
    )
      .catch(() => undefined)
      .then((c) => c ?? counts(cluster, world));

    const { liveIds, ...final } = settledCounts;
    const records = kiosks.flatMap((k) => k.records);
    const accepted = new Map<number, Set<string>>();
    for (const r of records)
      for (const v of r.verdicts)
        if (v.outcome === 'accepted') accepted.set(r.pass, (accepted.get(r.pass) ?? new Set()).add(v.redemptionId));
    const unanswered = records.filter((r) => r.verdicts.length === 0).length;
    const conflicting = records.filter((r) => new Set(r.verdicts.map((v) => JSON.stringify(v))).size > 1).length;
    const passes = new Set(records.map((r) => r.pass));

    const standing = (ids: Set<string>) => [...ids].filter((id) => liveIds.has(id)).length;
    const acceptedTwice = [...accepted.values()].filter((ids) => standing(ids) > 1).length;
    // Accepted, then taken back by an earlier offline scan of the same pass (recorded as a conflict).
    const superseded = [...accepted.values()].reduce((n, ids) => n + ids.size - standing(ids), 0);
    const kioskAccepted = [...accepted.values()].filter((ids) => standing(ids) > 0).length;
    const neverAccepted = [...passes].filter((p) => standing(accepted.get(p) ?? new Set()) === 0).length;
    const mismatches = {
      kiosksVsRedemption: kioskAccepted !== final.redemption,
      ordering: final.ordering !== final.redemption,
      analytics: final.analytics !== final.redemption,
      settlement: final.settlement !== final.redemption,
      ledgerUnbalanced: !final.ledgerBalanced,
    };
    // Each fault's scans: those sent from a second before it to its end or 10 s after, every time it was injected.
    const during = (f: (typeof faults)[number], r: ScanRecord) =>
      r.sentAt >= f.at - 1_000 && r.sentAt <= Math.max(f.until, f.at + 10_000);
    const byFault = Object.fromEntries(
      [...new Set(faults.map((f) => f.name))].map((name) => [
        name,
        latency(records.filter((r) => faults.some((f) => f.name === name && during(f, r)))),
      ]),
    );
    return {
      scans: records.length,
      passesScanned: passes.size,
      rescannedPasses: rescanned.size,
      ratePerSecond: options.rate,
      lost: unanswered + neverAccepted,
      doubled: acceptedTwice + conflicting + (final.redemption - final.redemptionPasses),
      mismatch: Object.values(mismatches).filter(Boolean).length,
      parked: await parked(cluster.natsUrl),
      /** Processes that exited on their own during the run (started again, as compose would). */
      crashes: cluster.crashes.map((c) => ({ service: c.service, code: c.code, stderr: c.stderr.slice(-1_500) })),
      details: {
        unanswered,
        neverAccepted,
        acceptedTwice,
        conflicting,
        superseded,
        kioskAccepted,
        ...final,
        mismatches,
      },
      latencyMs: { overall: latency(records), byFault },
      faults: faults.map((f) => f.name),
      seconds: Math.round((Date.now() - startedAt) / 1000),
    };
  } finally {
    for (const k of kiosks) await k.close().catch(() => {});
    await proxy?.close();
    await cluster.stop();
  }
}
