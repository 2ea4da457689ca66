/**
 * HTML → PDF through one headless Chromium (puppeteer-core, the system's Chromium binary).
 *
 * One browser per renderer, one page (tab) per document in flight: launching Chromium costs about a
 * second. Pages are kept between documents (at most MAX_IDLE_PAGES of them): a new page starts a
 * renderer process and loads its fonts again, which measured a fifth of a 220-page print. Callers
 * own the renderer's lifetime: launch it once, render as many documents as needed (concurrently if
 * they like), close it on shutdown.
 *
 * Documents are self-contained HTML (inline CSS, system fonts): the page runs no script and may
 * fetch nothing but inline `data:` resources (request interception), and the browser itself has
 * no network (an unroutable proxy, no bypass, no name resolution), so a document can neither wait
 * on the network nor leak anything to it.
 */
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';

/**
 * Headless flags. No sandbox: services run as unprivileged users inside containers, where the
 * Chromium sandbox cannot start. Then the background connections Chromium makes on its own
 * (updates, sync, field trials, QUIC probes) are turned off: there is no internet here, and a
 * document renderer has no business calling out anyway. The last four save processes (≈ 400 MB
 * of resident memory) that printing does not need: the GPU process (no GPU), the zygotes (they
 * serve the sandbox), the network service's own process (documents fetch nothing), the spare
 * renderer Chromium keeps warm for the next tab (pages are reused here).
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
  '--in-process-gpu',
  '--no-zygote',
  '--enable-features=NetworkServiceInProcess2',
  '--disable-features=SpareRendererForSitePerProcess',
  // The network closed at the browser level, whatever request interception lets through (a
  // prefetch or preconnect is not always shown to it): every connection goes to a proxy at an
  // address that is never routed (RFC 5737), loopback included (<-loopback> removes Chromium's
  // implicit bypass), and every host name resolves to nothing.
  '--proxy-server=http://192.0.2.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** Idle pages kept for the next documents: as many as renders usually run at once. */
const MAX_IDLE_PAGES = 2;
/**
 * Documents a page renders before it is closed (its renderer process ends with it) and a new one
 * opened. A renderer keeps part of the memory of every document it lays out: in the print
 * benchmark (100 documents of 220 pages) the two renderers grew from about 600 to 780 MB resident
 * together; a new page costs a process start and its fonts loaded again, once every so many documents.
 */
const RENDERS_PER_PAGE = 20;

export type RenderOptions = {
  /**
   * Tagged (accessible) PDF, the default: for documents people read on screen. A print file
   * (print-ready carnets) has no reader that uses tags, and tagging costs about a third of the time.
   */
  tagged?: boolean;
};

/** Inline resources only (images or fonts a template embeds as data: URLs). */
function allowRequest(request: HTTPRequest): void {
  const url = request.url();
  if (url.startsWith('data:') || url === 'about:blank') void request.continue();
  else void request.abort('blockedbyclient');
}

/** A page that runs no script and fetches nothing but inline resources, whatever document it gets. */
async function prepared(page: Page): Promise<Page> {
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on('request', allowRequest);
  return page;
}

export class PdfRenderer {
  readonly #browser: Browser;
  readonly #idle: Page[] = [];
  readonly #renders = new WeakMap<Page, number>();
  readonly #rendersPerPage: number;
  #closed = false;

  private constructor(browser: Browser, rendersPerPage: number) {
    this.#browser = browser;
    this.#rendersPerPage = rendersPerPage;
  }

  /**
   * Starts one headless Chromium; `chromiumPath` is PlatformConfig.chromiumPath. `rendersPerPage`:
   * documents a page renders before it is replaced (tests lower it).
   */
  static async launch(chromiumPath: string, options: { rendersPerPage?: number } = {}): Promise<PdfRenderer> {
    // Loaded on first use: a start that renders nothing does not pay for loading puppeteer.
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    const renderer = new PdfRenderer(browser, options.rendersPerPage ?? RENDERS_PER_PAGE);
    try {
      // The tab Chromium opens at start is the first page: one renderer process less.
      const [first] = await browser.pages();
      if (first) renderer.#idle.push(await prepared(first));
    } catch (err) {
      await renderer.close();
      throw err;
    }
    return renderer;
  }

  /** Renders one self-contained HTML document to A4 PDF bytes (the page's @page rules apply). */
  async render(html: string, options: RenderOptions = {}): Promise<Buffer> {
    if (this.#closed) throw new Error('PdfRenderer is closed');
    const page = this.#idle.pop() ?? (await prepared(await this.#browser.newPage()));
    let reusable = false;
    try {
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        tagged: options.tagged ?? true,
      });
      reusable = true;
      return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
    } finally {
      this.#release(page, reusable);
    }
  }

  /** Keeps a page that rendered cleanly for the next document, unless it rendered its share; closes any other. */
  #release(page: Page, reusable: boolean): void {
    const renders = (this.#renders.get(page) ?? 0) + 1;
    this.#renders.set(page, renders);
    if (reusable && !this.#closed && this.#idle.length < MAX_IDLE_PAGES && renders < this.#rendersPerPage) {
      this.#idle.push(page);
      return;
    }
    page.close().catch(() => {
      // the browser may be gone (crash, or closed meanwhile): the render's own error, if any, is the one to report
    });
  }

  /** Stops Chromium. Idempotent; render() refuses afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#browser.close();
  }
}
