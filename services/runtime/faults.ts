/**
 * Transient failures: the database or the bus out of reach for a while (refused or reset
 * connections, a server starting or shutting down, a pool that cannot connect, timeouts) or a
 * conflict PostgreSQL asks to retry (serialization failure, deadlock). Anything else — a contract
 * violation, a domain refusal, a bug — is a fault of the message or of the code, and happens again
 * however long one waits.
 */

/** SQLSTATEs that say "try again": connection exceptions (08), insufficient resources (53),
 * operator intervention (57P01-57P03 shutdown and start-up, 57014 statement timeout),
 * serialization failure, deadlock, lock not available. */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[1-3]|57014|40001|40P01|55P03)$/;
/** Socket errors of Node. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** NATS client error codes: the connection is down or a request got no answer in time. */
const TRANSIENT_NATS = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'DISCONNECT',
  'TIMEOUT',
  '503',
]);
/** node-postgres reports a lost or impossible connection with these messages and no code. */
const TRANSIENT_MESSAGE =
  /connection terminated|connection ended unexpectedly|timeout exceeded when trying to connect|connection error and is not queryable|connection timeout/i;

/** Whether an error is worth retrying for as long as it takes (it or any error it wraps). */
export function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, errors } = e as { code?: unknown; message?: unknown; errors?: unknown };
    if (
      typeof code === 'string' &&
      (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_ERRNO.has(code) || TRANSIENT_NATS.has(code))
    )
      return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
    // A connection to a host with several addresses fails with one error per address.
    if (Array.isArray(errors) && errors.some(isTransient)) return true;
  }
  return false;
}

/** A failure of ours that says "try again later" (the bus did not answer in time). */
export class TransientError extends Error {
  readonly code = 'TIMEOUT';
}
