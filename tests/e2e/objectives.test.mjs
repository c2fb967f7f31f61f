// End-to-end: the mixture, Rényi α, IWAE and the ln Z sandwich on the served release build. The
// sandwich is drawn (its two colours on the ELBO chart) and read out (ELBO ≤ ln Z ≤ CUBO₂); the α
// slider moves q from spanning both modes of the bimodal target to one; IWAE shows L_K; CUBO₂ reads
// ∞ on the banana with a Gaussian; links with each reopen the same run; the README's screenshot of
// a mixture covering the ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, ready, replayed, playPast, pause } from './helpers.mjs';

const ctx = suite();
const ARTIFACTS = ctx.artifacts;
const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
const num = async (page, id) => Number.parseFloat(await text(page, id));
/** The readout "−2.310 ≤ 0.000 ≤ 0.841" as three numbers (the page writes − for minus). */
const sandwich = async (page) => (await text(page, 'sandwich-value')).split('≤').map((s) => Number.parseFloat(s.replace('−', '-')));

/** Pixels of the ELBO chart within 40 (per channel) of the colour rgb. */
const pixelsOf = (page, rgb) =>
  page.evaluate((rgb) => {
    const c = document.querySelector("[data-testid='elbo-canvas']");
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40 && Math.abs(d[i + 2] - rgb[2]) < 40) n++;
    }
    return n;
  }, rgb);
// palette.rs: LOWER (the ELBO) and UPPER (CUBO₂).
const LOWER = [0, 114, 178];
const UPPER = [0, 135, 98];

