/**
 * `npm test`: every vitest project (unit, then integration against real PostgreSQL and NATS),
 * ending with the plain line `N passed, N failed` read from vitest's JSON report.
 * Extra arguments go to vitest (`npm test -- --project unit`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { status: string; assertionResults: { status: string }[]; message?: string }[];
}

const output = '.vitest/results.json';
mkdirSync('.vitest', { recursive: true });
rmSync(output, { force: true });
// vitest on this very Node (the launcher's Node 24), whatever `node` the PATH has first.
const run = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${output}`,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
  },
);

let report: JsonReport;
try {
  report = JSON.parse(readFileSync(output, 'utf8')) as JsonReport;
} catch {
  console.log('0 passed, 1 failed');
  process.exit(run.status || 1);
}
// A file that fails to load, or whose set-up or tear-down fails, fails with no failed test of its
// own: a failure all the same (the run's exit code says so; the line must too).
const brokenFiles = report.testResults.filter(
  (f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed'),
).length;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
process.exit(run.status ?? 1);
