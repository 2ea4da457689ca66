/**
 * The durable local queue. Every scan is written here, with its own id and scan time, before it is
 * sent; it is removed only once JetStream acknowledged it. SQLite in WAL mode with
 * synchronous=FULL: a committed scan survives kill -9 and power loss. Rows replay in insertion
 * order. Once sent, a scan waits in `awaiting` for its verdict, so a verdict that arrives late
 * (after a reconnection, or a restart) still names the pass it is about, and a verdict seen twice
 * is shown once. The scan whose verdict came last is kept too (`last_verdict`), across restarts:
 * an offline scan names it, and the platform bounds its time by that scan's arrival.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ScanMessage, Verdict } from '@aptic/contracts';

export class JournalFullError extends Error {
  constructor(max: number) {
    super(`journal full: ${max} scans waiting to be sent; new scans are refused until the network returns`);
    this.name = 'JournalFullError';
  }
}

export interface AwaitingScan {
  scanId: string;
  code: string;
  scannedAt: string;
  offline: boolean;
}

/** How many sent scans are remembered for their verdict: enough for weeks of one kiosk. */
const MAX_AWAITING = 50_000;

export class Journal {
  #db: DatabaseSync;
  #max: number;

  constructor(path: string, maxScans: number) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#max = maxScans;
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, scan_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS awaiting (seq INTEGER PRIMARY KEY AUTOINCREMENT, scan_id TEXT NOT NULL UNIQUE, code TEXT NOT NULL, scanned_at TEXT NOT NULL, offline INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS last_verdict (id INTEGER PRIMARY KEY CHECK (id = 1), scan_id TEXT NOT NULL);
    `);
  }

  /** Journals a validated scan (committed before returning). Throws JournalFullError when full. */
  add(scan: ScanMessage): void {
    if (this.pendingCount() >= this.#max) throw new JournalFullError(this.#max);
    this.#db.prepare('INSERT INTO pending (scan_id, body) VALUES (?, ?)').run(scan.scanId, JSON.stringify(scan));
  }

  /** Oldest first. */
  pending(limit = 100): ScanMessage[] {
    const rows = this.#db.prepare('SELECT body FROM pending ORDER BY seq LIMIT ?').all(limit) as Array<{
      body: string;
    }>;
    return rows.map((r) => JSON.parse(r.body) as ScanMessage);
  }

  pendingCount(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM pending').get() as { n: number }).n;
  }

  /** How deep the journal is, for the heartbeat: waiting to be sent, waiting for a verdict, the oldest unsent scan. */
  depth(): { pending: number; awaitingVerdict: number; max: number; oldestPendingAt: string | undefined } {
    const [oldest] = this.pending(1);
    const awaiting = (this.#db.prepare('SELECT count(*) AS n FROM awaiting').get() as { n: number }).n;
    return {
      pending: this.pendingCount(),
      awaitingVerdict: awaiting,
      max: this.#max,
      oldestPendingAt: oldest?.scannedAt,
    };
  }

  isFull(): boolean {
    return this.pendingCount() >= this.#max;
  }

  /** JetStream acknowledged the scan: it now waits for its verdict only. One transaction. */
  markSent(scan: ScanMessage): void {
    this.#transaction(() => {
      this.#db
        .prepare('INSERT OR IGNORE INTO awaiting (scan_id, code, scanned_at, offline) VALUES (?, ?, ?, ?)')
        .run(scan.scanId, scan.code, scan.scannedAt, scan.offline ? 1 : 0);
      this.#db.prepare('DELETE FROM pending WHERE scan_id = ?').run(scan.scanId);
      this.#db.prepare('DELETE FROM awaiting WHERE seq <= (SELECT max(seq) FROM awaiting) - ?').run(MAX_AWAITING);
    });
  }

  /**
   * The scan a verdict is about, removed; undefined when unknown or already settled (a duplicate).
   * The scan becomes the last verdict received, unless the platform refused its message: it keeps
   * no record of such a scan, which could then bound nothing.
   */
  settle(verdict: Verdict): AwaitingScan | undefined {
    const { scanId } = verdict;
    let found: AwaitingScan | undefined;
    this.#transaction(() => {
      const row = this.#db
        .prepare('SELECT scan_id, code, scanned_at, offline FROM awaiting WHERE scan_id = ?')
        .get(scanId) as { scan_id: string; code: string; scanned_at: string; offline: number } | undefined;
      if (!row) return;
      this.#db.prepare('DELETE FROM awaiting WHERE scan_id = ?').run(scanId);
      if (verdict.outcome === 'accepted' || verdict.reason !== 'invalid_message')
        this.#db.prepare('INSERT OR REPLACE INTO last_verdict (id, scan_id) VALUES (1, ?)').run(scanId);
      found = { scanId: row.scan_id, code: row.code, scannedAt: row.scanned_at, offline: row.offline === 1 };
    });
    return found;
  }

  /** The scan whose verdict was received last (an offline scan's lastVerdictScanId); null before any. */
  lastVerdictScanId(): string | null {
    const row = this.#db.prepare('SELECT scan_id FROM last_verdict').get() as { scan_id: string } | undefined;
    return row?.scan_id ?? null;
  }

  close(): void {
    this.#db.close();
  }

  #transaction(body: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      body();
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }
}
