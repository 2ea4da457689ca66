import { AckPolicy, DeliverPolicy, JSONCodec, RetentionPolicy, StorageType, nanos, type JetStreamManager, type JsMsg } from 'nats';
import { CancelRequest, ScanMessage, Verdict, natsNames, validate, type NatsNames } from '@aptic/contracts';
import type { ServiceContext } from '@aptic/runtime';
import { processScan } from './db/scans.ts';
import { kioskUndo } from './db/cancellations.ts';

const json = JSONCodec();
/** A scan message is ~250 bytes; anything much larger is not a scan. */
const MAX_SCAN_BYTES = 4_096;
/** Scans judged at once (each in its own transaction; a pass's races are settled by the database). */
const CONCURRENCY = 16;
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
    max_ack_pending: 1_000,
  });
  const js = nc.jetstream();
  const answer = async (kioskId: string, verdict: Verdict) => {
    const checked = validate(Verdict, verdict);
    if (!checked.ok) throw new Error(`refusing to send an invalid verdict: ${checked.refusal.message}`);
    await js.publish(names.kiosk.verdicts(kioskId), json.encode(verdict), { msgID: `verdict-${verdict.scanId}` });
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
    const outcome = await ctx.transaction((tx, emit) => kioskUndo(tx, emit, checked.value));
    await js.publish(names.kiosk.verdicts(kioskId), json.encode(outcome), { msgID: `cancel-${outcome.cancelId}` });
    m.ack();
  };

  const handle = async (m: JsMsg) => {
    if (m.subject.endsWith('.cancels')) return handleCancel(m);
    const checked = check(m, names);
    if ('refusal' in checked) {
      ctx.log.warn({ subject: m.subject, refusal: checked.refusal }, 'scan message refused');
      if (checked.kioskId && checked.scanId && validate(ScanMessage.properties.scanId, checked.scanId).ok) {
        await answer(checked.kioskId, { scanId: checked.scanId, outcome: 'denied', reason: 'invalid_message', message: 'Message de scan invalide : mettez à jour la borne.' });
      }
      m.term();
      return;
    }
    try {
      const verdict = await ctx.transaction((tx, emit) => processScan(tx, emit, checked.scan));
      await answer(checked.scan.kioskId, verdict);
      m.ack();
    } catch (err) {
      ctx.log.error({ err, scanId: checked.scan.scanId }, 'scan not judged; it will come back');
      m.nak(Math.min(30_000, 500 * 2 ** m.info.deliveryCount));
    }
  };

  const messages = await (await js.consumers.get(names.kiosk.stream, 'redemption-scans')).consume({ max_messages: 2 * CONCURRENCY });
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const m of messages) {
      const job = handle(m)
        .catch((err) => {
          ctx.log.error({ err, subject: m.subject }, 'scan message could not be settled; it will come back');
          m.nak(1_000);
        })
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
  })();
  ctx.onStop(async () => {
    await messages.close();
    await loop;
    await Promise.all(inFlight);
  });
}
