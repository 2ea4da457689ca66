/**
 * Cover letters of a mailing as one PDF, rendered in batches like print files: a mailing may hold
 * 100,000 letters, which one Chromium document would hold in memory at once. Each batch is an
 * untagged PDF on disk, then the batches are joined (pdf-join.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunks } from '../domain/issuance.ts';
import type { HtmlPrinter } from './carnet-pdf.ts';
import { lettersHtml, type LetterRecipient } from './letters.ts';
import { joinPdfs } from './pdf-join.ts';

const LETTERS_PER_BATCH = 500;

export async function renderLetters(
  printer: HtmlPrinter,
  order: Parameters<typeof lettersHtml>[0],
  recipients: LetterRecipient[],
  perBatch = LETTERS_PER_BATCH,
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'aptic-letters-'));
  try {
    const parts: string[] = [];
    for (const [i, batch] of chunks(recipients, perBatch).entries()) {
      const part = join(dir, `${String(i).padStart(6, '0')}.pdf`);
      await writeFile(part, await printer.render(lettersHtml(order, batch), { tagged: false }));
      parts.push(part);
    }
    const out = join(dir, 'letters.pdf');
    await joinPdfs(parts, out);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
