import { frenchDateTime } from '@aptic/contracts';

/**
 * When a scan is judged to have happened. A kiosk's clock is not trusted: a scan sent online is
 * judged at its arrival; the time of a scan made offline is accepted only within bounds (not after
 * its arrival, not before the kiosk's last verdict received before it was made, not older than the
 * offline limit), else the scan is refused for a skewed clock. A drift of a couple of minutes
 * between the kiosk's clock and the platform's is tolerated.
 *
 * A scan journaled online but sent late (the link stalled before the kiosk noticed) stays judged
 * at its arrival: nothing tells its delay from a kiosk clock set back, and the kiosk sees a stall
 * within seconds, so only the scans of those seconds are judged later than they were made. Its
 * late arrival no longer bounds the offline scans made meanwhile: they name the last verdict the
 * kiosk had received.
 */
const CLOCK_TOLERANCE_MS = 2 * 60_000;
const DAY_MS = 86_400_000;

export interface ScanClock {
  scannedAt: string;
  offline: boolean;
  /** When the platform received it (its stream's timestamp). */
  arrivedAt: Date;
  /** The scan whose verdict the kiosk received last before this one (null: none); undefined from an older agent. */
  lastVerdictScanId: string | null | undefined;
  /** When that scan reached the platform, if it is one of this kiosk's. */
  lastVerdictArrivedAt: Date | undefined;
  /** The arrival of the kiosk's latest online scan received before this one, if any. */
  lastOnlineAt: Date | undefined;
  offlineLimitDays: number;
}

/**
 * The kiosk's last verdict before an offline scan, in the platform's time: the arrival of the scan
 * it names (its verdict was given after that, and the offline scan made later still); none when the
 * kiosk never received one. An older agent names none, and a scan the platform does not know as
 * this kiosk's proves nothing: the kiosk's latest online scan to arrive before this one stands in,
 * though after a stall it may be an online scan stored at reconnection, later than the offline
 * scans made meanwhile.
 */
function lastVerdictAt(c: ScanClock): Date | undefined {
  if (c.lastVerdictScanId === null) return undefined;
  return c.lastVerdictArrivedAt ?? c.lastOnlineAt;
}

export type ScanTime = { at: string } | { skew: string };

export function scanTime(c: ScanClock): ScanTime {
  if (!c.offline) return { at: c.arrivedAt.toISOString() };
  const scanned = new Date(c.scannedAt);
  const when = frenchDateTime(scanned);
  if (scanned.getTime() > c.arrivedAt.getTime() + CLOCK_TOLERANCE_MS) {
    return {
      skew: `Heure de la borne en avance (scan daté du ${when}) : corrigez l’horloge de la borne, puis scannez de nouveau.`,
    };
  }
  const lastVerdict = lastVerdictAt(c);
  if (lastVerdict && scanned.getTime() < lastVerdict.getTime() - CLOCK_TOLERANCE_MS) {
    return {
      skew: `Heure de la borne incohérente (scan daté du ${when}, avant sa dernière réponse en ligne) : vérifiez l’horloge de la borne.`,
    };
  }
  if (scanned.getTime() < c.arrivedAt.getTime() - c.offlineLimitDays * DAY_MS) {
    return {
      skew: `Scan hors ligne trop ancien (daté du ${when}, plus de ${c.offlineLimitDays} jours) : il ne peut plus être encaissé.`,
    };
  }
  return { at: scanned.toISOString() };
}
