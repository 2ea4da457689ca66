/**
 * Builds the agent from its configuration (real journal, NATS link, scanner source, terminal
 * feedback) and the `--check` diagnosis. What bin/agent.ts and embedding programs call.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator } from 'nats';
import pino, { type Logger } from 'pino';
import { natsNames } from '@aptic/contracts';
import { Agent } from './agent.ts';
import type { AgentConfig } from './config.ts';
import { TerminalFeedback, terminalBell, type Beeper, type FeedbackOutput } from './feedback.ts';
import { describe, nodeHid, type HidBackend, type HidDeviceInfo } from './hid/device.ts';
import { findScanner, MODE_NAMES, SCANNER_VENDORS, scannerMode, scannerModel } from './hid/scanners.ts';
import { HidSource } from './hid/hid-source.ts';
import { Heartbeats } from './heartbeat.ts';
import { Journal } from './journal.ts';
import { NatsLink } from './link.ts';
import { HttpLink } from './http-link.ts';
import type { ScannerSource } from './source.ts';
import { StdinSource } from './stdin-source.ts';

export function createLogger(level: string, file?: string): Logger {
  // Logs go to stderr (JSON, for journald) or a file; stdout is the mediator's screen.
  // Synchronous: a log line written just before a crash or power cut is not lost in a buffer.
  return pino(
    { level, base: { app: 'aptic-agent' } },
    pino.destination({ dest: file ?? 2, sync: true, mkdir: file !== undefined }),
  );
}

export interface RunningAgent {
  agent: Agent;
  stop(): Promise<void>;
}

export async function startAgent(
  config: AgentConfig,
  options: { log?: Logger; feedback?: FeedbackOutput; beeper?: Beeper; source?: ScannerSource; hid?: HidBackend } = {},
): Promise<RunningAgent> {
  const log = options.log ?? createLogger(config.logLevel, config.logFile);
  const journal = new Journal(config.journal, config.journalMaxScans);
  const link = config.platformUrl
    ? new HttpLink({
        platformUrl: config.platformUrl,
        token: config.token!,
        kioskId: config.kioskId,
        journal,
        log: log.child({ part: 'link' }),
      })
    : new NatsLink({
        url: config.natsUrl,
        creds: readCreds(config.creds),
        kioskId: config.kioskId,
        prefix: config.natsPrefix,
        journal,
        log: log.child({ part: 'link' }),
        crashAfterPublish: config.crashAt === 'published',
      });
  const source =
    options.source ??
    (config.source === 'stdin'
      ? new StdinSource()
      : new HidSource({ backend: options.hid ?? nodeHid(), selector: config.device, layout: config.layout }));
  const feedback =
    options.feedback ?? new TerminalFeedback(process.stdout, options.beeper ?? terminalBell(process.stdout));
  const heartbeats = new Heartbeats({
    kioskId: config.kioskId,
    layout: config.layout,
    journal,
    link,
    log: log.child({ part: 'heartbeat' }),
  });
  const agent = new Agent({
    heartbeats,
    kioskId: config.kioskId,
    sessionTimeoutMs: config.sessionTimeoutMs,
    journal,
    source,
    link,
    feedback,
    log,
    offers: config.offers,
    crashAfterJournal: config.crashAt === 'journaled',
  });
  await agent.start();
  return {
    agent,
    async stop() {
      await agent.stop();
      journal.close();
    },
  };
}

function readCreds(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`AGENT_CREDS: cannot read the kiosk credential file ${path}: ${(err as Error).message}`);
  }
}

/**
 * The HID devices (a known scanner maker named), and the scanner the agent would read: its maker
 * and product, and its mode (HID POS or keyboard emulation). None found fails the check when the
 * agent reads HID.
 */
async function checkScanner(config: AgentConfig, out: (line: string) => void, hid: HidBackend): Promise<boolean> {
  if (config.source === 'stdin') out('scanner: none read over HID (source stdin: one barcode per line)');
  let devices: HidDeviceInfo[];
  try {
    devices = await hid.devices();
  } catch (err) {
    out(`HID: cannot enumerate devices: ${(err as Error).message}`);
    return config.source !== 'hid';
  }
  out(`HID devices (${devices.length}):`);
  for (const d of devices) {
    const maker = SCANNER_VENDORS.get(d.vendorId);
    out(`  ${describe(d)}${maker ? `  ← scanner maker: ${maker}` : ''}`);
  }
  if (config.source !== 'hid') return true;
  const found = findScanner(devices, config.device);
  if (!found) {
    out('scanner: none found matching AGENT_DEVICE (is it plugged in? its vendor in the udev rule?)');
    return false;
  }
  out(`scanner: ${scannerModel(found)}, mode ${MODE_NAMES[scannerMode(found)]} (${describe(found)})`);
  return true;
}

/** `--check`: lists HID devices and tests the NATS connection with the kiosk's credential. Returns the exit code. */
export async function check(
  config: AgentConfig,
  out: (line: string) => void,
  hid: HidBackend = nodeHid(),
): Promise<number> {
  let ok = await checkScanner(config, out, hid);
  try {
    const names = natsNames(config.natsPrefix).kiosk;
    const nc = await connect({
      servers: config.natsUrl,
      authenticator: credsAuthenticator(readCreds(config.creds)),
      inboxPrefix: names.inboxPrefix(config.kioskId),
      timeout: 5_000,
      reconnect: false,
    });
    out(`NATS: connected to ${config.natsUrl} as kiosk ${config.kioskId}`);
    try {
      // Allowed only to this kiosk's own credential, and only once the platform registered it.
      const info = await nc
        .jetstream({ timeout: 5_000 })
        .consumers.get(names.verdictStream, names.verdictConsumer(config.kioskId))
        .then((c) => c.info(true));
      out(`NATS: verdict consumer ${info.name} found (${info.num_pending} verdicts waiting)`);
    } catch (err) {
      ok = false;
      out(
        `NATS: cannot read this kiosk's verdict consumer (${(err as Error).message}): is AGENT_KIOSK_ID the kiosk of this credential, and is the kiosk registered?`,
      );
    }
    await nc.close();
  } catch (err) {
    ok = false;
    out(`NATS: cannot connect to ${config.natsUrl}: ${(err as Error).message}`);
  }
  try {
    const journal = new Journal(config.journal, config.journalMaxScans);
    out(
      `journal ${config.journal}: ${journal.pendingCount()} scans waiting to be sent (max ${config.journalMaxScans})`,
    );
    journal.close();
  } catch (err) {
    ok = false;
    out(`journal ${config.journal}: ${(err as Error).message}`);
  }
  out(ok ? 'check: OK' : 'check: FAILED');
  return ok ? 0 : 1;
}
