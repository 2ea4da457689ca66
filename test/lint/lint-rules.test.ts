/**
 * `npm run lint` can fail: each of its rules, with the repository's own configuration files, run on a
 * small workspace tree made in a temporary folder with one violation of each rule seeded in it
 * (a service importing another, a domain file importing pg, an import cycle, the agent importing the
 * runtime, an over-long line, an unused import, an unused export, file and dependency). The clean repository passing
 * is `npm run lint` itself, in CI.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(repo, 'node_modules/.bin', name);
let root: string;

/** A file of the temporary tree; its folder is made. */
function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function run(command: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(bin(command), args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

const workspace = (name: string, deps: Record<string, string> = {}) =>
  JSON.stringify({
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    exports: { '.': './index.ts' },
    dependencies: deps,
  });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aptic-lint-'));
  for (const file of ['.dependency-cruiser.cjs', 'biome.json', 'knip.jsonc', 'tsconfig.json']) {
    cpSync(join(repo, file), join(root, file));
  }
  // The temporary tree is no git checkout: Biome reads no .gitignore there.
  const biome = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
  biome.vcs = { enabled: false };
  delete biome.$schema;
  writeFileSync(join(root, 'biome.json'), JSON.stringify(biome));

  const workspaces = ['contracts', 'services/runtime', 'services/catalogue', 'services/ordering', 'agent'];
  write('package.json', JSON.stringify({ name: 'fixture', private: true, type: 'module', workspaces }));
  write('contracts/package.json', workspace('@aptic/contracts'));
  write('contracts/index.ts', "export const currency = 'EUR';\n");
  write('services/runtime/package.json', workspace('@aptic/runtime', { '@aptic/contracts': '*' }));
  write(
    'services/runtime/index.ts',
    "import { currency } from '@aptic/contracts';\n\nexport const runtime = currency;\n",
  );
  write('services/ordering/package.json', workspace('@aptic/ordering', { '@aptic/runtime': '*' }));
  write(
    'services/ordering/index.ts',
    "import { runtime } from '@aptic/runtime';\n\nexport const ordering = runtime;\n",
  );
  write(
    'services/catalogue/package.json',
    workspace('@aptic/catalogue', { '@aptic/ordering': '*', '@aptic/runtime': '*', pg: '*', 'left-pad': '*' }),
  );
  // Seeded: a service importing another; an unused export; a file nothing imports.
  write(
    'services/catalogue/index.ts',
    [
      "import { ordering } from '@aptic/ordering';",
      "import { runtime } from '@aptic/runtime';",
      "import { price } from './domain/price.ts';",
      "import { used } from './helpers.ts';",
      '',
      'export const catalogue = [ordering, runtime, price, used];',
      '',
    ].join('\n'),
  );
  write('services/catalogue/helpers.ts', 'export const used = 1;\nexport const neverImported = 2;\n');
  write('services/catalogue/orphan.ts', 'export const orphan = 3;\n');
  // Seeded: a domain file importing pg; two domain files importing each other (types only).
  write(
    'services/catalogue/domain/price.ts',
    "import pg from 'pg';\nimport type { Rate } from './rate.ts';\n\nexport const price = (rate: Rate) => [pg, rate];\n",
  );
  write(
    'services/catalogue/domain/rate.ts',
    "import type { price } from './price.ts';\n\nexport type Rate = typeof price;\n",
  );
  // Seeded: the agent importing the runtime.
  write('agent/package.json', workspace('@aptic/agent', { '@aptic/contracts': '*', '@aptic/runtime': '*' }));
  write('agent/index.ts', "import { runtime } from '@aptic/runtime';\n\nexport const agent = runtime;\n");
  // Seeded: a line of 121 characters (the formatter would break it), and one of 120 (it stays).
  const line = (width: number) => `export const line = ['${'a'.repeat(width - 30)}', 'b'];\n`;
  write('contracts/long.ts', line(121));
  write('contracts/fits.ts', line(120));
  // Seeded: an unused import (a lint warning, which `npm run lint` counts as an error).
  write('contracts/unused-import.ts', "import { currency } from './index.ts';\n\nexport const unit = 'cent';\n");

  // Workspaces resolve by name, as npm links them; pg from the repository's node_modules.
  for (const w of workspaces) {
    const name = JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')).name as string;
    mkdirSync(join(root, 'node_modules/@aptic'), { recursive: true });
    symlinkSync(join(root, w), join(root, 'node_modules', name));
  }
  symlinkSync(join(repo, 'node_modules/pg'), join(root, 'node_modules/pg'));
  symlinkSync(join(repo, 'node_modules/@types'), join(root, 'node_modules/@types'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('layering (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  let violations: { rule: string; from: string; to: string }[];
  beforeAll(() => {
    const { out } = run('depcruise', [
      'contracts',
      'services',
      'agent',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
    ]);
    const report = JSON.parse(out) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    violations = report.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  });

  test('a service importing another service', () => {
    expect(violations).toContainEqual({
      rule: 'service-imports-no-other-service',
      from: 'services/catalogue/index.ts',
      to: 'services/ordering/index.ts',
    });
  });

  test('a domain file importing pg, directly and through another module', () => {
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: 'domain-does-no-io', from: 'services/catalogue/domain/price.ts' }),
    );
    expect(violations.find((v) => v.rule === 'domain-does-no-io')?.to).toMatch(/node_modules\/pg\//);
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: 'domain-reaches-no-io', from: 'services/catalogue/domain/rate.ts' }),
    );
  });

  test('an import cycle, even of types only', () => {
    expect(violations).toContainEqual(
      expect.objectContaining({ rule: 'no-cycles', from: 'services/catalogue/domain/price.ts' }),
    );
  });

  test('the agent importing the runtime', () => {
    expect(violations).toContainEqual({
      rule: 'agent-imports-only-contracts',
      from: 'agent/index.ts',
      to: 'services/runtime/index.ts',
    });
  });

  test('what is allowed is not reported: a service on the runtime, the runtime on contracts', () => {
    const allowed = violations.filter(
      (v) => (v.to === 'services/runtime/index.ts' && v.from.startsWith('services/')) || v.to === 'contracts/index.ts',
    );
    expect(allowed).toEqual([]);
  });
});

