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
      /**
       * The NATS server maps a kiosk's scans and undo, by its id, to one of SCAN_PARTITIONS
       * partitions (subject mapping with a deterministic partition: `scanPartitionMappings`, in
       * deploy/nats); redemption instances share the partitions, each consumed by one at a time.
       * Without the mapping, messages stay on the kiosk's own subjects: one more partition.
       */
      partitioned: `${prefix}.kiosk.p.*.*.*`,
      partition: (partition: number) => `${prefix}.kiosk.p.${partition}.*.*`,
      /** A kiosk's messages in whichever partition the mapping chose (kiosk permissions). */
      partitionOf: (kioskId: string, kind: 'scans' | 'cancels') => `${prefix}.kiosk.p.*.${kioskId}.${kind}`,
      unpartitioned: `${prefix}.kiosk.*.*`,
      /** Verdicts are published live on this subject and kept by the verdicts stream. */
      verdictStream: `${upper}_VERDICTS`,
      allVerdicts: `${prefix}.kiosk.*.verdicts`,
      verdicts: (kioskId: string) => `${prefix}.kiosk.${kioskId}.verdicts`,
      /**
       * A kiosk's heartbeat (every 30 s: its state, journal depth, scanner), a request answered with
       * the server's time. Core NATS, in no stream: only the newest one means anything.
       */
      heartbeat: (kioskId: string) => `${prefix}.kiosk.${kioskId}.heartbeat`,
      allHeartbeats: `${prefix}.kiosk.*.heartbeat`,
      /** The kiosk's own durable consumer on the verdicts stream, created when the kiosk is registered. */
      verdictConsumer: (kioskId: string) => `kiosk_${kioskId.replaceAll('-', '')}`,
      /** The kiosk's own reply-subject prefix (JetStream acks, requests): nobody else can read it. */
      inboxPrefix: (kioskId: string) => `_INBOX_${kioskId.replaceAll('-', '')}`,
    },
  };
}
export type NatsNames = ReturnType<typeof natsNames>;

/** How many partitions kiosk scans are spread over: the most redemption instances that share them. */
export const SCAN_PARTITIONS = 16;

/**
 * The NATS subject mappings that spread kiosks over the scan partitions (server configuration, or
 * the account JWT in operator mode): a kiosk's scans and its undo land in the same partition, so
 * they keep their order.
 */
export function scanPartitionMappings(prefix = 'aptic'): Record<string, string> {
  const to = (kind: string) => `${prefix}.kiosk.p.{{partition(${SCAN_PARTITIONS},1)}}.{{wildcard(1)}}.${kind}`;
  return { [`${prefix}.kiosk.*.scans`]: to('scans'), [`${prefix}.kiosk.*.cancels`]: to('cancels') };
}
