/**
 * Redemption's PostgreSQL floors, against redemption's own tables (their indexes and triggers):
 * - naive: a well-written one transaction per scan, prepared statements, the fewest that enforce
 *   the rules (lock the pass with its release and block, then one statement writing the act, the
 *   redemption under its unique index, the scan and the pass.redeemed event);
 * - batched: the same rows written `batch` at a time, one statement (so one transaction) of
 *   unnest per batch: what the full path's database work cannot go below.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { maskPassCode, passLookupHash } from '@aptic/contracts';
import { cpuMeter, postgresPids } from '../support.ts';
import type { FloorPart } from './compose.ts';

export interface FloorScan {
  code: string;
  kioskId: string;
}

export interface FloorPlace {
  placeId: string;
  offerId: string;
  lookupKey: string;
}

const ACCEPTED = 'Pass accepté : 10,00 €';

/** The pass.redeemed envelope the outbox keeps, as the service writes it. */
function redeemedEvent(
  r: { id: string; passId: string; orderId: string; funderId: string; kioskId: string; actId: string },
  place: FloorPlace,
) {
  const id = randomUUID();
  return {
    id,
    type: 'pass.redeemed',
    occurredAt: new Date().toISOString(),
    producer: 'redemption',
    data: {
      redemptionId: r.id,
      passId: r.passId,
      orderId: r.orderId,
      funderId: r.funderId,
      placeId: place.placeId,
      kioskId: r.kioskId,
      offerId: place.offerId,
      serviceActId: r.actId,
      faceValueCents: 1_000,
      scannedAt: new Date().toISOString(),
      lateUpload: false,
    },
  };
}

const lockPass = {
  name: 'floor-lock-pass',
  text: `SELECT p.pass_id, p.order_id, p.funder_id, p.carnet_number,
      EXISTS (SELECT 1 FROM redemption.carnet_release r WHERE r.order_id = p.order_id AND r.carnet_number = p.carnet_number) AS released,
      EXISTS (SELECT 1 FROM redemption.pass_block b WHERE b.pass_id = p.pass_id) AS blocked
    FROM redemption.pass p WHERE p.code_hash = $1 FOR UPDATE OF p`,
};

const recordOne = `
  WITH act AS (INSERT INTO redemption.service_act (id, session_id, kiosk_id, place_id, offer_id, price_cents, started_at)
                 VALUES ($1, $2, $3, $4, $5, 1000, now())),
       redemption AS (INSERT INTO redemption.redemption (id, scan_id, pass_id, order_id, funder_id, carnet_number, service_act_id, place_id, kiosk_id, offer_id, face_value_cents, scanned_at, late_upload)
                 VALUES ($6, $7, $8, $9, $10, $11, $1, $4, $3, $5, 1000, now(), false)),
       event AS (INSERT INTO redemption.outbox (id, type, payload) VALUES ($12, 'pass.redeemed', $13::jsonb))
  INSERT INTO redemption.scan (scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, message, redemption_id, received_at)
    VALUES ($7, $3, $2, $5, $14, now(), false, 'accepted', '${ACCEPTED}', $6, now())`;

interface Pass {
  pass_id: string;
  order_id: string;
  funder_id: string;
  carnet_number: number;
  released: boolean;
  blocked: boolean;
}

/** Meters a floor's PostgreSQL work: this process (the client) and the cluster's processes. */
async function metered(databaseUrl: string, units: number, run: () => Promise<void>): Promise<FloorPart> {
  const meter = await cpuMeter(async () => ({ client: [process.pid], postgres: await postgresPids(databaseUrl) }));
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: units / seconds, cpuMsPerUnit: await meter.charge(units) };
}

