// End-to-end: the live playground on the served release build. Every target × family × divergence
// plays and improves its objective; the MCMC panel flags mean-field's sd; a late frame still steps;
// an absurd learning rate shows the diverged message and reset recovers; frame rates are measured;
// screenshots are taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, canvasDigest } from './helpers.mjs';

const ctx = suite();
const ARTIFACTS = ctx.artifacts;

/** A screenshot of the page from its top, for the README (copied to docs/ by hand). */
async function shot(page, name, options = {}) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, ...options });
}

const num = async (page, id) => Number.parseFloat(await page.getByTestId(id).textContent());

async function configure(page, { target, family, divergence }) {
  await page.getByTestId('target-select').selectOption(target);
  await page.getByTestId('family-select').selectOption(family);
  await page.getByTestId('divergence-select').selectOption(divergence);
  await page.getByTestId('reset-button').click();
}

/** Plays for `ms` and pauses; resolves to window.viStats as it was while playing. */
async function play(page, ms) {
  await page.getByTestId('play-button').click();
  await page.waitForTimeout(ms);
  const stats = await page.evaluate(() => window.viStats);
  await page.getByTestId('play-button').click();
  await page.waitForTimeout(300); // the loop's last frame refreshes the exact diagnostics
  return stats;
}

test('every target × family × divergence plays and improves its objective', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  for (const target of ['banana', 'bimodal', 'correlated']) {
    for (const family of ['mean-field', 'full-rank', 'flow']) {
      for (const divergence of ['reverse', 'forward']) {
        const what = `${target} / ${family} / ${divergence}`;
        await configure(page, { target, family, divergence });
        assert.equal(await num(page, 'step-count'), 0, what);
        const kl = divergence === 'reverse' ? 'kl-qp-value' : 'kl-pq-value';
        const before = await num(page, kl);
        await play(page, 2000);
        const steps = await num(page, 'step-count');
        const after = await num(page, kl);
        assert.ok(steps > 500, `${what}: only ${steps} steps`);
        for (const id of ['elbo-value', 'kl-qp-value', 'kl-pq-value']) {
          assert.ok(Number.isFinite(await num(page, id)), `${what}: ${id} is not a number`);
        }
        assert.equal(await page.getByTestId('status-message').textContent(), '', `${what}: no error`);
        if (target === 'correlated' && family === 'mean-field' && divergence === 'forward') {
          // N(0, I), where every fit starts, already is this optimum, KL(p‖q) = −½ ln(1 − ρ²) = 0.830:
          // the fit can only jitter around it (SNIS at S = 8, lr 0.05: seen 0.830–0.963).
          const optimum = -0.5 * Math.log(1 - 0.81);
          assert.ok(before - optimum < 0.001 && after - optimum < 0.25, `${what}: KL(p‖q) ${before} → ${after}`);
        } else {
          assert.ok(after < before, `${what}: ${kl} went from ${before} to ${after}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the MCMC panel flags the mean-field sd on the correlated Gaussian, and not the full-rank one', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await configure(page, { target: 'correlated', family: 'mean-field', divergence: 'reverse' });
  await play(page, 1500);
  await page.getByTestId('mcmc-run-button').click();
  await page.getByTestId('bias-table').waitFor({ timeout: 20000 });
  const flags = await page.getByTestId('bias-table').locator('tbody tr').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.quantity, r.dataset.flagged === 'true'])),
  );
  assert.equal(flags['sd x'], true, JSON.stringify(flags));
  assert.equal(flags['sd y'], true, JSON.stringify(flags));
  assert.equal(flags['mean x'], false, JSON.stringify(flags));
  assert.match(await page.getByTestId('mcmc-summary').textContent(), /8000 draws/);
  const hist = await canvasDigest(page, 'marginals-canvas');
  assert.ok(hist.inked > 0.02 * hist.width * hist.height, `marginal histograms drawn: ${JSON.stringify(hist)}`);
  await shot(page, 'correlated-mean-field-mcmc', { fullPage: true });

  // The same reference against a full-rank fit: nothing flagged.
  await page.getByTestId('family-select').selectOption('full-rank');
  await play(page, 1500);
  const flagged = await page.getByTestId('bias-table').locator('tr.flagged').count();
  assert.equal(flagged, 0, 'full-rank rows flagged');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a frame that starts late still steps: a busy machine does not pause the fit (or cut a replay short)', async () => {
  // On a loaded two-core CI machine the renderer can be pre-empted for milliseconds between a
  // frame's start and its first time check (and a slow canvas leaves the steps only 2 ms). That
  // once paused the fit by itself (a zero-step frame read as a fit that cannot step) and could end
  // a link's replay early. Simulated here: every reading of the clock is 31 ms after the last,
  // more than any budget (a replay's 30 ms).
  const { page, problems } = await openPage(ctx.browser, 'about:blank');
  await page.addInitScript(() => {
    const real = performance.now.bind(performance);
    let extra = 0;
    performance.now = () => real() + (extra += 31);
  });
  await page.goto(`${ctx.server.url}?target=banana&seed=2&speed=10&step=40`);
  await page.waitForFunction(() => document.querySelector("[data-testid='step-count']")?.textContent === '40', null, {
    timeout: 10000,
  });
  await page.getByTestId('play-button').click();
  await page.waitForTimeout(800);
  assert.equal(await page.getByTestId('play-button').getAttribute('aria-pressed'), 'true', 'still playing');
  const a = await num(page, 'step-count');
  await page.waitForTimeout(400);
  assert.ok((await num(page, 'step-count')) > a && a > 40, `it went on stepping from ${a}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an absurd learning rate shows the diverged message and reset recovers', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.getByTestId('lr-input').fill('100');
  await page.getByTestId('lr-input').press('Enter');
  await page.getByTestId('play-button').click();
  await page.waitForFunction(() => document.querySelector("[data-testid='status-message']").textContent.includes('diverged'));
  assert.equal(await page.getByTestId('play-button').textContent(), 'Play', 'a diverged fit pauses');
  await page.getByTestId('lower-lr-button').click();
  assert.equal(await page.getByTestId('lr-input').inputValue(), '10');
  await page.getByTestId('reset-button').click();
  assert.equal(await num(page, 'step-count'), 0);
  assert.equal(await page.getByTestId('status-message').textContent(), '');
  await page.getByTestId('lr-input').fill('0.05');
  await page.getByTestId('lr-input').press('Enter');
  await play(page, 800);
  assert.ok((await num(page, 'step-count')) > 100);
  assert.equal(await page.getByTestId('status-message').textContent(), '');
  // A garbled value is refused in words and the field keeps the old one.
  await page.getByTestId('samples-input').fill('many');
  await page.getByTestId('samples-input').press('Enter');
  assert.match(await page.getByTestId('status-message').textContent(), /Samples must be a whole number/);
  assert.equal(await page.getByTestId('samples-input').inputValue(), '8');
  assert.deepEqual(problems, []);
  await page.close();
});

test('frame rate and optimizer speed while playing each family (printed for the record)', async () => {
  const { page, problems } = await openPage(ctx.browser, ctx.server.url);
  await page.getByTestId('speed-slider').fill('4'); // up to 10 000 steps per frame: the 8 ms budget decides
  for (const family of ['mean-field', 'full-rank', 'flow']) {
    await configure(page, { target: 'banana', family, divergence: 'reverse' });
    const s = await play(page, 3000);
    console.log(`# perf banana ${family}: ${s.fps.toFixed(1)} fps, ${Math.round(s.stepsPerSec)} steps/s, ${s.msPerFrame.toFixed(1)} ms/frame`);
    assert.ok(s.fps > 20, `${family}: ${s.fps} fps`);
    if (family === 'flow') await shot(page, 'banana-flow');
  }
  await configure(page, { target: 'bimodal', family: 'full-rank', divergence: 'forward' });
  await play(page, 1500);
  await shot(page, 'bimodal-forward');
  assert.deepEqual(problems, []);
  await page.close();
});
