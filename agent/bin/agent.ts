#!/usr/bin/env node
/**
 * The kiosk agent: `node agent/bin/agent.ts [--check] [--config file]`.
 * Configuration: see agent/config.ts (AGENT_* variables override the file).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { check, createLogger, startAgent } from '../run.ts';

async function main(): Promise<number | undefined> {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: aptic-agent [--check] [--config file.json]   (settings: AGENT_* variables, see deploy/kiosk/README.md)');
    return 0;
  }
  const config = loadConfig(process.env, values.config);
  if (values.check) return check(config, (line) => console.log(line));
  const log = createLogger(config.logLevel);
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

main().then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`aptic-agent: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
