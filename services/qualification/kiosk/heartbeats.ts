import { connect, credsAuthenticator, JSONCodec, type Msg, type NatsConnection } from 'nats';
import { KioskHeartbeat, natsNames, validate } from '@aptic/contracts';
import type { ServiceContext } from '@aptic/runtime';

const json = JSONCodec();

/**
 * Kiosk heartbeats, heard on the kiosks' NATS (core NATS, a queue group: one qualification
 * instance takes each). A heartbeat is a last-value signal, not an event: each supersedes the one
 * before, one lost is replaced 30 s later, and one replayed after an outage would only be stale;
 * so no stream, no outbox or inbox, just the newest kept per kiosk. Each is answered at once with
 * the time it was received (the kiosk measures its clock offset from it), then kept.
 * The subject names the kiosk, and the server lets a kiosk publish on its own subject only: a
 * heartbeat whose body names another kiosk is dropped.
 */
export class HeartbeatListener {
  private readonly url: string;
  private readonly creds: string | undefined;
  private readonly names: ReturnType<typeof natsNames>['kiosk'];
  private readonly log: ServiceContext['log'];
  private connection: NatsConnection | undefined;

  constructor(options: { url: string; creds: string | undefined; prefix: string; log: ServiceContext['log'] }) {
    this.url = options.url;
    this.creds = options.creds;
    this.names = natsNames(options.prefix).kiosk;
    this.log = options.log;
  }

  async start(keep: (beat: KioskHeartbeat, receivedAt: Date) => Promise<boolean>): Promise<void> {
    const nc = await connect({
      servers: this.url,
      name: 'qualification-heartbeats',
      maxReconnectAttempts: -1,
      ...(this.creds ? { authenticator: credsAuthenticator(new TextEncoder().encode(this.creds)) } : {}),
    });
    this.connection = nc;
    nc.subscribe(this.names.allHeartbeats, {
      queue: 'qualification-heartbeats',
      callback: (err, msg) => (err ? this.log.error({ err }, 'heartbeat subscription failed') : this.heard(msg, keep)),
    });
    await nc.flush();
  }

  private heard(msg: Msg, keep: (beat: KioskHeartbeat, receivedAt: Date) => Promise<boolean>): void {
    const receivedAt = new Date();
    const kioskId = msg.subject.split('.').at(-2);
    let body: unknown;
    try {
      body = json.decode(msg.data);
    } catch {
      body = undefined;
    }
    const checked = validate(KioskHeartbeat, body);
    if (!checked.ok || checked.value.kioskId !== kioskId)
      return void this.log.warn(
        { subject: msg.subject, refusal: checked.ok ? 'kiosk id differs from the subject' : checked.refusal },
        'ignored a malformed heartbeat',
      );
    msg.respond(json.encode({ receivedAt: receivedAt.toISOString() }));
    keep(checked.value, receivedAt).then(
      (known) => known || this.log.warn({ kioskId }, 'heartbeat of a kiosk unknown here: ignored'),
      (err: unknown) => this.log.error({ err, kioskId }, 'could not keep a heartbeat (the next one will be)'),
    );
  }

  async close(): Promise<void> {
    await this.connection?.drain();
  }
}
