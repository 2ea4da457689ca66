import { sql } from 'drizzle-orm';
import { lastRedemptionDay, readPassCode, type ScanMessage, type UsageRules } from '@aptic/contracts';
import { businessDate, queryRows, type Tx } from '@aptic/runtime';
import type { ScanFacts } from '../domain/verdict.ts';

/** The window in which a kiosk's unknown codes are counted (against guessing). */
const UNKNOWN_WINDOW_MS = 10 * 60_000;

export interface ScannedPass {
  passId: string;
  orderId: string;
  funderId: string;
  carnetNumber: number;
}

interface Row {
  kiosk: { placeId: string; revoked: boolean } | null;
  unknown: number;
  pass: ScannedPass | null;
  blocked: boolean;
  released: boolean;
  redeemed: { at: string; placeName: string | null } | null;
  rules: UsageRules | null;
  place: { name: string | null; type: string | null; communeCode: string | null; qualified: boolean; kitActive: boolean } | null;
  offer: { placeId: string | null; categoryCode: string | null; withdrawn: boolean } | null;
  carnetInAct: boolean;
}

/**
 * Everything the rules need about one scan, from redemption's own read models, in one round trip
 * (this is the hot path: a statement per fact would cost a dozen).
 */
export async function scanFacts(tx: Tx, scan: ScanMessage, now: Date): Promise<{ facts: ScanFacts; pass: ScannedPass | undefined }> {
  const reading = readPassCode(scan.code);
  const code = reading.ok ? scan.code : null;
  const [row] = await queryRows<Row>(
    tx,
    sql`
    WITH k AS (SELECT place_id, revoked FROM redemption.kiosk WHERE kiosk_id = ${scan.kioskId}),
         p AS (SELECT pass_id, order_id, funder_id, carnet_number FROM redemption.pass WHERE code = ${code})
    SELECT
      (SELECT json_build_object('placeId', place_id, 'revoked', revoked) FROM k) AS kiosk,
      (SELECT count(*)::int FROM redemption.scan
        WHERE kiosk_id = ${scan.kioskId} AND received_at > ${new Date(now.getTime() - UNKNOWN_WINDOW_MS)} AND reason IN ('unknown_pass', 'misread')) AS unknown,
      (SELECT json_build_object('passId', pass_id, 'orderId', order_id, 'funderId', funder_id, 'carnetNumber', carnet_number) FROM p) AS pass,
      EXISTS (SELECT 1 FROM redemption.pass_block b JOIN p USING (pass_id)) AS blocked,
      EXISTS (SELECT 1 FROM redemption.carnet_release r JOIN p USING (order_id, carnet_number)) AS released,
      (SELECT json_build_object('at', r.scanned_at, 'placeName', pl.name)
         FROM redemption.redemption r JOIN p USING (pass_id) LEFT JOIN redemption.place pl ON pl.place_id = r.place_id
        WHERE r.cancelled_at IS NULL) AS redeemed,
      (SELECT o.rules FROM redemption.order_rules o JOIN p USING (order_id)) AS rules,
      (SELECT json_build_object('name', pl.name, 'type', pl.type, 'communeCode', pl.commune_code, 'qualified', pl.qualified, 'kitActive', pl.kit_active)
         FROM redemption.place pl JOIN k USING (place_id)) AS place,
      (SELECT json_build_object('placeId', place_id, 'categoryCode', category_code, 'withdrawn', withdrawn) FROM redemption.offer WHERE offer_id = ${scan.offerId}) AS offer,
      -- From the session's act (unique index) to its redemptions of this carnet (partial unique index):
      -- scalar values rather than a join, so the plan never scans every redemption.
      EXISTS (SELECT 1 FROM redemption.service_act a JOIN redemption.redemption r ON r.service_act_id = a.id
               WHERE a.session_id = ${scan.sessionId} AND r.cancelled_at IS NULL
                 AND r.order_id = (SELECT order_id FROM p) AND r.carnet_number = (SELECT carnet_number FROM p)) AS "carnetInAct"`,
  );
  const f = row!;
  const rules = f.rules;
  const facts: ScanFacts = {
    scannedOn: businessDate(new Date(scan.scannedAt)),
    kiosk: f.kiosk ?? undefined,
    recentUnknownScans: f.unknown,
    reading,
    pass: f.pass ? { status: f.blocked ? 'blocked' : f.released ? 'released' : 'issued', redeemed: f.redeemed ? { at: new Date(f.redeemed.at).toISOString(), placeName: f.redeemed.placeName ?? 'une autre structure' } : undefined } : undefined,
    order: rules
      ? {
          validFrom: rules.validFrom,
          lastDay: lastRedemptionDay(rules.validUntil),
          communes: rules.resolvedCommunes.length ? new Set(rules.resolvedCommunes) : null,
          placeTypes: rules.placeTypes.length ? new Set(rules.placeTypes) : null,
          serviceCategories: rules.serviceCategories.length ? new Set(rules.serviceCategories) : null,
        }
      : undefined,
    place: f.place?.name && f.place.type && f.place.communeCode ? { qualified: f.place.qualified, kitActive: f.place.kitActive, type: f.place.type, communeCode: f.place.communeCode } : undefined,
    offer: f.offer?.placeId && f.offer.categoryCode ? { placeId: f.offer.placeId, categoryCode: f.offer.categoryCode, withdrawn: f.offer.withdrawn } : undefined,
    carnetAlreadyInAct: f.carnetInAct,
  };
  return { facts, pass: f.pass ?? undefined };
}
