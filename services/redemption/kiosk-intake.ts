import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JSONCodec,
  RetentionPolicy,
  StorageType,
  nanos,
  type JetStreamManager,
  type JsMsg,
} from 'nats';
import {
  CancelOutcome,
  CancelRequest,
  SCAN_PARTITIONS,
  ScanMessage,
  Verdict,
  natsNames,
  validate,
  type NatsNames,
} from '@aptic/contracts';
import {
  BatchPublisher,
  InProgress,
  MicroBatcher,
  isTransient,
  type Publication,
  type ServiceContext,
} from '@aptic/runtime';
import { sharePartitions } from './partitions.ts';
import { judgeScans } from './db/judge.ts';
import { kioskUndo } from './db/cancellations.ts';

const json = JSONCodec();
/** A scan message is ~250 bytes; anything much larger is not a scan. */
const MAX_SCAN_BYTES = 4_096;
/**
 * Scans are judged in batches, one after the other: what piles up while a batch is judged makes the
 * next one (one scan when traffic is light, up to BATCH when it is heavy), and a kiosk's messages
 * (scans, then the undo of one) are handled in the order it sent them. One batch at a time, not
 * several in parallel: on two cores, parallel batches were smaller, their fixed cost (round trips,
 * commits) took more CPU per scan, and at 1,000 scans/s the median verdict came later (measured
 * with two and four lanes of kiosks).
 */
const BATCH = 200;
const DAY_NS = nanos(86_400_000);
/**
 * The scans work queue's ack wait: short, so that the scans a crashed instance held come back
 * within seconds; JetStream is told every third of it that the scans received are in progress.
 */
const SCAN_ACK_WAIT_MS = 2_000;
/** The partition of messages published on the kiosks' own subjects (no mapping on the server). */
const UNMAPPED = 'unmapped';
/**
 * What one kiosk may keep waiting in the scans queue (each kiosk publishes on subjects of its own,
 * so a per-subject limit is a per-kiosk one): past it the server refuses the kiosk's publications,
 * which stay in its journal, instead of letting one kiosk fill the stream for everyone.
 */
const KIOSK_QUEUED_SCANS_MAX = 10_000;
/** A scan or an undo is a few hundred bytes; anything larger is refused by the server. */
const KIOSK_MESSAGE_MAX_BYTES = 4_096;

async function ensureStreams(jsm: JetStreamManager, names: NatsNames): Promise<void> {
  const streams = [
    // Work queue: a scan leaves the stream once judged and recorded in redemption's database.
    {
      name: names.kiosk.stream,
      subjects: [names.kiosk.allScans, names.kiosk.allCancels, names.kiosk.partitioned],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_msgs_per_subject: KIOSK_QUEUED_SCANS_MAX,
      discard: DiscardPolicy.New,
      discard_new_per_subject: true,
      max_msg_size: KIOSK_MESSAGE_MAX_BYTES,
    },
    // Verdicts stay a week, for kiosks that were offline when they were sent.
    {
      name: names.kiosk.verdictStream,
      subjects: [names.kiosk.allVerdicts],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: 7 * DAY_NS,
    },
  ];
  for (const config of streams) {
    await jsm.streams.add(config).catch(async (err: unknown) => {
      if (!/already in use/i.test(String(err))) throw err;
      await jsm.streams.update(config.name, config);
    });
  }
  // The one consumer of the whole queue before scans were partitioned: its messages stay in the
  // stream for the partitions' consumers.
  await jsm.consumers.delete(names.kiosk.stream, 'redemption-scans').catch(() => {});
}

/** The durable consumer of one partition, created or brought to this configuration. */
async function ensurePartitionConsumer(jsm: JetStreamManager, names: NatsNames, partition: string): Promise<string> {
  const durable = `redemption-scans-${partition}`;
  const filter = partition === UNMAPPED ? names.kiosk.unpartitioned : names.kiosk.partition(Number(partition));
  const settings = { ack_wait: nanos(SCAN_ACK_WAIT_MS), max_ack_pending: 2 * BATCH };
  await jsm.consumers
    .add(names.kiosk.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filter,
      ...settings,
    })
    .catch(async (err: unknown) => {
      if (!/already in use|already exists/i.test(String(err))) throw err;
      await jsm.consumers.update(names.kiosk.stream, durable, settings);
    });
  return durable;
}

