import type { ScannerMode } from '@aptic/contracts';

/** Which scanner a source reads, and how (for the heartbeat and `--check`). */
export interface ScannerInfo {
  model: string | null;
  mode: ScannerMode;
}

/**
 * Where barcodes come from. A source emits complete barcodes (the text between two Enter/Tab, or
 * one HID POS read) and its own state changes, and never needs the agent restarted.
 */
export interface ScannerEvents {
  barcode(code: string): void;
  /**
   * State changes: `detail` for the logs ("no scanner found", "no permission" …), `screen` for
   * the mediator, in French and without technical detail.
   */
  status(state: 'connected' | 'disconnected' | 'error', detail: string, screen: string, scanner?: ScannerInfo): void;
}

export interface ScannerSource {
  start(events: ScannerEvents): Promise<void>;
  stop(): Promise<void>;
}
