import type { Decision, ScanFacts } from './verdict.ts';

/** What a scan of the batch is about, as far as other scans of the same batch are concerned. */
export interface BatchScan {
  kioskId: string;
  sessionId: string;
  scannedAt: string;
  pass: { passId: string; orderId: string; carnetNumber: number } | undefined;
  placeName: string | undefined;
}

/**
 * Scans are judged in batches, all facts read at once before any is written: what the earlier
 * scans of the batch decided is not in the database yet. The tally keeps it, in scan order, so a
 * batch decides exactly what the same scans judged one by one would: a pass twice in one batch
 * is accepted once, one pass per carnet per service act, a kiosk's unknown codes add up.
 */
export class BatchTally {
  private readonly redeemed = new Map<string, { at: string; placeName: string }>();
  private readonly carnetsInActs = new Set<string>();
  private readonly unknownByKiosk = new Map<string, number>();

  /** The database's facts, completed with the batch's earlier decisions. */
  facts(scan: BatchScan, stored: ScanFacts): ScanFacts {
    const redeemedHere = scan.pass && this.redeemed.get(scan.pass.passId);
    return {
      ...stored,
      recentUnknownScans: stored.recentUnknownScans + (this.unknownByKiosk.get(scan.kioskId) ?? 0),
      pass:
        stored.pass && redeemedHere && !stored.pass.redeemed ? { ...stored.pass, redeemed: redeemedHere } : stored.pass,
      carnetAlreadyInAct:
        stored.carnetAlreadyInAct || (scan.pass !== undefined && this.carnetsInActs.has(actCarnet(scan))),
    };
  }

  record(scan: BatchScan, decision: Decision): void {
    if (decision.outcome === 'accepted' && scan.pass) {
      this.redeemed.set(scan.pass.passId, {
        at: new Date(scan.scannedAt).toISOString(),
        placeName: scan.placeName ?? 'une autre structure',
      });
      this.carnetsInActs.add(actCarnet(scan));
    } else if (decision.outcome === 'denied' && (decision.reason === 'unknown_pass' || decision.reason === 'misread')) {
      this.unknownByKiosk.set(scan.kioskId, (this.unknownByKiosk.get(scan.kioskId) ?? 0) + 1);
    }
  }
}

const actCarnet = (scan: BatchScan) => `${scan.sessionId}/${scan.pass!.orderId}/${scan.pass!.carnetNumber}`;
