import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from './config.ts';

/**
 * A secret key from the environment (at least 32 characters), never from the database: whoever
 * reads the database must not be able to mint or look up pass codes. In embedded mode a key is
 * created once in the data folder; in distributed mode it is required.
 */
function secretKey(config: PlatformConfig, variable: string, value: string | undefined, file: string): string {
  if (value) {
    if (value.length < 32)
      throw new Error(`${variable} must be at least 32 characters (e.g. \`openssl rand -hex 32\`).`);
    return value;
  }
  if (config.mode === 'distributed') throw new Error(`${variable} is required (e.g. \`openssl rand -hex 32\`).`);
  mkdirSync(config.dataDir, { recursive: true });
  const path = join(config.dataDir, file);
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return readFileSync(path, 'utf8').trim();
}

/** Printing's secret the pass codes are made with (APTIC_PASS_CODE_KEY). */
export const passCodeKey = (config: PlatformConfig) =>
  secretKey(config, 'APTIC_PASS_CODE_KEY', config.passCodeKey, 'pass-code.key');

/** The key of pass lookup hashes (APTIC_PASS_LOOKUP_KEY): printing and redemption; it cannot make codes. */
export const passLookupKey = (config: PlatformConfig) =>
  secretKey(config, 'APTIC_PASS_LOOKUP_KEY', config.passLookupKey, 'pass-lookup.key');
