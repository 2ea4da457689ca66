/**
 * Every regular expression of the code (literals, `new RegExp('…')`, and the TypeBox `pattern`s
 * that check input at the boundaries) is run through recheck, a ReDoS detector: none may take
 * super-linear time on some input. Tests are left out; a new pattern is checked by being written.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { check } from 'recheck';
import ts from 'typescript';
import { expect, test } from 'vitest';

interface Found {
  where: string;
  source: string;
  flags: string;
}

const sources = execFileSync('git', ['ls-files', 'contracts', 'services', 'agent', 'deploy'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

function regexesOf(file: string): Found[] {
  const found: Found[] = [];
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const at = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const text = node.getText();
      const end = text.lastIndexOf('/');
      found.push({ where: at(node), source: text.slice(1, end), flags: text.slice(end + 1) });
    } else if (
      ts.isNewExpression(node) &&
      node.expression.getText() === 'RegExp' &&
      node.arguments?.[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      const flags = node.arguments[1] && ts.isStringLiteralLike(node.arguments[1]) ? node.arguments[1].text : '';
      found.push({ where: at(node), source: node.arguments[0].text, flags });
    } else if (
      ts.isPropertyAssignment(node) &&
      node.name.getText() === 'pattern' &&
      ts.isStringLiteralLike(node.initializer)
    ) {
      found.push({ where: at(node), source: node.initializer.text, flags: '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('no regular expression of the code can be made to backtrack super-linearly', { timeout: 300_000 }, async () => {
  const all = sources.flatMap(regexesOf);
  expect(all.length).toBeGreaterThan(50);
  const distinct = [...new Map(all.map((r) => [`/${r.source}/${r.flags}`, r])).values()];
  const verdicts = [];
  for (const r of distinct) {
    const result = await check(r.source, r.flags, { timeout: 20_000 });
    verdicts.push({
      where: r.where,
      regex: `/${r.source}/${r.flags}`,
      status: result.status,
      ...(result.status === 'vulnerable' ? { attack: result.attack.pattern } : {}),
    });
  }
  expect(verdicts.filter((v) => v.status !== 'safe')).toEqual([]);
});
