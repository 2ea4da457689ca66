import { readConfig, startPlatform, type RunningPlatform, type ServiceDefinition } from '@aptic/runtime';
import type { Isolated } from './infra.ts';

export const ADMIN_TOKEN = 'test-admin-token-not-a-secret-0123456789';
export const TEST_PASS_CODE_KEY = 'test-pass-code-key-not-a-secret-0123456789';
export const TEST_PASS_LOOKUP_KEY = 'test-pass-lookup-key-not-a-secret-0123456789';

/** Fast retry settings so that failure paths run in seconds. */
export const testEventSettings = {
  APTIC_EVENTS_MAX_DELIVER: '3',
  APTIC_EVENTS_BACKOFF_MS: '50',
  APTIC_EVENTS_ACK_WAIT_MS: '2000',
};

export function testEnv(infra: Isolated, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    APTIC_NATS_PREFIX: infra.prefix,
    APTIC_ADMIN_TOKEN: ADMIN_TOKEN,
    APTIC_PASS_CODE_KEY: TEST_PASS_CODE_KEY,
    APTIC_PASS_LOOKUP_KEY: TEST_PASS_LOOKUP_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Free ports, so parallel files never collide.
    ...Object.fromEntries(
      ['QUALIFICATION', 'CATALOGUE', 'ORDERING', 'PRINTING', 'REDEMPTION', 'SETTLEMENT', 'ANALYTICS'].map((s) => [
        `${s}_PORT`,
        '0',
      ]),
    ),
    ...testEventSettings,
    ...extra,
  };
}

/** Starts services in distributed mode, each group on its own broker node, against the isolated infrastructure. */
export function startDistributed(
  infra: Isolated,
  definitions: ServiceDefinition[],
  extra?: Record<string, string>,
): Promise<RunningPlatform> {
  return startPlatform(definitions, readConfig(testEnv(infra, extra)));
}

/** Admin HTTP call with the test admin token (or another). */
export async function call(url: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? ADMIN_TOKEN}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls until the check passes or the time is up (for effects that travel through the bus). */
export async function eventually<T>(
  check: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await check();
  while (!accept(value)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await check();
  }
  return value;
}
