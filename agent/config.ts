/**
 * The agent's configuration: a JSON file (--config or AGENT_CONFIG), overridden by AGENT_*
 * variables. Read once at start; a bad value stops the start with a message naming it.
 */
import { readFileSync } from 'node:fs';
import { parseSelector, type DeviceSelector } from './hid/device.ts';
import type { LayoutName } from './hid/layouts.ts';

export interface AgentConfig {
  kioskId: string;
  /** Path to the kiosk's `.creds` file (issued by qualification); unused with `platformUrl`. */
  creds: string;
  /**
   * Embedded mode (no NATS): redemption's admin URL and a staff token; scans go over HTTP.
   * Unset in production, where the kiosk talks NATS with its own credential.
   */
  platformUrl: string | undefined;
  token: string | undefined;
  natsUrl: string;
  natsPrefix: string;
  journal: string;
  journalMaxScans: number;
  sessionTimeoutMs: number;
  source: 'hid' | 'stdin';
  device: DeviceSelector;
  layout: LayoutName;
  logLevel: string;
  /** Where the JSON logs go: unset, standard error (the journal under systemd); a file for a kiosk in a terminal. */
  logFile: string | undefined;
  /** The place's services by offer id (`{ "<offer id>": "Aide aux démarches" }`), to name the chosen one on screen. */
  offers: Record<string, string>;
  /** Test hook only (AGENT_TEST_CRASH_AT): SIGKILL itself at a chosen point, to prove durability. */
  crashAt?: 'journaled' | 'published' | undefined;
}

/** Setting → environment variable (also the key in the config file, camelCase). */
const VARIABLES = {
  kioskId: 'AGENT_KIOSK_ID',
  creds: 'AGENT_CREDS',
  platformUrl: 'AGENT_PLATFORM_URL',
  token: 'AGENT_TOKEN',
  natsUrl: 'AGENT_NATS_URL',
  natsPrefix: 'AGENT_NATS_PREFIX',
  journal: 'AGENT_JOURNAL',
  journalMaxScans: 'AGENT_JOURNAL_MAX_SCANS',
  sessionTimeoutMs: 'AGENT_SESSION_TIMEOUT_MS',
  source: 'AGENT_SOURCE',
  device: 'AGENT_DEVICE',
  layout: 'AGENT_LAYOUT',
  logLevel: 'AGENT_LOG_LEVEL',
  logFile: 'AGENT_LOG_FILE',
  offers: 'AGENT_OFFERS',
  crashAt: 'AGENT_TEST_CRASH_AT',
} as const;
type Key = keyof typeof VARIABLES;

export class ConfigError extends Error {
  constructor(key: Key, problem: string) {
    super(`${VARIABLES[key]} (config key "${key}"): ${problem}`);
    this.name = 'ConfigError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadConfig(env: NodeJS.ProcessEnv, file?: string): AgentConfig {
  const path = file ?? env.AGENT_CONFIG;
  const fromFile = path ? readConfigFile(path) : {};
  const raw = (key: Key): string | undefined => {
    const value = fromFile[key];
    return (
      env[VARIABLES[key]] ??
      (value === undefined ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value))
    );
  };
  const required = (key: Key): string => raw(key) ?? fail(key, 'required');
  const kioskId = required('kioskId');
  if (!UUID.test(kioskId)) fail('kioskId', `"${kioskId}" is not a UUID`);
  const device = raw('device') ?? 'auto';
  const selector =
    parseSelector(device) ??
    fail('device', `"${device}" is neither auto, vid:pid (e.g. 0c2e:0b61) nor usage:<page> (e.g. usage:8c)`);
  const platformUrl = raw('platformUrl');
  return {
    kioskId: kioskId.toLowerCase(),
    creds: platformUrl ? (raw('creds') ?? '') : required('creds'),
    platformUrl,
    token: platformUrl ? required('token') : undefined,
    natsUrl: raw('natsUrl') ?? 'nats://127.0.0.1:4222',
    natsPrefix: raw('natsPrefix') ?? 'aptic',
    journal: raw('journal') ?? '/var/lib/aptic-agent/journal.sqlite',
    journalMaxScans: integer('journalMaxScans', raw('journalMaxScans') ?? '10000'),
    sessionTimeoutMs: integer('sessionTimeoutMs', raw('sessionTimeoutMs') ?? '300000'),
    source: oneOf('source', raw('source') ?? 'hid', ['hid', 'stdin'] as const),
    device: selector,
    layout: oneOf('layout', raw('layout') ?? 'us', ['us', 'fr'] as const),
    logLevel: oneOf('logLevel', raw('logLevel') ?? 'info', [
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
    ] as const),
    logFile: raw('logFile'),
    offers: offerNames(raw('offers')),
    crashAt:
      raw('crashAt') === undefined ? undefined : oneOf('crashAt', raw('crashAt')!, ['journaled', 'published'] as const),
  };
}

function readConfigFile(path: string): Partial<Record<Key, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`config file ${path}: not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`config file ${path}: expected a JSON object`);
  const unknown = Object.keys(parsed).filter((k) => !(k in VARIABLES));
  if (unknown.length)
    throw new Error(
      `config file ${path}: unknown keys ${unknown.join(', ')} (known: ${Object.keys(VARIABLES).join(', ')})`,
    );
  return parsed as Partial<Record<Key, unknown>>;
}

function offerNames(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const valid = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  const entries = valid ? Object.entries(parsed as object) : [];
  if (!valid || entries.some(([id, name]) => !UUID.test(id) || typeof name !== 'string')) {
    fail('offers', 'expected a JSON object of offer id → service name');
  }
  return Object.fromEntries(entries.map(([id, name]) => [id.toLowerCase(), name as string]));
}

function integer(key: Key, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0)
    fail(key, `"${value}" is not a positive integer`);
  return n;
}

function oneOf<T extends string>(key: Key, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) fail(key, `"${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function fail(key: Key, problem: string): never {
  throw new ConfigError(key, problem);
}
