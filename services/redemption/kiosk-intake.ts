import { AckPolicy, DeliverPolicy, JSONCodec, RetentionPolicy, StorageType, nanos, type JetStreamManager, type JsMsg } from 'nats';
import { CancelOutcome, CancelRequest, ScanMessage, Verdict, natsNames, validate, type NatsNames } from '@aptic/contracts';
import { BatchPublisher, MicroBatcher, type Publication, type ServiceContext } from '@aptic/runtime';
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

async function ensureStreams(jsm: JetStreamManager, names: NatsNames): Promise<void> {
  const streams = [
    // Work queue: a scan leaves the stream once judged and recorded in redemption's database.
    { name: names.kiosk.stream, subjects: [names.kiosk.allScans, names.kiosk.allCancels], retention: RetentionPolicy.Workqueue, storage: StorageType.File },
    // Verdicts stay a week, for kiosks that were offline when they were sent.
    { name: names.kiosk.verdictStream, subjects: [names.kiosk.allVerdicts], retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: 7 * DAY_NS },
  ];
  for (const config of streams) {
    await jsm.streams.add(config).catch(async (err: unknown) => {
      if (!/already in use/i.test(String(err))) throw err;
      await jsm.streams.update(config.name, config);
    });
  }
}

/** The kiosk a message came from, by its subject: NATS permissions make the subject trustworthy, not the body. */
function kioskOf(subject: string, names: NatsNames): string | undefined {
  const kioskId = subject.split('.').at(-2) ?? '';
  return subject === names.kiosk.scans(kioskId) || subject === names.kiosk.cancels(kioskId) ? kioskId : undefined;
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
  const scanId = typeof (body as { scanId?: unknown })?.scanId === 'string' ? (body as { scanId: string }).scanId : undefined;
  if (m.data.length > MAX_SCAN_BYTES) return { refusal: `message too large (${m.data.length} bytes)`, scanId, kioskId };
  const checked = validate(ScanMessage, body);
  if (!checked.ok) return { refusal: checked.refusal.message, scanId, kioskId };
  if (checked.value.kioskId !== kioskId) return { refusal: 'kioskId does not match the kiosk that sent it', scanId, kioskId };
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
  await jsm.consumers.add(names.kiosk.stream, {
    durable_name: 'redemption-scans',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ctx.config.events.ackWaitMs),
    max_ack_pending: 2 * BATCH,
  });
  const js = nc.jetstream();
  const publisher = new BatchPublisher(nc);
  const answerOf = (kioskId: string, verdict: Verdict | CancelOutcome, msgID: string): Publication => {
    const checked = 'cancelId' in verdict ? validate(CancelOutcome, verdict) : validate(Verdict, verdict);
    if (!checked.ok) throw new Error(`refusing to send an invalid answer: ${checked.refusal.message}`);
    return { subject: names.kiosk.verdicts(kioskId), data: json.encode(verdict), msgID };
  };
  /** Answers go to the verdicts stream (kept for a kiosk that reconnects), all of a batch at once. */
  const answer = (answers: Publication[]) => publisher.publish(answers);
  const retryLater = (m: JsMsg, err: unknown) => {
    ctx.log.error({ err, subject: m.subject }, 'kiosk message not handled; it will come back');
    m.nak(Math.min(30_000, 500 * 2 ** m.info.deliveryCount));
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
      m.term();
      return;
    }
    try {
      const outcome = await ctx.transaction((tx, emit) => kioskUndo(tx, emit, checked.value));
      await answer([answerOf(kioskId, outcome, `cancel-${outcome.cancelId}`)]);
      m.ack();
    } catch (err) {
      retryLater(m, err);
    }
  };

  const refuse = async (m: JsMsg, refused: Extract<Checked, { refusal: string }>) => {
    ctx.log.warn({ subject: m.subject, refusal: refused.refusal }, 'scan message refused');
    if (refused.kioskId && refused.scanId && validate(ScanMessage.properties.scanId, refused.scanId).ok) {
      const invalid: Verdict = { scanId: refused.scanId, outcome: 'denied', reason: 'invalid_message', message: 'Message de scan invalide : mettez à jour la borne.' };
      await answer([answerOf(refused.kioskId, invalid, `verdict-${refused.scanId}`)]).catch((err: unknown) => ctx.log.warn({ err }, 'could not answer a refused scan'));
    }
    m.term();
  };

  /**
   * Once a run is committed, its verdicts are sent and its scans acked while the next run is judged:
   * a kiosk matches verdicts by scan id, and an undo reads the database, not the verdicts.
   * If sending fails, the scans come back and get their stored verdicts again.
   */
  const sending = new Set<Promise<void>>();
  const deliver = (run: { m: JsMsg; scan: ScanMessage }[], verdicts: Verdict[]) => {
    const sent: Promise<void> = answer(run.map((r, i) => answerOf(r.scan.kioskId, verdicts[i]!, `verdict-${r.scan.scanId}`)))
      .then(() => run.forEach((r) => r.m.ack()))
      .catch((err: unknown) => run.forEach((r) => retryLater(r.m, err)))
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };

  /** One transaction for the run; if it fails, each scan on its own, so one bad scan holds back no other. */
  const judge = async (run: { m: JsMsg; scan: ScanMessage }[]): Promise<void> => {
    if (run.length === 0) return;
    try {
      deliver(run, await judgeScans(ctx, run.map((r) => r.scan)));
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

  const batcher = new MicroBatcher<JsMsg>(BATCH, settle);
  const messages = await (await js.consumers.get(names.kiosk.stream, 'redemption-scans')).consume({ max_messages: BATCH });
  const loop = (async () => {
    for await (const m of messages) batcher.push(m);
  })();
  ctx.onStop(async () => {
    await messages.close();
    await loop;
    // What no batch took yet goes back at once, for another instance (or the next start) to judge.
    for (const m of await batcher.stop()) m.nak();
    await Promise.all(sending);
  });
}
