import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from '@aptic/runtime';

/**
 * The secret that makes pass codes unguessable. It must never be in the database (whoever reads
 * the database must not be able to mint codes), so it comes from APTIC_PASS_CODE_KEY; in embedded
 * mode, a key is created once in the data folder.
 */
export function passCodeKey(config: PlatformConfig): string {
  const key = config.passCodeKey;
  if (key) {
    if (key.length < 32) throw new Error('APTIC_PASS_CODE_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`).');
    return key;
  }
  if (config.mode === 'distributed') throw new Error('APTIC_PASS_CODE_KEY is required: the secret pass codes are made with (e.g. `openssl rand -hex 32`).');
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'pass-code.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}