/**
 * The kiosk a message came from, by its subject (its own, or the partition NATS mapped it to):
 * NATS permissions make the subject trustworthy, not the body.
 */
function kioskOf(subject: string, names: NatsNames): string | undefined {
  const tokens = subject.split('.');
  const kioskId = tokens.at(-2) ?? '';
  const own = subject === names.kiosk.scans(kioskId) || subject === names.kiosk.cancels(kioskId);
  const mapped =
    tokens.length === names.prefix.split('.').length + 5 &&
    subject.startsWith(`${names.prefix}.kiosk.p.`) &&
    /^(scans|cancels)$/.test(tokens.at(-1)!);
  return own || mapped ? kioskId : undefined;
}

type Checked = { scan: ScanMessage } | { refusal: string; scanId: string | undefined; kioskId: string | undefined };

function check(m: JsMsg, names: NatsNames): Checked {
  const kioskId = kioskOf(m.subject, names);
  // NATS caps a payload (1 MB by default), so reading it to name the scan in the refusal is safe.
  let body: unknown;
  try {
    body = json.decode(m.data);
  } catch {
    return { refusal: 'not JSON', scanId: undefined, kioskId };
  }
  const scanId =
    typeof (body as { scanId?: unknown })?.scanId === 'string' ? (body as { scanId: string }).scanId : undefined;
  if (m.data.length > MAX_SCAN_BYTES) return { refusal: `message too large (${m.data.length} bytes)`, scanId, kioskId };
  const checked = validate(ScanMessage, body);
  if (!checked.ok) return { refusal: checked.refusal.message, scanId, kioskId };
  if (checked.value.kioskId !== kioskId)
    return { refusal: 'kioskId does not match the kiosk that sent it', scanId, kioskId };
  return { scan: checked.value };
}

/**
 * Takes kiosks' scans from JetStream, judges each exactly once, and answers on the kiosk's verdict
 * subject (live for a connected kiosk, kept in the verdicts stream for one that reconnects).
 */