test('the sandwich is drawn and read out, and the α slider moves q from both modes to one', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=bimodal&family=mean-field&div=renyi&alpha=-1&samples=64&seed=2`);
  await ready(page);
  await playPast(page, 4000);
  const [lower, logZ, upper] = await sandwich(page);
  assert.ok(lower < logZ && logZ < upper, `ELBO ${lower} ≤ ln Z ${logZ} ≤ CUBO₂ ${upper}`);
  assert.equal(logZ, await num(page, 'log-z-value'));
  const cubo = await num(page, 'cubo2-value');
  assert.ok(cubo > logZ, `exact CUBO₂ ${cubo}`);
  // α = −1 minimises CUBO₂ = ln Z − D₋₁: the readouts agree.
  assert.ok(Math.abs(cubo - (logZ - Number.parseFloat((await text(page, 'd-alpha-value')).replace('−', '-')))) < 0.002);
  assert.match(await page.locator('.readouts dt').first().locator('xpath=..').textContent(), /Step/);
  assert.match(await page.locator('.readouts').textContent(), /L_α \(avg\.\)/);
  // Spanning both modes: KL(q‖p) large (one mode alone would be ln 2 = 0.69).
  const spanning = await num(page, 'kl-qp-value');
  assert.ok(spanning > 2, `at α = −1 q spans both modes: KL(q‖p) ${spanning}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}/renyi-sandwich.png` });

  // α = 2: q lets go of one mode.
  await page.getByTestId('alpha-slider').fill('2');
  assert.equal(await text(page, 'alpha-value'), 'α = 2.00');
  await playPast(page, 4000);
  const one = await num(page, 'kl-qp-value');
  assert.ok(Math.abs(one - Math.log(2)) < 0.05, `at α = 2 q sits on one mode: KL(q‖p) ${one}`);
  // The chart draws the Rényi bound's own line, the ELBO below ln Z and CUBO₂ above it (at α = −1
  // the bound was CUBO₂ itself, drawn over by its running average).
  assert.ok((await pixelsOf(page, UPPER)) > 200, 'CUBO₂ drawn');
  assert.ok((await pixelsOf(page, LOWER)) > 200, 'the ELBO drawn');
  const [lower2, , upper2] = await sandwich(page);
  assert.ok(lower2 < logZ && logZ < upper2, `α = 2: ELBO ${lower2} ≤ ln Z ${logZ} ≤ CUBO₂ ${upper2}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}/renyi-one-mode.png` });
  assert.equal(await text(page, 'status-message'), '');
  assert.deepEqual(problems, []);
  await page.close();
});

test('IWAE shows its bound L_K between the ELBO and ln Z; CUBO₂ reads ∞ on the banana', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=banana&family=full-rank&div=iwae&iwk=16&seed=1`);
  await ready(page);
  await playPast(page, 3000);
  assert.match(await page.locator('.readouts').textContent(), /L_K, K = 16/);
  const [value, se] = (await text(page, 'iwae-bound-value')).split('±').map((s) => Number.parseFloat(s.replace('−', '-')));
  const [lower, logZ] = await sandwich(page);
  assert.ok(value > lower && value < logZ + 3 * se, `ELBO ${lower} < L_16 ${value} ± ${se} ≤ ln Z ${logZ}`);
  // The banana's y has exponential tails: E_q[(p/q)²] is infinite for any Gaussian.
  assert.equal(await text(page, 'cubo2-value'), '∞');
  assert.equal(await text(page, 'status-message'), '');
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [what, query] of [
  ['the mixture', 'target=ring&modes=6&family=mixture&k=6&cov=diagonal&seed=2'],
  ['Rényi α', 'target=bimodal&family=full-rank&div=renyi&alpha=-0.5&rest=renyi-reparam&seed=3'],
  ['IWAE', 'target=banana&family=flow&div=iwae&iwk=4&iwest=dreg&samples=2&seed=4'],
]) {
  test(`a link with ${what} reopens the same run`, async () => {
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?${query}&speed=1000`);
    await ready(page);
    const step = await playPast(page, 1500);
    const read = async (p) => ({
      step: await text(p, 'step-count'),
      elbo: await text(p, 'elbo-value'),
      kl: await text(p, 'kl-qp-value'),
      sandwich: await text(p, 'sandwich-value'),
      cubo: await text(p, 'cubo2-value'),
    });
    const before = await read(page);
    await page.getByTestId('copy-link-button').click();
    const link = await page.getByTestId('link-output').inputValue();
    assert.match(link, new RegExp(`[?&]step=${step}(&|$)`));
    for (const key of query.split('&').map((kv) => kv.split('=')[0])) assert.match(link, new RegExp(`[?&]${key}=`), `${key} in ${link}`);
    const fresh = await openPage(ctx.browser, link);
    await ready(fresh.page);
    await replayed(fresh.page);
    assert.deepEqual(await read(fresh.page), before);
    assert.deepEqual([...problems, ...fresh.problems], []);
    await fresh.page.close();
    await page.close();
  });
}

test('screenshot: a mixture covering the ring (README)', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=ring&modes=6&family=mixture&k=6&seed=2`);
  await ready(page);
  await playPast(page, 6000);
  await pause(page);
  assert.ok((await num(page, 'kl-qp-value')) < 0.02, 'every mode covered');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}/mixture-ring.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('dragging a mixture component by its centre moves that component alone; the cross moves them all', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=bimodal&family=mixture&k=2&seed=2`);
  await ready(page);
  await page.getByTestId('step-button').click();
  await page.waitForFunction(() => window.viHandles?.components?.length === 2);
  const canvas = await page.getByTestId('main-canvas').boundingBox();
  const h = await page.evaluate(() => window.viHandles);
  const klBefore = await text(page, 'kl-qp-value');
  const [c0, c1] = h.components;
  await page.mouse.move(canvas.x + c0[0], canvas.y + c0[1]);
  await page.mouse.down();
  await page.mouse.move(canvas.x + c0[0] + 50, canvas.y + c0[1] + 30, { steps: 5 });
  await page.mouse.up();
  const moved = await page.evaluate(() => window.viHandles);
  assert.ok(Math.abs(moved.components[0][0] - c0[0] - 50) < 2 && Math.abs(moved.components[0][1] - c0[1] - 30) < 2, `component 0 followed: ${JSON.stringify([h, moved])}`);
  assert.deepEqual(moved.components[1], c1, 'component 1 stayed');
  assert.notEqual(await text(page, 'kl-qp-value'), klBefore, 'the numbers follow');
  assert.equal(await text(page, 'step-count'), '1', 'dragging takes no step');
  // Arrow keys on the focused canvas move the whole mixture.
  await page.getByTestId('main-canvas').focus();
  await page.keyboard.press('ArrowRight');
  const keyed = await page.evaluate(() => window.viHandles);
  for (const k of [0, 1]) assert.ok(keyed.components[k][0] > moved.components[k][0] + 1, `component ${k} moved right`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link pairing the mixture with IWAE opens with reverse KL and says why', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=ring&modes=6&family=mixture&k=6&div=iwae`);
  await ready(page);
  assert.match(await text(page, 'status-message'), /div=iwae \(IWAE bound .* needs q to be one invertible map/);
  assert.equal(await page.getByTestId('divergence-select').inputValue(), 'reverse');
  assert.ok((await playPast(page, 500)) > 500, 'the mixture plays');
  assert.ok(Number.isFinite(await num(page, 'kl-qp-value')));
  assert.deepEqual(problems, []);
  await page.close();
});
