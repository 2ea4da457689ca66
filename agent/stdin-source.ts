/**
 * Barcodes typed on standard input, one per line: a keyboard-wedge scanner in a terminal, or a
 * parent process feeding the agent (embedded mode, integration tests).
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ScannerEvents, ScannerSource } from './source.ts';

export class StdinSource implements ScannerSource {
  #input: Readable;
  #lines: Interface | undefined;

  constructor(input: Readable = process.stdin) {
    this.#input = input;
  }

  async start(events: ScannerEvents): Promise<void> {
    this.#lines = createInterface({ input: this.#input, crlfDelay: Infinity, terminal: false });
    this.#lines.on('line', (line) => {
      // A wedge scanner may end codes with Tab instead of Enter: both separate codes.
      for (const code of line.split('\t')) if (code.trim()) events.barcode(code);
    });
    // The agent keeps delivering its journal and collecting verdicts after the input ends.
    this.#lines.on('close', () =>
      events.status(
        'disconnected',
        'standard input closed: no more scans from it',
        'saisie terminée : plus aucun code n’est lu',
      ),
    );
    events.status('connected', 'reading barcodes from standard input', 'tapez (ou scannez) un code puis Entrée', {
      model: null,
      mode: 'stdin',
    });
  }

  async stop(): Promise<void> {
    this.#lines?.close();
  }
}
