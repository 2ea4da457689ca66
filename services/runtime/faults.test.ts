import { describe, expect, test } from 'vitest';
import { DomainError } from '@aptic/contracts';
import { TransientError, isTransient } from './faults.ts';

const pgError = (code: string) => Object.assign(new Error('pg'), { code });
/** Drizzle wraps the driver's error in its own. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: INSERT …'), { cause });

describe('transient or poison', () => {
  test.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['the database starting up', pgError('57P03')],
    ['the database shutting down', pgError('57P01')],
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['too many connections', pgError('53300')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    ['NATS unavailable', Object.assign(new Error('CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' })],
    ['a bus that did not answer', new TransientError('JetStream did not ack within 10000 ms')],
    [
      'every address refused',
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
    ],
  ])('%s is transient, wrapped or not', (_name, err) => {
    expect(isTransient(err)).toBe(true);
    expect(isTransient(wrapped(err))).toBe(true);
  });

  test.each([
    ['a unique violation', pgError('23505')],
    ['a check violation', pgError('23514')],
    ['a syntax error', pgError('42601')],
    ['a domain refusal', new DomainError('unknown_order', 'Commande inconnue.')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'boom'],
  ])('%s is poison', (_name, err) => {
    expect(isTransient(err)).toBe(false);
    expect(isTransient(wrapped(err))).toBe(false);
  });
});
