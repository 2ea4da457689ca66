import type { EventEnvelope, EventType } from '@aptic/contracts';
import type { Tx } from '../db/connect.ts';
import type { ConsumerDefinition } from './consumer.ts';

type Handler<T extends EventType> = (tx: Tx, event: EventEnvelope<T>) => Promise<void>;

/** A consumer applying its events one by one, in the order received, each with its type's handler. */
export function oneByOne<T extends EventType>(name: string, handlers: { [K in T]: Handler<K> }): ConsumerDefinition<T> {
  return {
    name,
    events: Object.keys(handlers) as T[],
    async apply(tx, events) {
      for (const event of events) await (handlers[event.type] as Handler<T>)(tx, event);
    },
  };
}
