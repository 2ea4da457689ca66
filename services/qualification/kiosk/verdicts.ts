import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  connect,
  credsAuthenticator,
  nanos,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { natsNames } from '@aptic/contracts';

const DAY_MS = 86_400_000;

/**
 * The NATS side of kiosks: each kiosk's durable consumer on the verdicts stream, created by the
 * platform (a kiosk may not create consumers, which is what keeps it off other kiosks' verdicts).
 * One connection, opened on first use and closed with the service.
 */
export class VerdictConsumers {
  private readonly url: string;
  private readonly creds: string | undefined;
  private readonly names: ReturnType<typeof natsNames>;
  private connection: Promise<NatsConnection> | undefined;

  constructor(options: { url: string; creds: string | undefined; prefix: string }) {
    this.url = options.url;
    this.creds = options.creds;
    this.names = natsNames(options.prefix);
  }

  private async jsm(): Promise<JetStreamManager> {
    this.connection ??= connect({
      servers: this.url,
      name: 'qualification-kiosks',
      ...(this.creds ? { authenticator: credsAuthenticator(new TextEncoder().encode(this.creds)) } : {}),
    });
    return (await this.connection).jetstreamManager();
  }

  /** Creates the verdicts stream if missing (redemption may have made it: then it is left as it is). */
  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const { kiosk } = this.names;
    try {
      await jsm.streams.info(kiosk.verdictStream);
    } catch {
      await jsm.streams
        .add({
          name: kiosk.verdictStream,
          subjects: [kiosk.allVerdicts],
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          max_age: nanos(30 * DAY_MS),
        })
        .catch((err: unknown) => {
          if (!/already in use/i.test(String(err))) throw err;
        });
    }
  }

  async create(kioskId: string): Promise<{ stream: string; consumer: string }> {
    const jsm = await this.jsm();
    await this.ensureStream(jsm);
    const { kiosk } = this.names;
    const consumer = kiosk.verdictConsumer(kioskId);
    await jsm.consumers.add(kiosk.verdictStream, {
      durable_name: consumer,
      filter_subject: kiosk.verdicts(kioskId),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    return { stream: kiosk.verdictStream, consumer };
  }

  /** Best effort: a revoked kiosk's missed verdicts are of no use to anyone. */
  async remove(kioskId: string): Promise<boolean> {
    const jsm = await this.jsm();
    return jsm.consumers
      .delete(this.names.kiosk.verdictStream, this.names.kiosk.verdictConsumer(kioskId))
      .catch(() => false);
  }

  async close(): Promise<void> {
    if (this.connection) await (await this.connection).close();
  }
}
