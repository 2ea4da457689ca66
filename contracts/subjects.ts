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
      allCancels: `${prefix}.kiosk.*.cancels`,
      /** A kiosk's requests to take back one of its accepted scans; same stream as the scans. */
      cancels: (kioskId: string) => `${prefix}.kiosk.${kioskId}.cancels`,
      /** Verdicts are published live on this subject and kept by the verdicts stream. */
      verdictStream: `${upper}_VERDICTS`,
      allVerdicts: `${prefix}.kiosk.*.verdicts`,
      verdicts: (kioskId: string) => `${prefix}.kiosk.${kioskId}.verdicts`,
      /** The kiosk's own durable consumer on the verdicts stream, created when the kiosk is registered. */
      verdictConsumer: (kioskId: string) => `kiosk_${kioskId.replaceAll('-', '')}`,
      /** The kiosk's own reply-subject prefix (JetStream acks, requests): nobody else can read it. */
      inboxPrefix: (kioskId: string) => `_INBOX_${kioskId.replaceAll('-', '')}`,
    },
  };
}
export type NatsNames = ReturnType<typeof natsNames>;
