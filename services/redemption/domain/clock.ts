import { frenchDateTime } from '@aptic/contracts';

/**
 * When a scan is judged to have happened. A kiosk's clock is not trusted: a scan sent online is
 * judged at its arrival; the time of a scan made offline is accepted only within bounds (not after
 * its arrival, not before the kiosk's last verdict given before it arrived, not older than the
 * offline limit), else the scan is refused for a skewed clock. A drift of a couple of minutes
 * between the kiosk's clock and the platform's is tolerated.
 */
const CLOCK_TOLERANCE_MS = 2 * 60_000;
const DAY_MS = 86_400_000;

export interface ScanClock {
  scannedAt: string;
  offline: boolean;
  /** When the platform received it (its stream's timestamp). */
  arrivedAt: Date;
  /** The arrival of the kiosk's latest online scan received before this one, if any. */
  lastOnlineAt: Date | undefined;
  offlineLimitDays: number;
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
  if (c.lastOnlineAt && scanned.getTime() < c.lastOnlineAt.getTime() - CLOCK_TOLERANCE_MS) {
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
