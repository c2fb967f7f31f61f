// Shared set-up for the end-to-end tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core. No browser is downloaded.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves `root` on 127.0.0.1 at a free port; resolves to { url, close }. */
/** The engine's registries (`vi-fit --list`, built by scripts/test.sh): the page's menus must
 *  offer exactly these names, in this order. */
export function registries() {
  const bin = process.env.VI_FIT ?? new URL('../../target/release/vi-fit', import.meta.url).pathname;
  return JSON.parse(execFileSync(bin, ['--list'], { encoding: 'utf8' }));
}

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

/** Resolves once the page has run `n` more animation frames. The app's loop runs in
 *  requestAnimationFrame and the frame it has asked for runs before one asked for later, and
 *  Leptos writes the DOM in microtasks, which run right after each callback: so after one frame
 *  the loop's next frame has run and the DOM shows it. The second is for a render effect that
 *  schedules another. Not a wait for time: a page that does not render never resolves it. */
export const frames = (page, n = 2) =>
  page.evaluate((n) => new Promise((ok) => {
    const next = (k) => (k === 0 ? ok() : requestAnimationFrame(() => next(k - 1)));
    next(n);
  }), n);

/** Whether the page's play button says it is playing (aria-pressed). */
const isPlaying = (page) => page.getByTestId('play-button').getAttribute('aria-pressed').then((v) => v === 'true');

/** Waits until the step counter `id` shows more than `n`, or the fit stops playing by itself
 *  (it diverged, or a frame took no step), whichever comes first; resolves to the count. The
 *  caller asserts on it, so a fit that stops early fails with its count, not a timeout. */
export async function stepsPast(page, n, { id = 'step-count', timeout = 30000 } = {}) {
  await page.waitForFunction(
    ([id, n]) =>
      Number(document.querySelector(`[data-testid='${id}']`)?.textContent) > n ||
      document.querySelector("[data-testid='play-button']")?.getAttribute('aria-pressed') !== 'true',
    [id, n],
    { timeout },
  );
  return Number(await page.getByTestId(id).textContent());
}

/** Pauses (if still playing) and waits for the loop's last frame: the one that, finding the fit
 *  paused, refreshes the exact diagnostics and the bias table at the final step. */
export async function pause(page) {
  if (await isPlaying(page)) await page.getByTestId('play-button').click();
  await page.waitForFunction(() => document.querySelector("[data-testid='play-button']").getAttribute('aria-pressed') === 'false');
  await frames(page);
}

/** Plays until the step counter passes `n` (or the fit stops by itself), then pauses as [`pause`]
 *  does; resolves to the step count it stopped at. */
export async function playPast(page, n, options) {
  await page.getByTestId('play-button').click();
  await stepsPast(page, n, options);
  await pause(page);
  return Number(await page.getByTestId(options?.id ?? 'step-count').textContent());
}

/** Asserts that the element exists, once, and is not shown (`isVisible()` alone is false for an
 *  element that is not there at all). */
export async function assertHidden(locator, what) {
  assert.equal(await locator.count(), 1, `${what}: the element is in the page`);
  assert.equal(await locator.isVisible(), false, `${what}: and hidden`);
}

/** A digest of the canvas's pixels, to tell whether it was redrawn, and how many pixels are
 *  inked: drawn (not transparent: a canvas never drawn on is transparent black) and not near white
 *  (the page paints its canvases' backgrounds white). */
export function canvasDigest(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid='${id}']`);
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      h = (h * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) >>> 0;
      if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200)) inked++;
    }
    return { hash: h, inked, width: c.width, height: c.height };
  }, testid);
}

/** Waits until the canvas's pixels hash to something other than `hash` (canvasDigest's hash). */
export const redrawnFrom = (page, id, hash) =>
  page.waitForFunction(
    ([id, h]) => {
      const c = document.querySelector(`[data-testid='${id}']`);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let x = 0;
      for (let i = 0; i < d.length; i += 4) x = (x * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
      return x !== h;
    },
    [id, hash],
    { timeout: 10000 },
  );

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
