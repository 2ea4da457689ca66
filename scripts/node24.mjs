#!/usr/bin/env node
/**
 * `node scripts/node24.mjs <script.ts> [args…]`: what `npm start`, `npm test`, `npm run kiosk` and
 * `npm run bench` run. The platform is TypeScript run directly by Node 24 (type stripping); on an
 * older Node (≥ 18) this launcher runs the script on Node 24 instead, taken from the npm registry's
 * `node-linux-<arch>` package into a cache folder once (as `.ci/run` does), so the README's commands
 * work as they are. Plain JavaScript, for any Node ≥ 18; an older one gets one line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { constants, homedir, tmpdir } from 'node:os';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const NODE_VERSION = '24.21.0';
const NEEDED_MAJOR = 24;
const OLDEST_LAUNCHER_MAJOR = 18;

function fail(line) {
  console.error(`aptic: ${line}`);
  process.exit(1);
}

const major = Number(process.versions.node.split('.')[0]);
const [script, ...args] = process.argv.slice(2);
if (!script) fail('usage: node scripts/node24.mjs <script.ts> [arguments]');

if (major >= NEEDED_MAJOR) {
  // The right Node already: run the script in this process, as if it had been started directly.
  // Its modules stay compiled between runs (types stripped, V8's code cache): measured, loading
  // the platform's code took a quarter less CPU.
  module.enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/node-compile-cache', import.meta.url)));
  process.argv.splice(1, 2, script);
  await import(pathToFileURL(script).href);
} else if (major < OLDEST_LAUNCHER_MAJOR) {
  fail(
    `Node ${process.versions.node} is too old to start the platform: install Node ${NEEDED_MAJOR} (for example \`nvm install ${NEEDED_MAJOR}\`).`,
  );
} else {
  const node = provision();
  // The PATH is left as it is: the scripts start their own Node children with process.execPath.
  // Through this launcher again, which on Node 24 runs the script as above.
  const child = spawn(node, [fileURLToPath(import.meta.url), script, ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the whole process group, the script included: the launcher only waits for it.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(signal ? 128 + constants.signals[signal] : (code ?? 1)));
}

/** The path of a Node 24 binary, from the cache or fetched once with `npm pack` (the npm registry). */
function provision() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (process.platform !== 'linux' || !arch) {
    fail(
      `Node ${process.versions.node} is too old for the platform, which needs Node ${NEEDED_MAJOR}: install it (for example \`nvm install ${NEEDED_MAJOR}\`).`,
    );
  }
  const cache = process.env.APTIC_NODE_CACHE || join(homedir(), '.cache', 'aptic-node');
  const folder = join(cache, `${NODE_VERSION}-${arch}`);
  const binary = join(folder, 'bin', 'node');
  if (existsSync(binary)) return binary;
  console.error(
    `aptic: Node ${process.versions.node} is older than ${NEEDED_MAJOR}: fetching Node ${NODE_VERSION} from the npm registry (package node-linux-${arch}, once) into ${folder}`,
  );
  const work = mkdtempSync(join(tmpdir(), 'aptic-node-'));
  try {
    const pack = spawnSync('npm', ['pack', '--silent', `node-linux-${arch}@${NODE_VERSION}`], {
      cwd: work,
      encoding: 'utf8',
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (pack.status !== 0 || !tarball) {
      fail(
        `could not fetch Node ${NODE_VERSION} from the npm registry (${(pack.stderr || pack.error || '').toString().trim().split('\n')[0]}): install Node ${NEEDED_MAJOR} yourself (for example \`nvm install ${NEEDED_MAJOR}\`).`,
      );
    }
    const unpacked = join(work, 'node');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['xzf', join(work, tarball), '-C', unpacked, '--strip-components=1'], {
      encoding: 'utf8',
    });
    if (tar.status !== 0)
      fail(
        `could not unpack Node ${NODE_VERSION} (${(tar.stderr || '').trim()}): install Node ${NEEDED_MAJOR} yourself.`,
      );
    mkdirSync(cache, { recursive: true });
    // Whole or not at all: a start interrupted mid-download leaves no half folder behind.
    renameSync(unpacked, folder);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
