/**
 * HTML → PDF through one headless Chromium (puppeteer-core, the system's Chromium binary).
 *
 * One browser per renderer, one page per document: launching Chromium costs about a second, a
 * page a few milliseconds. Callers own the renderer's lifetime: launch it once, render as many
 * documents as needed (concurrently if they like), close it on shutdown.
 *
 * Documents are self-contained HTML (inline CSS, system fonts): the page runs no script and may
 * fetch nothing but inline `data:` resources, so a document can neither wait on the network
 * (this machine has none) nor leak anything to it.
 */
import puppeteer, { type Browser, type HTTPRequest } from 'puppeteer-core';

/**
 * Headless flags. No sandbox: services run as unprivileged users inside containers, where the
 * Chromium sandbox cannot start. The rest turn off the background connections Chromium makes on
 * its own (updates, sync, field trials, QUIC probes): there is no internet here, and a document
 * renderer has no business calling out anyway.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Inline resources only (images or fonts a template embeds as data: URLs). */
function allowRequest(request: HTTPRequest): void {
  const url = request.url();
  if (url.startsWith('data:') || url === 'about:blank') void request.continue();
  else void request.abort('blockedbyclient');
}

export class PdfRenderer {
  readonly #browser: Browser;
  #closed = false;

  private constructor(browser: Browser) {
    this.#browser = browser;
  }

  /** Starts one headless Chromium; `chromiumPath` is PlatformConfig.chromiumPath. */
  static async launch(chromiumPath: string): Promise<PdfRenderer> {
    const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    return new PdfRenderer(browser);
  }

  /** Renders one self-contained HTML document to A4 PDF bytes (the page's @page rules apply). */
  async render(html: string): Promise<Buffer> {
    if (this.#closed) throw new Error('PdfRenderer is closed');
    const page = await this.#browser.newPage();
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', allowRequest);
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    } finally {
      await page.close().catch(() => {
        // the browser may be gone (crash, or closed meanwhile): the render's own error, if any, is the one to report
      });
    }
  }

  /** Stops Chromium. Idempotent; render() refuses afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#browser.close();
  }
}
