export { StartRefused } from './refused.ts';
export { readConfig, portVariable, DefaultPorts, type PlatformConfig, type EventsConfig } from './config.ts';
export {
  connectPostgres,
  openPglite,
  preparedRows,
  queryRows,
  violatesUniqueness,
  sqlState,
  type Database,
  type Db,
  type Tx,
  type Queryable,
} from './db/connect.ts';
export { preparedDatabase } from './db/prepared-database.ts';
export { eventTables, type EventTables } from './events/tables.ts';
export type { EventBus, Delivery, DeadLetter, OutgoingEvent } from './events/bus.ts';
export { InProgress, JetStreamBus, busConnectionOptions } from './events/jetstream.ts';
export { LocalBus } from './events/local.ts';
export { DurableConsumer, type ConsumerDefinition } from './events/consumer.ts';
export { oneByOne } from './events/one-by-one.ts';
export { OutboxRelay, outboxWriter, type Emit, type OutboxWriter } from './events/outbox.ts';
export { MicroBatcher } from './events/micro-batcher.ts';
export { BatchPublisher, type Publication } from './events/publisher.ts';
export { TokenStore, type Principal } from './auth/tokens.ts';
export type { AdminApp } from './http/server.ts';
export { ask, contractAction } from './actions.ts';
export { startPlatform, selectServices, type Progress, type RunningPlatform } from './platform.ts';
export type { RunningService } from './start-service.ts';
export type { ServiceContext, ServiceDefinition } from './service.ts';
export { businessDate, addDays } from './time.ts';
export { actorOf, assertScope, callerScope, type RecordScope } from './http/access.ts';
export { PdfRenderer } from './pdf/renderer.ts';
export { auditTable, auditTrail, auditWriter, type AuditEntry, type AuditTable } from './audit.ts';
export { arrayParam } from './db/arrays.ts';
export { newerFact, placeFact, setIfNewer, upsertNewer, type Fact, type FactGroup } from './db/facts.ts';
export { isTransient, TransientError } from './faults.ts';
export { parseCsv, toCsv, type CsvResult } from './csv.ts';
export { PageQuery, pageOf, type Page } from './http/pagination.ts';
export { passCodeKey, passLookupKey } from './secrets.ts';
export { actionRoute, listRoute, ownerRoute, type Caller, type ListQuery } from './http/routes.ts';
export { cents, day, factColumns, stamp } from './db/columns.ts';
export { pick } from './pick.ts';
export { sendDocument } from './http/documents.ts';
