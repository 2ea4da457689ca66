import { isIP } from 'node:net';
import { ServiceNames, type ServiceName } from '@aptic/contracts';
import { StartRefused } from './refused.ts';

/** Default admin ports, one per service; each overridable by `<SERVICE>_PORT`. */
export const DefaultPorts: Record<ServiceName, number> = {
  qualification: 3101,
  catalogue: 3102,
  ordering: 3103,
  printing: 3104,
  redemption: 3105,
  settlement: 3106,
  analytics: 3107,
};

export interface EventsConfig {
  /** Deliveries of one message before it is parked in the dead-letter stream. */
  maxDeliver: number;
  /** How long JetStream waits for an ack before redelivering (a crashed consumer's messages come back after this). */
  ackWaitMs: number;
  /** First retry delay; doubles at each further delivery. */
  backoffMs: number;
}

export interface PlatformConfig {
  mode: 'embedded' | 'distributed';
  databaseUrl: string | undefined;
  natsUrl: string | undefined;
  /** A `.creds` file (JWT + seed) for NATS servers in operator mode. */
  natsCredsFile: string | undefined;
  dataDir: string;
  natsPrefix: string;
  adminToken: string | undefined;
  /** Printing's secret for pass codes (never stored in the database). */
  passCodeKey: string | undefined;
  passLookupKey: string | undefined;
  httpHost: string;
  /**
   * The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges): behind one,
   * every visitor would otherwise share the proxy's address, and its per-address limits with it.
   */
  trustedProxies: string[];
  logLevel: string;
  chromiumPath: string;
  events: EventsConfig;
  /**
   * The longest a kiosk's scans may wait offline, in days: an offline scan older than this when it
   * arrives is refused (redemption), and an order's redemption window closes this many days after
   * its passes' last valid day.
   */
  kioskOfflineDays: number;
  /** The public rating page's address (qualification's `/avis`), printed on every pass's stub. */
  feedbackUrl: string;
  port(service: ServiceName): number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new StartRefused(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** APTIC_ADMIN_TOKEN opens every admin API: a short one could be guessed, so it refuses the start. */
const MIN_ADMIN_TOKEN_LENGTH = 32;
function adminToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new StartRefused(
      `APTIC_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`), got ${raw.length}`,
    );
  }
  return raw;
}

/** APTIC_FEEDBACK_URL, printed on passes: a mistake here would print a dead address on a whole order. */
function feedbackUrl(env: Env, qualificationPort: number): string {
  const raw = env.APTIC_FEEDBACK_URL || `http://localhost:${qualificationPort}/avis`;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(raw) || raw.endsWith('/'))
    throw new StartRefused(`APTIC_FEEDBACK_URL must be an http(s) address without a trailing slash, got "${raw}"`);
  return raw;
}

/**
 * APTIC_TRUST_PROXY: the proxies' addresses or ranges, comma-separated. Not "true": trusting every
 * hop would let any client name its own address in X-Forwarded-For and walk past the rate limits.
 */
function trustedProxies(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined)
      throw new StartRefused(
        `APTIC_TRUST_PROXY must list the reverse proxies' addresses or CIDR ranges, comma-separated (e.g. 10.0.0.5,172.18.0.0/16), got "${entry}"`,
      );
  }
  return entries;
}

/** The variable that sets a service's admin port: `ORDERING_PORT`. */
export function portVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_PORT`;
}

/**
 * Reads the whole configuration from the environment once. Both DATABASE_URL and NATS_URL set
 * means distributed mode; neither means embedded; one without the other is a mistake we refuse.
 */
export function readConfig(env: Env = process.env): PlatformConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  const natsUrl = env.NATS_URL || undefined;
  if (Boolean(databaseUrl) !== Boolean(natsUrl)) {
    throw new StartRefused('Set both DATABASE_URL and NATS_URL (distributed mode) or neither (embedded mode).');
  }
  const ports = new Map(ServiceNames.map((s) => [s, integer(env, portVariable(s), DefaultPorts[s])]));
  return {
    mode: databaseUrl ? 'distributed' : 'embedded',
    databaseUrl,
    natsUrl,
    natsCredsFile: env.NATS_CREDS || undefined,
    dataDir: env.APTIC_DATA_DIR || '.data',
    natsPrefix: env.APTIC_NATS_PREFIX || 'aptic',
    adminToken: adminToken(env.APTIC_ADMIN_TOKEN),
    passCodeKey: env.APTIC_PASS_CODE_KEY || undefined,
    passLookupKey: env.APTIC_PASS_LOOKUP_KEY || undefined,
    httpHost: env.APTIC_HTTP_HOST || '127.0.0.1',
    trustedProxies: trustedProxies(env.APTIC_TRUST_PROXY),
    logLevel: env.LOG_LEVEL || 'info',
    chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    events: {
      maxDeliver: Math.max(1, integer(env, 'APTIC_EVENTS_MAX_DELIVER', 5)),
      ackWaitMs: integer(env, 'APTIC_EVENTS_ACK_WAIT_MS', 30_000),
      backoffMs: integer(env, 'APTIC_EVENTS_BACKOFF_MS', 1_000),
    },
    kioskOfflineDays: integer(env, 'APTIC_KIOSK_OFFLINE_DAYS', 5),
    feedbackUrl: feedbackUrl(env, ports.get('qualification')!),
    port: (service) => ports.get(service)!,
  };
}
