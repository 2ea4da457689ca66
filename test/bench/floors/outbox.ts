/**
 * The durable events' PostgreSQL part, measured alone: the producer's outbox insert (a JSON array
 * per transaction, as the outbox writer sends it), the relay's read of the next rows with the
 * delete of the ones before (one statement, as the relay does), and the consumer's inbox insert
 * with its effect (a counter, as analytics' funder counts) in one transaction per batch. The three
 * run at once on connections of their own, as the producer, the relay and the consumer do, with no
 * bus in between: what the relay reads is handed to the consumer directly.
 */
import pg from 'pg';
import { cpuMeter, postgresPids } from '../support.ts';
import type { FloorPart } from './compose.ts';

const schema = `
  CREATE SCHEMA floor;
  CREATE TABLE floor.outbox (seq bigserial PRIMARY KEY, id uuid NOT NULL, type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE floor.inbox (consumer text NOT NULL, event_id uuid NOT NULL, processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id));
  CREATE TABLE floor.counter (kind text PRIMARY KEY, count integer NOT NULL)`;

const insertOutbox = `INSERT INTO floor.outbox (id, type, payload)
  SELECT (e->>'id')::uuid, e->>'type', e FROM jsonb_array_elements($1::jsonb) AS e`;
const readAndForget = `WITH forgotten AS (DELETE FROM floor.outbox WHERE seq = ANY($1::bigint[]))
  SELECT seq, id, type, payload::text AS json FROM floor.outbox
   WHERE seq > $2 AND seq <> ALL($1::bigint[]) ORDER BY seq LIMIT $3`;
const insertInbox = `INSERT INTO floor.inbox (consumer, event_id) SELECT 'floor', unnest($1::uuid[])
  ON CONFLICT DO NOTHING RETURNING event_id`;
const countEffect = `INSERT INTO floor.counter (kind, count) VALUES ($1, $2)
  ON CONFLICT (kind) DO UPDATE SET count = floor.counter.count + excluded.count`;

/** `envelopes` (JSON objects with id and type) through outbox → relay → inbox, `batch` per transaction. */
export async function outboxToInbox(
  databaseUrl: string,
  envelopes: { id: string; type: string; data: { kind: string } }[],
  batch: number,
): Promise<FloorPart> {
  const connect = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return client;
  };
  const [producer, relay, consumer] = await Promise.all([connect(), connect(), connect()]);
  try {
    await producer.query(schema);
    const meter = await cpuMeter(async () => ({ client: [process.pid], postgres: await postgresPids(databaseUrl) }));
    const started = performance.now();
    const handed: { id: string }[][] = [];
    let wake = () => {};
    let produced = false;
    const produce = async () => {
      for (let i = 0; i < envelopes.length; i += batch) {
        await producer.query({
          name: 'floor-outbox',
          text: insertOutbox,
          values: [JSON.stringify(envelopes.slice(i, i + batch))],
        });
      }
      produced = true;
    };
    const read = async () => {
      let after = '0';
      let acked: string[] = [];
      let read = 0;
      while (read < envelopes.length) {
        const { rows } = await relay.query<{ seq: string; id: string }>({
          name: 'floor-read',
          text: readAndForget,
          values: [acked, after, batch],
        });
        acked = rows.map((r) => r.seq);
        if (rows.length === 0) {
          if (produced) continue;
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        after = rows.at(-1)!.seq;
        read += rows.length;
        handed.push(rows);
        wake();
      }
      await relay.query({ name: 'floor-read', text: readAndForget, values: [acked, after, batch] });
    };
    const apply = async () => {
      for (let applied = 0; applied < envelopes.length; ) {
        const rows = handed.shift();
        if (!rows) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        await consumer.query('BEGIN');
        const fresh = await consumer.query({ name: 'floor-inbox', text: insertInbox, values: [rows.map((r) => r.id)] });
        await consumer.query({ name: 'floor-effect', text: countEffect, values: ['collectivite', fresh.rowCount] });
        await consumer.query('COMMIT');
        applied += rows.length;
      }
    };
    await Promise.all([produce(), read(), apply()]);
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: envelopes.length / seconds, cpuMsPerUnit: await meter.charge(envelopes.length) };
  } finally {
    await Promise.all([producer, relay, consumer].map((c) => c.end()));
  }
}
