// End-to-end: the release build served on 127.0.0.1, loaded in headless Chromium like a student
// would, driven by the keyboard. Run by scripts/test.sh after `trunk build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, canvasDigest, redrawnFrom, registries } from './helpers.mjs';

const ctx = suite();
const ARTIFACTS = ctx.artifacts;

/** How blue the heatmap is (the most any pixel's blue exceeds its red, in a 9 × 9 patch: q's
 *  orange dots and the grey contours are not blue) at points given in the target's coordinates.
 *  Placed by q's handles: at step 0 q is N(0, I), its mean at (0, 0) and, mean-field, its
 *  handle at (2, 2). */
const blueAt = (page, points) =>
  page.evaluate((points) => {
    const c = document.querySelector("[data-testid='main-canvas']");
    const { mean: m, handle: h } = window.viHandles;
    const k = c.width / c.clientWidth;
    const ctx = c.getContext('2d');
    return points.map(([x, y]) => {
      const px = Math.round((m[0] + ((h[0] - m[0]) * x) / 2) * k);
      const py = Math.round((m[1] + ((h[1] - m[1]) * y) / 2) * k);
      const d = ctx.getImageData(px - 4, py - 4, 9, 9).data;
      let most = -255;
      for (let i = 0; i < d.length; i += 4) most = Math.max(most, d[i + 2] - d[i]);
      return most;
    });
  }, points);

test('the page loads clean and draws the correlated Gaussian', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.waitForFunction(() => document.querySelector("[data-testid='main-canvas']")?.width > 0);
  await assert.doesNotReject(page.getByRole('heading', { name: 'VI Playground' }).waitFor());
  // The page opens on the banana, whose heatmap has ink too: the correlated Gaussian must replace it.
  assert.equal(await page.getByTestId('target-select').inputValue(), 'banana');
  const banana = await canvasDigest(page, 'main-canvas');
  await page.getByTestId('target-select').selectOption('correlated');
  await redrawnFrom(page, 'main-canvas', banana.hash);
  const drawn = await canvasDigest(page, 'main-canvas');
  assert.notEqual(drawn.hash, banana.hash, 'the canvas was redrawn');
  assert.ok(drawn.inked > 0.05 * drawn.width * drawn.height, `the heatmap covers the canvas: ${JSON.stringify(drawn)}`);
  // And it is the correlated Gaussian (ρ = 0.9): dense along the diagonal, where p is 0.59 of its
  // peak at (1, 1), and blank across it, where p(1, −1) is e⁻¹⁰ of it. (The banana reads 30–55
  // at all four points, the correlated Gaussian about 140 and 8.)
  const [ne, sw, mid, se, nw] = await blueAt(page, [[1, 1], [-1, -1], [0.5, 0.5], [1, -1], [-1, 1]]);
  assert.ok(Math.min(ne, sw, mid) > 100 && Math.max(se, nw) < 25, `blue along the diagonal, not across it: ${[ne, sw, mid, se, nw]}`);
  assert.equal(await page.getByTestId('rho-value').textContent(), 'ρ = 0.90');
  assert.deepEqual(problems, []);
  await page.close();
});

test('moving the ρ slider with the keyboard redraws the density', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.waitForFunction(() => document.querySelector("[data-testid='main-canvas']")?.width > 0);
  await page.getByTestId('target-select').selectOption('correlated');
  const before = await canvasDigest(page, 'main-canvas');
  const slider = page.getByTestId('rho-slider');
  await slider.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByTestId('rho-value').textContent(), 'ρ = 0.70');
  await redrawnFrom(page, 'main-canvas', before.hash);
  const after = await canvasDigest(page, 'main-canvas');
  assert.notEqual(after.hash, before.hash, 'the canvas changed');
  await page.screenshot({ path: `${ARTIFACTS}/playground.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('every target draws without an error', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  const select = page.getByTestId('target-select');
  const names = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  // The menu is the engine's registry, as `vi-fit --list` prints it.
  assert.deepEqual(names, registries().targets);
  const seen = new Set();
  let shown = await select.inputValue();
  let last = await canvasDigest(page, 'main-canvas');
  for (const name of names) {
    await select.selectOption(name);
    // A new target redraws the canvas (choosing the one shown changes nothing).
    if (name !== shown) await redrawnFrom(page, 'main-canvas', last.hash);
    shown = name;
    last = await canvasDigest(page, 'main-canvas');
    assert.ok(last.inked > 0.05 * last.width * last.height, `${name}: drawn: ${JSON.stringify(last)}`);
    seen.add(last.hash);
    assert.equal(await page.getByTestId('status-message').textContent(), '', `${name}: no error message`);
  }
  assert.equal(seen.size, names.length, 'each target looks different');
  assert.deepEqual(problems, []);
  await page.close();
});
