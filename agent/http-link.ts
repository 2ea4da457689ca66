/**
 * The link of a kiosk with no NATS: the embedded mode's terminal kiosk (the demo). Scans are sent
 * from the journal, in order, to redemption's admin HTTP, and the verdict comes back in the answer;
 * a scan leaves the journal only once judged. Same guarantees as the NATS link for the mediator.
 */
import type { Logger } from 'pino';
import { validate, Verdict, type ScanMessage } from '@aptic/contracts';
import type { Journal } from './journal.ts';
import { FIRST_CONTACT_MS, type LinkEvents, type ScanLink } from './link.ts';

const RETRY_MAX_MS = 30_000;

export class HttpLink implements ScanLink {
  readonly #o: { platformUrl: string; token: string; kioskId: string; journal: Journal; log: Logger };
  #events: LinkEvents | undefined;
  #online = false;
  #stopped = false;
  #wake: () => void = () => {};
  #loop: Promise<void> | undefined;

  constructor(options: { platformUrl: string; token: string; kioskId: string; journal: Journal; log: Logger }) {
    this.#o = options;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Asks the platform whether it is up before the first scan: a scan is kept offline only when it is not. */
  async start(events: LinkEvents): Promise<void> {
    this.#events = events;
    try {
      const response = await fetch(`${this.#o.platformUrl}/ready`, { signal: AbortSignal.timeout(FIRST_CONTACT_MS) });
      this.#setOnline(response.ok, `platform answered ${response.status} to /ready`);
    } catch (err) {
      this.#setOnline(false, String(err));
    }
    this.#loop = this.#run();
  }

  wake(): void {
    this.#wake();
  }

  /** The embedded mode has no fleet to watch: no heartbeat is sent. */
  async heartbeat(): Promise<undefined> {
    return undefined;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let retryMs = 500;
    while (!this.#stopped) {
      const [scan] = this.#o.journal.pending(1);
      if (!scan) {
        await this.#idle(5_000);
        continue;
      }
      try {
        const verdict = await this.#send(scan);
        this.#setOnline(true);
        this.#o.journal.markSent(scan);
        this.#events?.sent(scan, false);
        this.#events?.verdict(verdict);
        retryMs = 500;
      } catch (err) {
        this.#setOnline(false, String(err));
        await this.#idle(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  async #send(scan: ScanMessage): Promise<Verdict> {
    const response = await fetch(`${this.#o.platformUrl}/kiosks/${this.#o.kioskId}/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(scan),
    });
    const body: unknown = await response.json();
    const checked = validate(Verdict, body);
    if (!response.ok || !checked.ok) throw new Error(`platform answered ${response.status}: ${JSON.stringify(body)}`);
    return checked.value;
  }

  #setOnline(online: boolean, detail = ''): void {
    if (online === this.#online) return;
    this.#online = online;
    if (online) this.#events?.online();
    else {
      this.#o.log.warn({ detail }, 'platform unreachable: scans are journaled and sent when it answers');
      this.#events?.offline(detail);
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => (clearTimeout(timer), resolve());
    });
  }
}
