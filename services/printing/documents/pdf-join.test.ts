import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { joinPdfs, rewritePdf } from './pdf-join.ts';

/**
 * A PDF laid out as Chromium's Skia writes one: info first, pages, content streams, catalog last,
 * a classic xref table. Each content stream's bytes look like references and keywords on purpose.
 */
function skiaLikePdf(pages: number, xrefTrailer = ''): Buffer {
  const objects: string[] = ['<</Producer (Skia/PDF m156) /Title (1 0 R)>>'];
  const tree = 2 + pages * 2;
  for (let p = 0; p < pages; p++) {
    objects.push(`<</Type /Page /Parent ${tree} 0 R /MediaBox [0 0 522 234] /Contents ${3 + p * 2} 0 R>>`);
    const data = `\x00\xff 9 0 R endobj stream page ${p}`;
    objects.push(`<</Length ${data.length}>> stream\n${data}\nendstream`);
  }
  objects.push(
    `<</Type /Pages /Count ${pages} /Kids [${Array.from({ length: pages }, (_, p) => `${2 + p * 2} 0 R`).join(' ')}]>>`,
  );
  objects.push(`<</Type /Catalog /Pages ${tree} 0 R>>`);
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<</Size ${objects.length + 1} /Root ${objects.length} 0 R /Info 1 0 R${xrefTrailer}>>\nstartxref\n${xref}\n%%EOF`;
  return Buffer.from(pdf, 'latin1');
}

/** Every object of a joined PDF, found through its xref table (each runs to the next), and the trailer. */
function parse(pdf: Buffer): { objects: Map<number, string>; trailer: string } {
  const text = pdf.toString('latin1');
  const xref = Number(/startxref\n(\d+)/.exec(text)![1]);
  const entries = text
    .slice(xref)
    .split('\n')
    .slice(3, Number(/^xref\n0 (\d+)/.exec(text.slice(xref))![1]) + 2);
  const offsets = entries.map((entry) => Number(entry.slice(0, 10)));
  const ends = [...offsets, xref].sort((a, b) => a - b);
  const objects = new Map<number, string>();
  offsets.forEach((offset, i) => {
    const body = text.slice(offset, ends[ends.indexOf(offset) + 1]);
    expect(body.startsWith(`${i + 1} 0 obj\n`)).toBe(true);
    objects.set(i + 1, body);
  });
  return { objects, trailer: text.slice(text.indexOf('trailer', xref)) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aptic-join-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(...pdfs: Buffer[]): Promise<string[]> {
  return Promise.all(
    pdfs.map(async (pdf, i) => {
      const file = join(dir, `part-${i}.pdf`);
      await writeFile(file, pdf);
      return file;
    }),
  );
}

test('joins parts in order under one page tree, renumbered, stream bytes untouched, catalogs and infos dropped', async () => {
  const out = join(dir, 'joined.pdf');
  expect(await joinPdfs(await files(skiaLikePdf(2), skiaLikePdf(3)), out)).toBe(5);

  const { objects, trailer } = parse(await readFile(out));
  expect(trailer).toMatch(/^trailer\n<<\/Size \d+ \/Root 1 0 R>>/);
  expect(objects.get(1)).toContain('/Type /Catalog /Pages 2 0 R');
  const kids = [...objects.get(2)!.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  expect(objects.get(2)).toContain('/Count 5');
  // each part's page tree, now a child of the root, and its pages in order
  const pages = kids.flatMap((kid) => {
    expect(objects.get(kid)).toContain('/Parent 2 0 R');
    return [...objects.get(kid)!.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1])).filter((n) => n !== 2);
  });
  const contents = pages.map((page) => objects.get(Number(/\/Contents (\d+) 0 R/.exec(objects.get(page)!)![1]))!);
  expect(contents.map((c) => /page (\d)/.exec(c)![1])).toEqual(['0', '1', '0', '1', '2']);
  for (const c of contents) expect(c).toContain('stream\n\x00\xff 9 0 R endobj stream page');
  expect([...objects.values()].filter((o) => /Catalog|Producer/.test(o))).toHaveLength(1);
});

test('refuses what it was not written for, rather than write a broken PDF', async () => {
  const out = join(dir, 'refused.pdf');
  await expect(joinPdfs(await files(Buffer.from('not a pdf')), out)).rejects.toThrow(/not a PDF/);
  await expect(joinPdfs(await files(skiaLikePdf(1, ' /Prev 9')), out)).rejects.toThrow(/more than one revision/);
  const streamed = Buffer.from(
    skiaLikePdf(1)
      .toString('latin1')
      .replace(/xref\n0 \d+\n/, 'xref\n1 4\n'),
    'latin1',
  );
  await expect(joinPdfs(await files(streamed), out)).rejects.toThrow(/classic cross-reference table/);
});

test('rewriting a part refuses a page content stream it cannot decode rather than copy it unchanged', () => {
  expect(() => rewritePdf(skiaLikePdf(1), { pageBoxes: '/MediaBox [0 0 1 1]', content: (o) => o }, 'part')).toThrow(
    /cannot join part: content stream not Flate-compressed/,
  );
});