/** One transaction per scan, `concurrency` at once through a pool of `connections`; returns how many were accepted too. */
export async function naiveFloor(
  databaseUrl: string,
  place: FloorPlace,
  options: { warmUp: FloorScan[]; scans: FloorScan[]; concurrency: number; connections: number },
): Promise<FloorPart & { accepted: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.connections });
  let accepted = 0;
  const redeem = async ({ code, kioskId }: FloorScan) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const pass = (await client.query<Pass>({ ...lockPass, values: [passLookupHash(place.lookupKey, code)] })).rows[0];
      if (pass?.released && !pass.blocked) {
        const [actId, sessionId, id, scanId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const event = redeemedEvent(
          { id, passId: pass.pass_id, orderId: pass.order_id, funderId: pass.funder_id, kioskId, actId },
          place,
        );
        await client.query({
          name: 'floor-record-one',
          text: recordOne,
          values: [
            actId,
            sessionId,
            kioskId,
            place.placeId,
            place.offerId,
            id,
            scanId,
            pass.pass_id,
            pass.order_id,
            pass.funder_id,
            pass.carnet_number,
            event.id,
            JSON.stringify(event),
            maskPassCode(code),
          ],
        });
        accepted++;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  };
  const drive = async (scans: FloorScan[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < scans.length) await redeem(scans[next++]!);
      }),
    );
  };
  try {
    await drive(options.warmUp);
    accepted = 0;
    const part = await metered(databaseUrl, options.scans.length, () => drive(options.scans));
    return { ...part, accepted };
  } finally {
    await pool.end();
  }
}

const recordBatch = `
  WITH acts AS (INSERT INTO redemption.service_act (id, session_id, kiosk_id, place_id, offer_id, price_cents, started_at)
                  SELECT a, s, k, $9, $10, 1000, now() FROM unnest($1::uuid[], $2::uuid[], $5::uuid[]) AS t(a, s, k)),
       redemptions AS (INSERT INTO redemption.redemption (id, scan_id, pass_id, order_id, funder_id, carnet_number, service_act_id, place_id, kiosk_id, offer_id, face_value_cents, scanned_at, late_upload)
                  SELECT r, sc, p, $11, $12, c, a, $9, k, $10, 1000, now(), false
                    FROM unnest($3::uuid[], $4::uuid[], $6::uuid[], $7::integer[], $1::uuid[], $5::uuid[]) AS t(r, sc, p, c, a, k)),
       events AS (INSERT INTO redemption.outbox (id, type, payload)
                  SELECT (e->>'id')::uuid, e->>'type', e FROM jsonb_array_elements($13::jsonb) AS e)
  INSERT INTO redemption.scan (scan_id, kiosk_id, session_id, offer_id, code, scanned_at, offline, outcome, message, redemption_id, received_at)
    SELECT sc, k, s, $10, code, now(), false, 'accepted', '${ACCEPTED}', r, now()
      FROM unnest($4::uuid[], $5::uuid[], $2::uuid[], $8::text[], $3::uuid[]) AS t(sc, k, s, code, r)`;

/**
 * The same rows as accepted scans write, `batch` per statement, `inFlight` statements at once (one
 * connection each). Pass ids are new: no pass is locked or looked up, only written.
 */
export async function batchedWrites(
  databaseUrl: string,
  place: FloorPlace & { orderId: string; funderId: string },
  options: { scans: FloorScan[]; batch: number; inFlight: number },
): Promise<FloorPart> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.inFlight });
  const write = (scans: FloorScan[]) => {
    const rows = scans.map((s, i) => ({
      actId: randomUUID(),
      sessionId: randomUUID(),
      id: randomUUID(),
      scanId: randomUUID(),
      kioskId: s.kioskId,
      passId: randomUUID(),
      carnet: i,
      code: maskPassCode(s.code),
    }));
    const events = rows.map((r) => redeemedEvent({ ...r, orderId: place.orderId, funderId: place.funderId }, place));
    const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
    return pool.query({
      name: 'floor-record-batch',
      text: recordBatch,
      values: [
        col((r) => r.actId),
        col((r) => r.sessionId),
        col((r) => r.id),
        col((r) => r.scanId),
        col((r) => r.kioskId),
        col((r) => r.passId),
        col((r) => r.carnet),
        col((r) => r.code),
        place.placeId,
        place.offerId,
        place.orderId,
        place.funderId,
        JSON.stringify(events),
      ],
    });
  };
  let next = 0;
  const lane = async () => {
    while (next < options.scans.length) {
      const batch = options.scans.slice(next, next + options.batch);
      next += batch.length;
      await write(batch);
    }
  };
  try {
    return await metered(databaseUrl, options.scans.length, async () => {
      await Promise.all(Array.from({ length: options.inFlight }, lane));
    });
  } finally {
    await pool.end();
  }
}
