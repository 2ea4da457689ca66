import type { Logger } from 'pino';

/** A service's periodic jobs: never two runs of one job at once; stop waits for runs under way. */
export class Timers {
  private readonly log: Logger;
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(log: Logger) {
    this.log = log;
  }

  every(name: string, everyMs: number, run: () => Promise<void>): void {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const job = run()
        .catch((err) => this.log.error({ err, job: name }, 'periodic job failed'))
        .finally(() => {
          busy = false;
          this.running.delete(job);
        });
      this.running.add(job);
    };
    this.intervals.push(setInterval(tick, everyMs).unref());
  }

  async stop(): Promise<void> {
    for (const interval of this.intervals) clearInterval(interval);
    await Promise.all(this.running);
  }
}
