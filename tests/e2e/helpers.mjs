// Shared set-up for the end-to-end tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core. No browser is downloaded.
import { before, after } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serve(root) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens a page that records console errors, page errors and failed requests in `problems`. */
export async function openPage(browser, url, viewport = { width: 1280, height: 720 }, options = {}) {
  const page = await browser.newPage({ viewport, ...options });
  const problems = [];
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => res.status() >= 400 && problems.push(`HTTP ${res.status()}: ${res.url()}`));
  await page.goto(url);
  return { page, problems };
}

/** Waits until the fit's canvas has its pixel buffer (the app has mounted and drawn). */
export const ready = (page) => page.waitForFunction(() => document.querySelector("[data-testid='main-canvas']")?.width > 0);

/** Waits until a link's replay is over (the status line stops saying so). */
export const replayed = (page) =>
  page.waitForFunction(() => !document.querySelector("[data-testid='status-message']").textContent.includes('replaying'), null, {
    timeout: 60000,
  });

/** A digest of the canvas's pixels, to tell whether it was redrawn. */
export function canvasDigest(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid='${id}']`);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      h = (h * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) >>> 0;
      if (data[i] < 200 || data[i + 1] < 200) inked++;
    }
    return { hash: h, inked, width: c.width, height: c.height };
  }, testid);
}

/** Registers before/after hooks that serve dist/ and launch Chromium; the returned object holds
 *  `server`, `browser` and the artifacts folder once the hooks have run. */
export function suite() {
  const ctx = { artifacts: 'tests/e2e/artifacts' };
  before(async () => {
    ctx.server = await serve(process.env.DIST ?? 'dist');
    ctx.browser = await launch();
    await mkdir(ctx.artifacts, { recursive: true });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}
