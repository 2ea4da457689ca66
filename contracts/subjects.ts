import type { EventType } from './events.ts';

/**
 * The one place that names NATS subjects and JetStream streams.
 * A prefix isolates deployments (and test files) sharing one NATS server.
 */
export function natsNames(prefix = 'aptic') {
  const upper = prefix.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return {
    prefix,
    /** Moleculer namespace, so brokers of two deployments never see each other. */
    namespace: prefix,
    events: {
      stream: `${upper}_EVENTS`,
      all: `${prefix}.events.>`,
      subject: (type: EventType | string) => `${prefix}.events.${type}`,
    },
    deadLetters: {
      stream: `${upper}_DLQ`,
      all: `${prefix}.dlq.>`,
      subject: (consumer: string) => `${prefix}.dlq.${consumer}`,
    },
    kiosk: {
      stream: `${upper}_SCANS`,
      allScans: `${prefix}.kiosk.*.scans`,
      scans: (kioskId: string) => `${prefix}.kiosk.${kioskId}.scans`,
      verdicts: (kioskId: string) => `${prefix}.kiosk.${kioskId}.verdicts`,
    },
  };
}
export type NatsNames = ReturnType<typeof natsNames>;
