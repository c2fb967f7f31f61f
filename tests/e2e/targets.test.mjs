// End-to-end: the second wave's targets on the served release build. Clicking data into the
// logistic posterior changes ln Z and the fit (mouse and keyboard); a bad formula shows its error
// under the field with its position while the page keeps running; links with data or a formula
// reopen the same run; screenshots of the funnel, the ring and the data panel for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, ready, replayed, playPast, pause, canvasDigest } from './helpers.mjs';

const ctx = suite();
const ARTIFACTS = ctx.artifacts;
const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
const num = async (page, id) => Number.parseFloat(await text(page, id));
/** Waits until a readout differs from `was`. */
const changed = (page, id, was) =>
  page.waitForFunction(([id, was]) => document.querySelector(`[data-testid='${id}']`)?.textContent.trim() !== was, [id, was], { timeout: 10000 });

test('clicking data into the logistic posterior changes ln Z and the fit; keys do the same; clear leaves the prior', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=logistic&family=full-rank`);
  await ready(page);
  const panel = page.getByTestId('data-panel');
  await panel.waitFor();
  const count = async () => Number.parseInt(await text(page, 'data-count'), 10);
  assert.equal(await count(), 9, 'the default data set');
  await playPast(page, 2000);
  const before = { logZ: await text(page, 'log-z-value'), kl: await num(page, 'kl-qp-value'), step: await num(page, 'step-count') };
  const canvas = page.getByTestId('data-canvas');
  const box = await canvas.boundingBox();
  // A class-1 point at the left (x ≈ −2: against the trend, so the posterior moves).
  await page.getByTestId('data-class-1').check();
  await canvas.click({ position: { x: box.width * 0.22, y: box.height * 0.2 } });
  await changed(page, 'log-z-value', before.logZ);
  assert.equal(await count(), 10, 'a click added a point');
  assert.equal(await num(page, 'step-count'), 0, 'the fit restarted on the new posterior');
  const added = await text(page, 'log-z-value');
  assert.notEqual(added, before.logZ);
  // The data travel in the link.
  assert.match(await page.getByTestId('data-input').inputValue(), /^0\.2:0,.*:1$/);

  // Clicking the same place removes it again: back to the first ln Z.
  await canvas.click({ position: { x: box.width * 0.22, y: box.height * 0.2 } });
  await changed(page, 'log-z-value', added);
  assert.equal(await text(page, 'log-z-value'), before.logZ, 'removing the point restores ln Z');
  assert.equal(await count(), 9);

  // The keyboard: focus the panel, move the cursor, add a class-0 point, delete it.
  await canvas.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('0');
  await changed(page, 'log-z-value', before.logZ);
  assert.equal(await count(), 10, 'the 0 key added a point');
  assert.match(await page.getByTestId('data-input').inputValue(), /,-1\.\d+:0$/, 'at the cursor, half a unit right of the click');
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => Number.parseInt(document.querySelector("[data-testid='data-count']").textContent, 10) === 9);

  // Clear: the posterior is the prior, ln Z = 0 exactly (science.md).
  await page.getByTestId('data-clear').click();
  await page.waitForFunction(() => document.querySelector("[data-testid='log-z-value']").textContent.trim() === '0.000');
  assert.equal(await count(), 0);
  await page.getByTestId('data-default').click();
  await page.waitForFunction(() => Number.parseInt(document.querySelector("[data-testid='data-count']").textContent, 10) === 9);

  // The MCMC reference follows the data: run it, add a point, and it runs again by itself.
  await page.getByTestId('mcmc-run-button').click();
  await page.getByTestId('mcmc-summary').waitFor({ timeout: 30000 });
  await playPast(page, 3000);
  const drawn = await canvasDigest(page, 'data-canvas');
  assert.ok(drawn.inked > 0.05 * drawn.width * drawn.height, `the data panel is drawn: ${JSON.stringify(drawn)}`);
  await page.screenshot({ path: `${ARTIFACTS}/logistic-data-panel.png`, fullPage: true });
  await page.getByTestId('data-class-0').check();
  await canvas.click({ position: { x: box.width * 0.85, y: box.height * 0.8 } });
  await page.getByTestId('mcmc-progress').waitFor({ timeout: 5000 });
  await page.getByTestId('mcmc-summary').waitFor({ timeout: 30000 });
  assert.equal(await text(page, 'status-message'), '');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad formula shows its error under the field and the page keeps running; a good one replaces the target', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=formula`);
  await ready(page);
  const field = page.getByTestId('formula-input');
  await field.waitFor();
  const logZ = await text(page, 'log-z-value');
  await field.fill('-(x^2 + y^2)/2 + foo');
  await page.getByTestId('formula-error').filter({ hasText: "at character 18: unknown name 'foo'" }).waitFor();
  assert.equal(await text(page, 'log-z-value'), logZ, 'the target in use stays');
  // The page keeps running.
  assert.ok((await playPast(page, 1000)) > 1000);
  await field.fill('-(x^2 + y^2)/2 2');
  await page.getByTestId('formula-error').filter({ hasText: 'at character 16' }).waitFor();
  await field.fill('-(x^2 + y^2)/2');
  await page.waitForFunction(() => document.querySelector("[data-testid='formula-error']").textContent === '');
  // ln Z of a standard normal cut to [−4, 4]²: ln 2π + 2 ln(1 − 2Φ(−4)) = 1.8378.
  await page.waitForFunction(() => document.querySelector("[data-testid='log-z-value']").textContent.trim() === '1.838');
  // A box the page refuses, in words.
  await page.getByTestId('box-input').fill('4,-4,-4,4');
  await page.getByTestId('box-input').press('Enter');
  await page.getByTestId('box-error').filter({ hasText: 'x0 < x1' }).waitFor();
  assert.equal(await text(page, 'status-message'), '');
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [what, query] of [
  ['data', 'target=logistic&data=-1.5:0,-0.5:0,0.25:1,0.5:0,1.75:1&family=full-rank&seed=5'],
  ['a formula', `target=formula&formula=${encodeURIComponent('logsumexp(-((x-1)^2+y^2)/0.5, -((x+1)^2+y^2)/0.5)')}&box=-3,3,-3,3&seed=4`],
]) {
  test(`a link with ${what} reopens the same run`, async () => {
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?${query}&speed=1000`);
    await ready(page);
    const step = await playPast(page, 1500);
    const before = { step: await text(page, 'step-count'), elbo: await text(page, 'elbo-value'), logZ: await text(page, 'log-z-value'), kl: await text(page, 'kl-qp-value') };
    await page.getByTestId('copy-link-button').click();
    const link = await page.getByTestId('link-output').inputValue();
    assert.match(link, new RegExp(`[?&]step=${step}(&|$)`));
    const fresh = await openPage(ctx.browser, link);
    await ready(fresh.page);
    await replayed(fresh.page);
    const after = { step: await text(fresh.page, 'step-count'), elbo: await text(fresh.page, 'elbo-value'), logZ: await text(fresh.page, 'log-z-value'), kl: await text(fresh.page, 'kl-qp-value') };
    assert.deepEqual(after, before);
    assert.deepEqual([...problems, ...fresh.problems], []);
    await fresh.page.close();
    await page.close();
  });
}

test('a gallery preset sets target, families and divergences in one click, and gives its link', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await ready(page);
  await page.getByTestId('gallery').getByTestId('lesson-ring').click();
  await page.waitForFunction(() => document.querySelector("[data-testid='target-select']").value === 'ring');
  assert.equal(await page.getByTestId('divergence-select').inputValue(), 'reverse');
  await page.getByTestId('main-canvas-2').waitFor();
  const look = page.getByTestId('lesson-look-for');
  assert.match(await look.textContent(), /one stretch of the ring/);
  assert.match(await look.locator('a').getAttribute('href'), /^\?target=ring&modes=8&/);
  await playPast(page, 500);
  assert.equal(await text(page, 'status-message'), '');
  assert.deepEqual(problems, []);
  await page.close();
});

test('screenshots: the funnel and the ring', async () => {
  for (const [name, query] of [
    ['funnel-flow', 'target=funnel&tau=1.5&family=flow&seed=2'],
    ['ring-forward', 'target=ring&modes=8&family=full-rank&div=forward&seed=1'],
  ]) {
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?${query}`);
    await ready(page);
    await playPast(page, 4000);
    await pause(page);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
    assert.equal(await text(page, 'status-message'), '', name);
    assert.deepEqual(problems, []);
    await page.close();
  }
});
