import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ServiceBroker } from 'moleculer';
import { natsNames } from '@aptic/contracts';
import type { PlatformConfig } from './config.ts';
import { natsAuth } from './events/jetstream.ts';

/**
 * One Moleculer broker per process: in-process calls in embedded mode, the NATS transporter
 * (`nats` v2 client) in distributed mode. It carries actions only: its events are fire-and-forget.
 */
export function createBroker(config: PlatformConfig, node: string): ServiceBroker {
  return new ServiceBroker({
    // Unique even for two instances in one process (tests) or a restart that reuses the pid (containers).
    nodeID: `${node}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    namespace: natsNames(config.natsPrefix).namespace,
    transporter: config.natsUrl
      ? { type: 'NATS', options: { url: config.natsUrl, ...natsAuth(config.natsCredsFile) } }
      : null,
    logger: { type: 'Pino', options: { level: config.logLevel } },
    requestTimeout: 10_000,
    // Actions validate their params against the contracts themselves (see actions.ts).
    validator: false,
  });
}