export async function startKioskIntake(ctx: ServiceContext): Promise<void> {
  const nc = ctx.nats;
  if (!nc) {
    ctx.log.info('embedded mode: no NATS, kiosk scans are not taken from JetStream');
    return;
  }
  const names = natsNames(ctx.config.natsPrefix);
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, names);
  const js = nc.jetstream();
  /** Each message is settled through the partition it came from, which keeps it in progress until then. */
  const via = new WeakMap<JsMsg, InProgress>();
  const ack = (m: JsMsg) => via.get(m)!.ack(m);
  const nak = (m: JsMsg, delayMs?: number) => via.get(m)!.nak(m, delayMs);
  const term = (m: JsMsg) => via.get(m)!.term(m);
  const publisher = new BatchPublisher(nc);
  const answerOf = (kioskId: string, verdict: Verdict | CancelOutcome, msgID: string): Publication => {
    const checked = 'cancelId' in verdict ? validate(CancelOutcome, verdict) : validate(Verdict, verdict);
    if (!checked.ok) throw new Error(`refusing to send an invalid answer: ${checked.refusal.message}`);
    return { subject: names.kiosk.verdicts(kioskId), data: json.encode(verdict), msgID };
  };
  /** Answers go to the verdicts stream (kept for a kiosk that reconnects), all of a batch at once. */
  const answer = (answers: Publication[]) => publisher.publish(answers);
  /** An outage is retried within a second; another failure backs off, up to 30 s. */
  const retryLater = (m: JsMsg, err: unknown) => {
    const transient = isTransient(err);
    ctx.log[transient ? 'warn' : 'error']({ err, subject: m.subject }, 'kiosk message not handled; it will come back');
    nak(m, transient ? 1_000 : Math.min(30_000, 500 * 2 ** m.info.deliveryCount));
  };

  const handleCancel = async (m: JsMsg) => {
    const kioskId = kioskOf(m.subject, names);
    let body: unknown;
    try {
      body = json.decode(m.data);
    } catch {
      body = undefined;
    }
    const checked = validate(CancelRequest, body);
    if (!kioskId || !checked.ok || checked.value.kioskId !== kioskId) {
      ctx.log.warn({ subject: m.subject }, 'cancel request refused: invalid');
      term(m);
      return;
    }
    try {
      const outcome = await ctx.transaction((tx, emit) => kioskUndo(tx, emit, checked.value));
      await answer([answerOf(kioskId, outcome, `cancel-${outcome.cancelId}`)]);
      ack(m);
    } catch (err) {
      retryLater(m, err);
    }
  };

  const refuse = async (m: JsMsg, refused: Extract<Checked, { refusal: string }>) => {
    ctx.log.warn({ subject: m.subject, refusal: refused.refusal }, 'scan message refused');
    if (refused.kioskId && refused.scanId && validate(ScanMessage.properties.scanId, refused.scanId).ok) {
      const invalid: Verdict = {
        scanId: refused.scanId,
        outcome: 'denied',
        reason: 'invalid_message',
        message: 'Message de scan invalide : mettez à jour la borne.',
      };
      await answer([answerOf(refused.kioskId, invalid, `verdict-${refused.scanId}`)]).catch((err: unknown) =>
        ctx.log.warn({ err }, 'could not answer a refused scan'),
      );
    }
    term(m);
  };

  /**
   * Once a run is committed, its verdicts are sent and its scans acked while the next run is judged:
   * a kiosk matches verdicts by scan id, and an undo reads the database, not the verdicts.
   * If sending fails, the scans come back and get their stored verdicts again.
   */
  const sending = new Set<Promise<void>>();
  const deliver = (run: { m: JsMsg; scan: ScanMessage }[], verdicts: Verdict[]) => {
    const sent: Promise<void> = answer(
      run.map((r, i) => answerOf(r.scan.kioskId, verdicts[i]!, `verdict-${r.scan.scanId}`)),
    )
      .then(() => run.forEach((r) => ack(r.m)))
      .catch((err: unknown) => run.forEach((r) => retryLater(r.m, err)))
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };

  /** One transaction for the run; if it fails, each scan on its own, so one bad scan holds back no other. */
  const judge = async (run: { m: JsMsg; scan: ScanMessage }[]): Promise<void> => {
    if (run.length === 0) return;
    try {
      // Each scan judged at its arrival in the stream (online), or its offline time within bounds.
      const arrivals = new Map(run.map((r) => [r.scan.scanId, new Date(r.m.info.timestampNanos / 1e6)]));
      deliver(
        run,
        await judgeScans(
          ctx,
          run.map((r) => r.scan),
          new Date(),
          arrivals,
        ),
      );
    } catch (err) {
      if (run.length === 1) return retryLater(run[0]!.m, err);
      ctx.log.warn({ err, scans: run.length }, 'batch of scans failed; judging them one by one');
      for (const r of run) await judge([r]);
    }
  };

  /** A batch, in arrival order: runs of scans judged together, an undo once the scans before it are. */
  const settle = async (batch: JsMsg[]): Promise<void> => {
    let run: { m: JsMsg; scan: ScanMessage }[] = [];
    for (const m of batch) {
      if (m.subject.endsWith('.cancels')) {
        await judge(run);
        run = [];
        await handleCancel(m);
        continue;
      }
      const checked = check(m, names);
      if ('refusal' in checked) await refuse(m, checked);
      else run.push({ m, scan: checked.scan });
    }
    await judge(run);
  };

  // One batcher for every partition this instance owns: batches stay as large as with one queue,
  // and each kiosk's messages, all from one partition, keep their order.
  const batcher = new MicroBatcher<JsMsg>(BATCH, settle);
  const consumePartition = async (partition: string) => {
    const durable = await ensurePartitionConsumer(jsm, names, partition);
    const inProgress = new InProgress(SCAN_ACK_WAIT_MS);
    const messages = await (await js.consumers.get(names.kiosk.stream, durable)).consume({ max_messages: BATCH });
    const loop = (async () => {
      for await (const m of messages) {
        via.set(m, inProgress);
        inProgress.hold(m);
        batcher.push(m);
      }
    })();
    return async () => {
      await messages.close();
      await loop;
      await inProgress.settled();
      inProgress.stop();
    };
  };
  const partitions = [UNMAPPED, ...Array.from({ length: SCAN_PARTITIONS }, (_, i) => String(i))];
  const ownership = await sharePartitions({
    nc,
    bucket: `${names.kiosk.stream}_OWNERS`,
    partitions,
    start: consumePartition,
    log: ctx.log,
  });
  ctx.onStop(async () => {
    // Each partition stops once the scans it handed out are settled, and its lease is given back
    // for another instance at once.
    await ownership.stop();
    await batcher.stop();
    await Promise.all(sending);
  });
}
