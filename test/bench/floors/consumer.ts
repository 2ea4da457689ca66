/**
 * The consuming side of the JetStream floors, in a process of its own as the services are: a
 * durable pull consumer with explicit acks, batched as the services batch. With `answerTo`, each
 * message (a scan) is answered first (a verdict published to JetStream with its id as
 * Nats-Msg-Id), then acked, as the kiosk intake does; the next batch is taken meanwhile. Publishes
 * on `doneSubject` once `count` messages are acked. Options: one JSON argument.
 */
import { AckPolicy, DeliverPolicy, JSONCodec, connect, nanos, type JsMsg } from 'nats';
import { BatchPublisher, MicroBatcher, busConnectionOptions } from '@aptic/runtime';

export interface ConsumerOptions {
  url: string;
  stream: string;
  durable: string;
  filter: string;
  batch: number;
  count: number;
  doneSubject: string;
  answerTo?: string;
}

const options = JSON.parse(process.argv[2]!) as ConsumerOptions;
const json = JSONCodec<{ scanId: string; kioskId: string }>();
const nc = await connect({ servers: options.url, ...busConnectionOptions });
const jsm = await nc.jetstreamManager();
await jsm.consumers.add(options.stream, {
  durable_name: options.durable,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  filter_subject: options.filter,
  ack_wait: nanos(30_000),
  max_ack_pending: 10 * options.batch,
});
const messages = await (await nc.jetstream().consumers.get(options.stream, options.durable)).consume({
  max_messages: 2 * options.batch,
});
const publisher = new BatchPublisher(nc);
let acked = 0;
const settled = (batch: JsMsg[]) => {
  for (const m of batch) m.ack();
  acked += batch.length;
  if (acked >= options.count) nc.publish(options.doneSubject);
};
const verdict = (m: JsMsg) => {
  const scan = json.decode(m.data);
  return {
    subject: `${options.answerTo}.${scan.kioskId}`,
    data: JSONCodec().encode({
      scanId: scan.scanId,
      outcome: 'accepted',
      redemptionId: crypto.randomUUID(),
      faceValueCents: 1_000,
      message: 'Pass accepté : 10,00 €',
    }),
    msgID: `verdict-${scan.scanId}`,
  };
};
const batcher = new MicroBatcher<JsMsg>(options.batch, async (batch) => {
  if (options.answerTo === undefined) return settled(batch);
  void publisher.publish(batch.map(verdict)).then(() => settled(batch));
});
console.log('ready');
for await (const m of messages) batcher.push(m);
