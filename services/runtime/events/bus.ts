/** An outbox row on its way out: the envelope as stored JSON text, relayed without re-encoding. */
export interface OutgoingEvent {
  id: string;
  type: string;
  json: string;
}

/** One message as a consumer receives it, with what it needs to settle it. */
export interface Delivery {
  /** The raw body, validated by the consumer (an invalid body is dead-lettered, not retried). */
  body: unknown;
  subject: string;
  /** 1 on first delivery. */
  deliveries: number;
  ack(): Promise<void> | void;
  /** Ask for a redelivery after a delay. */
  retry(delayMs: number): void;
  /** Give up on it: it has been parked as a dead letter. */
  discard(): void;
}

export interface DeadLetter {
  id: string;
  consumer: string;
  subject: string;
  error: string;
  deliveries: number;
  parkedAt: string;
  body: unknown;
}

/** A durable subscription: deliveries arrive in small batches the consumer settles one by one. */
export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Where outbox events go and where consumers read them from:
 * JetStream in distributed mode, a table-backed stream in embedded mode. Same guarantees:
 * at-least-once delivery, dedup of a republished event id, durable consumer positions, dead letters.
 */
export interface EventBus {
  /** Publishes and resolves once the bus has stored every event (JetStream ack). */
  publish(events: OutgoingEvent[]): Promise<void>;
  subscribe(
    consumer: string,
    types: readonly string[],
    onBatch: (batch: Delivery[]) => Promise<void>,
  ): Promise<Subscription>;
  park(letter: Omit<DeadLetter, 'id' | 'parkedAt'>): Promise<void>;
  deadLetters(consumers: readonly string[]): Promise<DeadLetter[]>;
  removeDeadLetter(id: string): Promise<boolean>;
  /** Why the bus cannot work now (for readiness), or undefined. */
  problem(): string | undefined;
  close(): Promise<void>;
}
