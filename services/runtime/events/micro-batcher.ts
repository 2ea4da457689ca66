/**
 * Hands items to a worker in batches: one at a time when traffic is light (low latency),
 * up to `max` at once when items pile up while the worker is busy (throughput).
 * The worker never runs twice at once, so a consumer's batches apply in order.
 */
export class MicroBatcher<T> {
  private readonly buffer: T[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly max: number;
  private readonly work: (batch: T[]) => Promise<void>;

  constructor(max: number, work: (batch: T[]) => Promise<void>) {
    this.max = max;
    this.work = work;
  }

  push(item: T): void {
    this.buffer.push(item);
    if (!this.running && !this.stopped) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.buffer.length > 0) {
      await this.work(this.buffer.splice(0, this.max));
    }
    this.running = undefined;
  }

  /** Waits for the batch under way and returns what was never handed to the worker. */
  async stop(): Promise<T[]> {
    this.stopped = true;
    await this.running;
    return this.buffer.splice(0);
  }
}