describe('format and lint (Biome, biome.json)', () => {
  test('a line over 120 characters is a formatting error; one of 120 is not', () => {
    expect(readFileSync(join(root, 'contracts/fits.ts'), 'utf8').split('\n')[0]).toHaveLength(120);
    const long = run('biome', ['check', 'contracts/long.ts']);
    expect(long.status).not.toBe(0);
    expect(long.out).toMatch(/format/);
    const fits = run('biome', ['check', 'contracts/fits.ts']);
    expect(fits.out).toMatch(/Checked 1 file/);
    expect(fits.status).toBe(0);
  });

  test('a lint finding fails the check, warnings included', () => {
    const result = run('biome', ['check', '--error-on-warnings', 'contracts/unused-import.ts']);
    expect(result.out).toMatch(/lint\/correctness\/noUnusedImports/);
    expect(result.status).not.toBe(0);
  });
});

describe('unused code (knip, knip.jsonc)', () => {
  type Named = { name: string }[];
  type FileIssues = { file: string; files: Named; exports: Named; dependencies: Named };
  let issues: FileIssues[];
  beforeAll(() => {
    const { out } = run('knip', ['--reporter', 'json', '--no-progress']);
    issues = (JSON.parse(out.slice(out.indexOf('{'))) as { issues: FileIssues[] }).issues;
  });
  const issuesOf = (file: string): FileIssues => {
    const found = issues.find((i) => i.file === file);
    if (!found) throw new Error(`knip reported nothing about ${file}`);
    return found;
  };

  test('an unused export', () => {
    expect(issuesOf('services/catalogue/helpers.ts').exports.map((e) => e.name)).toEqual(['neverImported']);
  });

  test('an unused file', () => {
    expect(issuesOf('services/catalogue/orphan.ts').files).not.toEqual([]);
  });

  test('an unused dependency', () => {
    expect(issuesOf('services/catalogue/package.json').dependencies.map((d) => d.name)).toContain('left-pad');
  });
});
