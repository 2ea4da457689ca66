import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../../../test/support/pdf.ts';
import { readConfig } from '../config.ts';
import { PdfRenderer } from './renderer.ts';

function page(body: string): string {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>body { font-family: "DejaVu Sans", sans-serif; }</style></head><body>${body}</body></html>`;
}

describe('PdfRenderer', () => {
  let renderer: PdfRenderer;

  beforeAll(async () => {
    renderer = await PdfRenderer.launch(readConfig().chromiumPath);
  });

  afterAll(async () => {
    await renderer?.close();
  });

  it('renders HTML to a PDF whose text poppler can read back, accents and no-break spaces included', async () => {
    const pdf = await renderer.render(
      page('<h1>Bonjour le monde</h1><p>Médiation numérique : 25\u202f450,00\u00a0€</p>'),
    );

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Bonjour le monde');
    expect(text).toContain('Médiation numérique : 25 450,00 €');
  });

  it('renders documents concurrently, each in its own page', async () => {
    const names = ['Lieu Alpha', 'Lieu Bravo', 'Lieu Charlie'];
    const pdfs = await Promise.all(names.map((name) => renderer.render(page(`<p>${name}</p>`))));
    const texts = await Promise.all(pdfs.map(pdfText));
    texts.forEach((text, index) => {
      expect(text.trim()).toBe(names[index]);
    });
  });

  it('prints each document alone on a page kept from an earlier one', async () => {
    const texts: string[] = [];
    for (const name of ['Premier document', 'Second document', 'Troisième document'])
      texts.push(await pdfText(await renderer.render(page(`<p>${name}</p>`))));
    expect(texts.map((t) => t.trim())).toEqual(['Premier document', 'Second document', 'Troisième document']);
  });

  it('replaces a page after its share of documents, and goes on printing each document alone', async () => {
    const short = await PdfRenderer.launch(readConfig().chromiumPath, { rendersPerPage: 2 });
    try {
      const names = ['Un', 'Deux', 'Trois', 'Quatre', 'Cinq', 'Six', 'Sept'];
      const texts: string[] = [];
      for (const name of names.slice(0, 5)) texts.push(await pdfText(await short.render(page(`<p>${name}</p>`))));
      const together = await Promise.all(names.slice(5).map((name) => short.render(page(`<p>${name}</p>`))));
      texts.push(...(await Promise.all(together.map(pdfText))));
      expect(texts.map((t) => t.trim())).toEqual(names);
    } finally {
      await short.close();
    }
  });

  it('tags PDFs (accessible) unless asked not to', async () => {
    const tagged = await renderer.render(page('<h1>Devis</h1>'));
    const untagged = await renderer.render(page('<h1>Devis</h1>'), { tagged: false });
    expect(tagged.toString('latin1')).toContain('/StructTreeRoot');
    expect(untagged.toString('latin1')).not.toContain('/StructTreeRoot');
    expect(await pdfText(untagged)).toContain('Devis');
  });

  it('neither runs scripts nor waits on the network', async () => {
    const started = Date.now();
    const pdf = await renderer.render(
      page(
        '<p>Statique</p><img src="http://10.255.255.1/logo.png" alt="">' +
          '<link rel="stylesheet" href="https://fonts.example.invalid/font.css">' +
          '<script>document.body.append("script executed")</script>',
      ),
    );
    const text = await pdfText(pdf);
    expect(text).toContain('Statique');
    expect(text).not.toContain('script executed');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('sends no request of any kind out, not even to this machine: prefetch, preconnect, fonts, images, frames', async () => {
    const reached: string[] = [];
    const listener = createServer((socket) => {
      reached.push(`${socket.remoteAddress}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      const pdf = await renderer.render(
        page(
          `<link rel="prefetch" href="${origin}/prefetch"><link rel="preconnect" href="${origin}"><link rel="dns-prefetch" href="${origin}">` +
            `<link rel="preload" as="image" href="${origin}/preload.png"><link rel="stylesheet" href="${origin}/style.css">` +
            `<style>@font-face { font-family: Remote; src: url("${origin}/font.woff2"); } p { font-family: Remote; background: url("${origin}/bg.png"); }</style>` +
            `<p>Hors ligne</p><img src="${origin}/logo.png" alt=""><iframe src="${origin}/frame"></iframe><object data="${origin}/object"></object>`,
        ),
      );
      expect(await pdfText(pdf)).toContain('Hors ligne');
      // Prefetches are not waited for by the page: give them time to leave, if they could.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(reached).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it('refuses to render once closed, and closes twice without error', async () => {
    const own = await PdfRenderer.launch(readConfig().chromiumPath);
    await own.close();
    await own.close();
    await expect(own.render(page('<p>trop tard</p>'))).rejects.toThrow(/closed/);
  });
});
