/**
 * A kiosk as the chaos run simulates it: a NATS client of its own (optionally through a TCP proxy
 * that can cut its network) that publishes each scan to JetStream with its scan id as message id,
 * waits for the verdict on its subject and, like a kiosk that saw nothing come back, sends the scan
 * again (same scan id, a new message id, so JetStream lets it through) until one comes.
 */
import { randomUUID } from 'node:crypto';
import { JSONCodec, connect, type NatsConnection } from 'nats';
import { natsNames, type ScanMessage, type Verdict } from '@aptic/contracts';

const json = JSONCodec();
/** A kiosk that has no verdict after this sends its scan again. */
const RESEND_MS = 5_000;

export interface ScanRecord {
  scanId: string;
  /** The pass scanned: its index in the order. */
  pass: number;
  kioskId: string;
  sentAt: number;
  /** Every verdict received for this scan id (one per copy redemption answered). */
  verdicts: Verdict[];
  answeredAt?: number;
}

export class SimulatedKiosk {
  readonly id: string;
  private readonly offerId: string;
  private readonly nc: NatsConnection;
  private readonly prefix: string;
  private readonly waiting = new Map<string, ScanRecord>();
  private readonly answered = new Map<string, () => void>();
  private connected = true;
  readonly records: ScanRecord[] = [];

  private constructor(kiosk: { id: string; offerId: string }, nc: NatsConnection, prefix: string) {
    this.id = kiosk.id;
    this.offerId = kiosk.offerId;
    this.nc = nc;
    this.prefix = prefix;
  }

  static async open(kiosk: { id: string; offerId: string }, natsUrl: string, prefix: string): Promise<SimulatedKiosk> {
    const nc = await connect({
      servers: natsUrl,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      noAsyncTraces: true,
    });
    const k = new SimulatedKiosk(kiosk, nc, prefix);
    nc.subscribe(natsNames(prefix).kiosk.verdicts(k.id), {
      callback: (_err, m) => {
        const verdict = json.decode(m.data) as Verdict;
        const record = k.waiting.get(verdict.scanId);
        if (!record) return;
        record.verdicts.push(verdict);
        record.answeredAt ??= Date.now();
        k.answered.get(verdict.scanId)?.();
        k.answered.delete(verdict.scanId);
      },
    });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') k.connected = false;
        if (s.type === 'reconnect') k.connected = true;
      }
    })();
    await nc.flush();
    return k;
  }

  private async publish(scan: ScanMessage, msgID: string): Promise<void> {
    const js = this.nc.jetstream();
    for (;;) {
      try {
        await js.publish(natsNames(this.prefix).kiosk.scans(this.id), json.encode(scan), { msgID, timeout: 2_000 });
        return;
      } catch {
        // NATS down or the network cut: the scan waits in the kiosk, and goes when it can.
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Scans a pass and resolves once a verdict came (or `until` passed). `copies`: extra copies sent
   * at once, with the same message id (dropped by JetStream) or a new one (judged again).
   */
  async scan(pass: number, code: string, until: number, copies: { sameId?: boolean; newId?: boolean } = {}) {
    const scan: ScanMessage = {
      scanId: randomUUID(),
      kioskId: this.id,
      sessionId: randomUUID(),
      offerId: this.offerId,
      code,
      scannedAt: new Date().toISOString(),
      // A kiosk that knows it is cut off records the scan as offline (its time is then checked).
      offline: !this.connected,
    };
    const record: ScanRecord = { scanId: scan.scanId, pass, kioskId: this.id, sentAt: Date.now(), verdicts: [] };
    this.records.push(record);
    this.waiting.set(scan.scanId, record);
    const answered = new Promise<void>((resolve) => this.answered.set(scan.scanId, resolve));
    await this.publish(scan, scan.scanId);
    if (copies.sameId) await this.publish(scan, scan.scanId);
    if (copies.newId) await this.publish(scan, `${scan.scanId}.copy`);
    for (let attempt = 1; Date.now() < until; attempt++) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([answered, new Promise((r) => (timer = setTimeout(r, RESEND_MS)))]);
      clearTimeout(timer);
      if (record.answeredAt) return;
      await this.publish(scan, `${scan.scanId}.${attempt}`);
    }
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}
