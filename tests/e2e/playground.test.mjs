// End-to-end: the release build served on 127.0.0.1, loaded in headless Chromium like a student
// would, driven by the keyboard. Run by scripts/test.sh after `trunk build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, canvasDigest } from './helpers.mjs';

const ctx = suite();
const ARTIFACTS = ctx.artifacts;

test('the page loads clean and draws the correlated Gaussian', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.waitForFunction(() => document.querySelector("[data-testid='main-canvas']")?.width > 0);
  await assert.doesNotReject(page.getByRole('heading', { name: 'VI Playground' }).waitFor());
  await page.getByTestId('target-select').selectOption('correlated');
  const drawn = await canvasDigest(page, 'main-canvas');
  assert.ok(drawn.inked > 0.05 * drawn.width * drawn.height, `the heatmap covers the canvas: ${JSON.stringify(drawn)}`);
  assert.equal(await page.getByTestId('param-value').textContent(), 'ρ = 0.90');
  assert.deepEqual(problems, []);
  await page.close();
});

test('moving the ρ slider with the keyboard redraws the density', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.waitForFunction(() => document.querySelector("[data-testid='main-canvas']")?.width > 0);
  await page.getByTestId('target-select').selectOption('correlated');
  const before = await canvasDigest(page, 'main-canvas');
  const slider = page.getByTestId('param-slider');
  await slider.focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByTestId('param-value').textContent(), 'ρ = 0.70');
  await page.waitForFunction(
    (h) => {
      const c = document.querySelector("[data-testid='main-canvas']");
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let x = 0;
      for (let i = 0; i < d.length; i += 4) x = (x * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
      return x !== h;
    },
    before.hash,
  );
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
  assert.deepEqual(names.sort(), ['banana', 'bimodal', 'correlated']);
  const seen = new Set();
  for (const name of names) {
    await select.selectOption(name);
    await page.waitForTimeout(100);
    const d = await canvasDigest(page, 'main-canvas');
    seen.add(d.hash);
    assert.equal(await page.getByTestId('status-message').textContent(), '', `${name}: no error message`);
  }
  assert.equal(seen.size, names.length, 'each target looks different');
  assert.deepEqual(problems, []);
  await page.close();
});
