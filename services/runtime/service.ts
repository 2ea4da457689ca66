import type { ServiceBroker, ServiceSchema } from 'moleculer';
import type { SQL } from 'drizzle-orm';
import type { NatsConnection } from 'nats';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ServiceName } from '@aptic/contracts';
import type { PlatformConfig } from './config.ts';
import type { Db, Tx } from './db/connect.ts';
import type { ConsumerDefinition } from './events/consumer.ts';
import type { Emit } from './events/outbox.ts';
import type { EventTables } from './events/tables.ts';
import type { AdminApp } from './http/server.ts';
import type { PdfRenderer } from './pdf/renderer.ts';

/** What a running service is handed: its database, its broker, and the one way to change state. */
export interface ServiceContext {
  name: ServiceName;
  config: PlatformConfig;
  db: Db;
  log: Logger;
  broker: ServiceBroker;
  /** The NATS connection in distributed mode (kiosk streams); undefined in embedded mode. */
  nats: NatsConnection | undefined;
  metrics: Registry;
  /**
   * Runs a unit of work in one transaction; events emitted through `emit` are written to the
   * outbox in that same transaction and leave for the bus once it commits.
   */
  transaction<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T>;
  /**
   * A unit of work whose writes are one statement, atomic on its own: no BEGIN and COMMIT round
   * trips, for a hot path. `outbox()` is the insert of the events emitted so far, to put in that
   * statement's WITH; an event emitted and never taken is a bug, reported as an error.
   */
  statement<T>(work: (db: Db, emit: Emit, outbox: () => SQL) => Promise<T>): Promise<T>;
  /** Periodic work (sweeps): one run at a time, errors logged, stopped with the service. */
  every(name: string, everyMs: number, run: () => Promise<void>): void;
  /** Releases something the service opened when it stops. */
  onStop(release: () => Promise<void>): void;
  /** The service's one headless Chromium (system binary), started at first use, closed on stop. */
  pdf(): Promise<PdfRenderer>;
}

/** A service, as each `services/<name>/index.ts` exports it. */
export interface ServiceDefinition {
  name: ServiceName;
  /** Folder of drizzle-kit SQL migrations for the service's own schema. */
  migrations: string;
  tables: EventTables;
  /** The Moleculer schema (actions only; durable events go through the outbox). */
  moleculer?(ctx: ServiceContext): Omit<ServiceSchema, 'name'>;
  routes?(app: AdminApp, ctx: ServiceContext): void;
  // biome-ignore lint/suspicious/noExplicitAny: each consumer has its own event type; the list mixes them
  consumers?(ctx: ServiceContext): ConsumerDefinition<any>[];
  /** Anything else to set up before the service takes requests (timers, resources). */
  start?(ctx: ServiceContext): Promise<void>;
}
