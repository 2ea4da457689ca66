/**
 * `npm run bench [-- <name>... | all | summary]`: runs the named benchmarks one after the other (all
 * of them when none or `all` is named). After `all`, and alone with `summary`, writes the summary of
 * every latest result file (results/summary.md: figure, target, floor, ratio, load) and puts it in
 * the README as it is. BENCH_<NAME>_<VARIABLE> sets a variable for one benchmark (sizesOf).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { SummaryRow } from './support.ts';

const here = new URL('.', import.meta.url);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'support.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === 'summary') {
  writeSummary();
  process.exit(0);
}
const wanted = args.filter((w) => w !== 'all');
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}, all, summary`);
  process.exit(2);
}
let failed = false;
for (const name of wanted.length ? wanted : available) {
  console.log(`== bench ${name}`);
  const run = spawnSync(process.execPath, [new URL(`${name}.ts`, here).pathname], {
    stdio: 'inherit',
    env: { ...process.env, ...sizesOf(name) },
  });
  failed ||= run.status !== 0;
}
if (wanted.length === 0) writeSummary();
process.exit(failed ? 1 : 0);

/**
 * A size for one benchmark only: BENCH_<NAME>_<VARIABLE> is given to that benchmark as
 * BENCH_<VARIABLE> (BENCH_ANALYTICS_REDEMPTIONS=1000000 sizes analytics, not settle).
 */
function sizesOf(name: string): Record<string, string> {
  const prefix = `BENCH_${name.toUpperCase()}_`;
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([key, value]) => key.startsWith(prefix) && value !== undefined)
      .map(([key, value]) => [`BENCH_${key.slice(prefix.length)}`, value!]),
  );
}

interface Result {
  at: string;
  load?: {
    before: { loadAverage: number[] };
    after: { loadAverage: number[]; stealPercent: number; cpuPressurePercent?: number; idlePercent?: number };
  };
  summary?: SummaryRow[];
}

/** How contended the cores were during the run, where the result records it. */
function pressureOf(after: { cpuPressurePercent?: number; idlePercent?: number }): string {
  const pressure = after.cpuPressurePercent === undefined ? '' : `CPU pressure ${after.cpuPressurePercent} %, `;
  return pressure + (after.idlePercent === undefined ? '' : `idle ${after.idlePercent} %, `);
}

/** One table row per summary row of each benchmark's latest result. */
function writeSummary(): void {
  const cell = (text: string | undefined) => (text ?? '—').replaceAll('|', '\\|');
  const rows = available.flatMap((name) => {
    let result: Result;
    try {
      result = JSON.parse(readFileSync(new URL(`results/${name}.json`, here), 'utf8')) as Result;
    } catch {
      return [`| \`${name}\` | no result | | | | | | |`];
    }
    const load = result.load
      ? `${result.load.before.loadAverage[0]} → ${result.load.after.loadAverage[0]}, ${pressureOf(result.load.after)}steal ${result.load.after.stealPercent} %`
      : 'not recorded';
    const at = `${result.at.slice(0, 16).replace('T', ' ')} UTC`;
    if (!result.summary)
      return [`| \`${name}\` | result older than this table: run it again | | | | | | ${load} (${at}) |`];
    return result.summary.map(
      (r) =>
        `| \`${name}\` | ${cell(r.figure)} | ${cell(r.target)} | ${cell(r.floor)} | ${cell(r.ratio)} | ${cell(r.efficiency)} | ${r.met ? '**met**' : '**not met**'} | ${load} (${at}) |`,
    );
  });
  const table = [
    '| benchmark | figure | target | floor | ratio | CPU per unit: floor / path | | load average (1 min) before → after, CPU pressure, idle, steal (run date) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  writeFileSync(new URL('results/summary.md', here), `${table}\n`);
  const readme = new URL('../../README.md', here);
  const begin = '<!-- bench summary: written by `npm run bench -- all` -->';
  const end = '<!-- end of bench summary -->';
  const text = readFileSync(readme, 'utf8');
  const [before, rest] = text.split(begin);
  if (rest === undefined) {
    console.error(`README.md has no "${begin}" section: summary left in results/summary.md`);
    return;
  }
  writeFileSync(readme, `${before}${begin}\n${table}\n${end}${rest.slice(rest.indexOf(end) + end.length)}`);
  console.log(table);
}
