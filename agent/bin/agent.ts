#!/usr/bin/env node
/**
 * The kiosk agent: `node agent/bin/agent.ts [--check] [--config file]`.
 * Configuration: see agent/config.ts (AGENT_* variables override the file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseBarcode, printedPassCode } from '@aptic/contracts';
import { loadConfig } from '../config.ts';
import { check, createLogger, startAgent } from '../run.ts';
import { isDistributionMode, loadDistributionConfig, startDistribution } from '../distribution.ts';

interface DemoKiosk {
  platformUrl: string;
  token: string;
  kioskId: string;
  placeName: string;
  serviceName: string;
  serviceBarcode: string;
  passCodes: string[];
}

/**
 * `--demo`: the kiosk of the embedded platform's demo (`npm start -- --demo`), typed into this
 * terminal: its settings come from the file the demo wrote in the data folder; its logs go to a
 * file there, so the screen is the mediator's alone.
 */
function useDemoKiosk(env: NodeJS.ProcessEnv): void {
  const dataDir = env.APTIC_DATA_DIR || '.data';
  const file = join(dataDir, 'demo-kiosk.json');
  if (!existsSync(file)) {
    throw new Error(`pas de démo dans ${dataDir} : lancez d’abord \`npm start -- --demo\` (même APTIC_DATA_DIR)`);
  }
  const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoKiosk;
  const service = parseBarcode(demo.serviceBarcode);
  Object.assign(env, {
    AGENT_KIOSK_ID: demo.kioskId,
    AGENT_PLATFORM_URL: demo.platformUrl,
    AGENT_TOKEN: demo.token,
    AGENT_SOURCE: 'stdin',
    AGENT_JOURNAL: join(dataDir, 'demo-kiosk-journal.sqlite'),
    AGENT_LOG_FILE: env.AGENT_LOG_FILE ?? join(dataDir, 'demo-kiosk.log'),
    AGENT_OFFERS: JSON.stringify(service.kind === 'service' ? { [service.offerId]: demo.serviceName } : {}),
  });
  console.log(`Borne de démonstration — ${demo.placeName}`);
  console.log('Tapez (ou scannez) chaque code, puis Entrée :');
  console.log(`  1. d’abord la fiche du service « ${demo.serviceName} » : ${demo.serviceBarcode}`);
  console.log('  2. puis les pass, un par un, tels qu’imprimés :');
  for (const code of demo.passCodes) console.log(`       ${printedPassCode(code)}`);
  console.log(`  (journal technique de la borne : ${env.AGENT_LOG_FILE})`);
}

async function main(): Promise<number | undefined> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean' },
      config: { type: 'string' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.demo) useDemoKiosk(process.env);
  if (values.help) {
    console.log(
      'usage: aptic-agent [--check] [--config file.json]   (settings: AGENT_* variables, see deploy/kiosk/README.md)',
    );
    return 0;
  }
  if (isDistributionMode(process.env)) return distribute();
  const config = loadConfig(process.env, values.config);
  if (values.check) return check(config, (line) => console.log(line));
  const log = createLogger(config.logLevel, config.logFile);
  const running = await startAgent(config, { log });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return undefined;
}

/** `AGENT_MODE=distribution`: the scanner at a prescripteur's desk records carnets handed out. */
async function distribute(): Promise<undefined> {
  const log = createLogger(process.env.AGENT_LOG_LEVEL ?? 'info', process.env.AGENT_LOG_FILE);
  const running = await startDistribution(loadDistributionConfig(process.env), { log });
  const stop = () => void running.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`aptic-agent: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
