/**
 * `npm run bench -- start`: how long a person waits for "ready" in embedded mode, started as
 * `npm start` starts it (the Node launcher) — a first start (empty data folder, and the code never
 * compiled before: Node's compile cache off), a start on existing data, the demo's first start
 * (seeding) and the demo again — with the time of each step the start announces (its
 * `… step (t s)` lines), so the figures say where the time goes, and the CPU seconds the start and
 * its child processes (Chromium) used, steadier than wall time on a shared machine.
 * Targets: ≤ 20 s to ready, for the embedded start and for the demo.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ServiceNames } from '@aptic/contracts';
import { cpuSecondsOfTree, report } from './support.ts';

const TARGET_S = 20;
const ports = Object.fromEntries(ServiceNames.map((s) => [`${s.toUpperCase()}_PORT`, '0']));

interface Run {
  readyS: number;
  cpuS: number;
  /** Each announced step and the seconds until the next one (or ready). */
  steps: { step: string; s: number }[];
}

async function startToReady(dataDir: string, args: string[], more: Record<string, string> = {}): Promise<Run> {
  const began = performance.now();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, APTIC_DATA_DIR: dataDir, ...ports, ...more };
  const child = spawn(process.execPath, ['scripts/node24.mjs', 'services/platform/bin/start.ts', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const marks: { step: string; at: number }[] = [{ step: 'node: loading the code', at: 0 }];
  const ready = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const step = /^… (.*) \(\d+\.\d s\)$/.exec(line);
        if (step) marks.push({ step: step[1]!, at: performance.now() - began });
        if (/^ready \(embedded mode\)$/.test(line)) resolve(performance.now() - began);
      }
    });
    child.once('exit', (code) => reject(new Error(`start exited with ${code} before ready`)));
  });
  const cpuS = cpuSecondsOfTree(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const steps = marks.map((m, i) => ({ step: m.step, s: round(((marks[i + 1]?.at ?? ready) - m.at) / 1000) }));
  return { readyS: round(ready / 1000), cpuS: round(cpuS), steps };
}

const round = (x: number) => Math.round(x * 100) / 100;
/** Wall seconds, and the CPU seconds beside them (less dependent on the machine's load). */
const timing = (run: Run) => `${run.readyS} s (${run.cpuS} CPU s)`;

const root = mkdtempSync(join(tmpdir(), 'aptic-bench-start-'));
try {
  const plain = join(root, 'plain');
  const firstStart = await startToReady(plain, [], { NODE_DISABLE_COMPILE_CACHE: '1' });
  const existingData = await startToReady(plain, []);
  const demoDir = join(root, 'demo');
  const demoFirst = await startToReady(demoDir, ['--demo']);
  const demoAgain = await startToReady(demoDir, ['--demo']);
  const verdict = (s: number) => (s <= TARGET_S ? 'met' : 'not met');
  report(
    'start',
    {
      targetS: TARGET_S,
      embeddedStart: {
        firstStart,
        existingData,
        target: `≤ ${TARGET_S} s: ${verdict(firstStart.readyS)} (first start), ${verdict(existingData.readyS)} (existing data)`,
      },
      demo: {
        demoFirst,
        demoAgain,
        target: `≤ ${TARGET_S} s: ${verdict(demoFirst.readyS)} (seeding), ${verdict(demoAgain.readyS)} (found again)`,
      },
    },
    [
      {
        figure: `embedded start to ready: first start ${timing(firstStart)}, existing data ${timing(existingData)}`,
        target: `≤ ${TARGET_S} s each`,
        met: [firstStart, existingData].every((s) => s.readyS <= TARGET_S),
      },
      {
        figure: `demo to ready: seeding ${timing(demoFirst)}, found again ${timing(demoAgain)}`,
        target: `≤ ${TARGET_S} s each`,
        met: [demoFirst, demoAgain].every((s) => s.readyS <= TARGET_S),
      },
    ],
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
