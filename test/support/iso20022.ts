import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ISO 20022 schemas beside the repository (`../shared/data/iso20022`), wherever the tree is checked out. */
function xsdPath(name = 'pain.001.001.03.xsd'): string {
  for (let dir = new URL('.', import.meta.url).pathname; dir !== '/'; dir = join(dir, '..')) {
    const candidate = join(dir, 'shared/data/iso20022', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found in any ../shared/data/iso20022`);
}

/** Validates a SEPA file with `xmllint --schema` (libxml2-utils); throws with xmllint's output if invalid. */
export function assertValidPain001(xml: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'sepa-'));
  try {
    writeFileSync(join(dir, 'file.xml'), xml);
    execFileSync('xmllint', ['--noout', '--schema', xsdPath(), join(dir, 'file.xml')], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
