// End-to-end: frame times while the page optimizes, measured by the page's own animation frames in
// headless Chromium at 1280×720, for every family at its default size and for the flow at its
// largest, alone and with an MCMC reference running beside it. The figures are printed for the
// record (issue 18 asks for 60 fps and no frame over 50 ms); a test asserts only what must hold on
// any machine: the page kept drawing and the fit kept stepping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { suite, openPage, ready, pause, registries, frames, canvasDigest, redrawnFrom, playPast } from './helpers.mjs';

const ctx = suite();

/** Plays for `ms` milliseconds (starting the MCMC reference first when `mcmc`) and returns the gaps
 *  between the page's animation frames over that time, measured inside the page. */
async function frameGaps(page, ms, mcmc) {
  await page.getByTestId('play-button').click();
  await frames(page, 30); // past the first refresh and the first chart
  if (mcmc) await page.getByTestId('mcmc-run-button').click();
  // Until `ms` have passed or, beside MCMC, the run has ended (the button says Stop while it runs).
  const { gaps, mcmcEnded } = await page.evaluate(
    ({ ms, mcmc }) =>
      new Promise((ok) => {
        const button = document.querySelector("[data-testid='mcmc-run-button']");
        const gaps = [];
        let last = performance.now();
        const end = last + ms;
        const tick = (t) => {
          gaps.push(t - last);
          last = t;
          const ended = mcmc && !button.textContent.includes('Stop');
          if (t < end && !ended) requestAnimationFrame(tick);
          else ok({ gaps, mcmcEnded: ended });
        };
        requestAnimationFrame(tick);
      }),
    { ms, mcmc },
  );
  const stats = await page.evaluate(() => window.viStats);
  await pause(page);
  if (mcmc && !mcmcEnded) await page.getByTestId('mcmc-run-button').click();
  return { gaps, mcmcEnded, drawMs: stats?.drawMs };
}

function summary(gaps) {
  const sorted = [...gaps].sort((a, b) => a - b);
  const total = gaps.reduce((s, g) => s + g, 0);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    fps: (gaps.length * 1000) / total,
    median: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
    over50: gaps.filter((g) => g > 50).length,
    n: gaps.length,
  };
}

const show = (s) =>
  `${s.fps.toFixed(1)} fps, frame median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)}, max ${s.max.toFixed(1)}, ${s.over50} of ${s.n} over 50 ms`;

test('frame times for every family, alone and beside an MCMC run (printed for the record)', async () => {
  const cases = registries().families.map((family) => ({ family, query: `?target=banana&family=${family}` }));
  cases.push({ family: 'flow at its largest (depth 8, width 64)', query: '?target=banana&family=flow&depth=8&width=64' });
  for (const { family, query } of cases) {
    for (const mcmc of [false, true]) {
      const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}${query}`);
      await ready(page);
      await page.getByTestId('speed-slider').fill('4'); // the step budget, not the slider, decides
      const before = Number.parseInt(await page.getByTestId('step-count').textContent(), 10);
      const { gaps, mcmcEnded, drawMs } = await frameGaps(page, 3000, mcmc);
      const after = Number.parseInt(await page.getByTestId('step-count').textContent(), 10);
      const s = summary(gaps);
      const span = gaps.reduce((a, g) => a + g, 0) / 1000;
      const beside = mcmc ? ` while MCMC ran (${span.toFixed(1)} s${mcmcEnded ? ', until it ended' : ''})` : '';
      console.log(`# frames banana ${family}${beside}: ${show(s)}, drawing ${drawMs?.toFixed(1)} ms a frame, ${after - before} steps`);
      assert.ok(s.n > 2, `${family}: the page kept drawing (${s.n} frames)`);
      assert.ok(after > before, `${family}: the fit kept stepping`);
      assert.deepEqual(problems, []);
      await page.close();
    }
  }
});

test('the Benchmark panel measures every row of vi-fit --bench-objectives in this browser', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=banana&family=flow&play=1`);
  await ready(page);
  await page.getByTestId('bench-panel').locator('summary').click();
  await page.getByTestId('bench-run-button').click();
  assert.equal(await page.getByTestId('play-button').getAttribute('aria-pressed'), 'false', 'the fit pauses');
  const cells = page.getByTestId('bench-table').locator('tbody tr');
  await page.waitForFunction(
    () => ![...document.querySelectorAll("[data-testid='bench-table'] tbody td.num")].some((td) => td.textContent === '—'),
    null,
    { timeout: 60000 },
  );
  const rows = await cells.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  // vi-fit's table: a header, then each row's label in 44 columns and its rate.
  const table = execFileSync('target/release/vi-fit', ['--bench-objectives', '--seconds', '0.001']).toString().split('\n');
  const labels = table.slice(table.findIndex((l) => l.startsWith('family, divergence')) + 1).filter(Boolean).map((l) => l.slice(0, 44).trim());
  assert.deepEqual(rows.map((r) => r[0]), labels, 'the rows vi-fit prints natively');
  for (const [label, rate] of rows) {
    console.log(`# benchmark panel: ${label}: ${rate} steps/s`);
    assert.ok(Number.parseFloat(rate.replace(/[^0-9.]/g, '')) > 0, `${label}: ${rate}`);
  }
  assert.equal(await page.getByTestId('bench-run-button').textContent(), 'Run benchmark', 'and it ends');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a hidden chart is not drawn while the fit plays, and is drawn once it is shown again', async () => {
  const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}?target=banana&family=full-rank&chart_hide=1`);
  await ready(page);
  const before = await canvasDigest(page, 'elbo-canvas');
  assert.equal(before.inked, 0, 'never drawn while hidden');
  assert.ok((await playPast(page, 20000)) > 20000, 'the fit played');
  assert.equal((await canvasDigest(page, 'elbo-canvas')).hash, before.hash, 'still not drawn after 20 000 steps');
  await page.getByTestId('show-menu').click();
  await page.getByTestId('show-chart').check();
  await redrawnFrom(page, 'elbo-canvas', before.hash);
  assert.ok((await canvasDigest(page, 'elbo-canvas')).inked > 100, 'drawn once shown');
  assert.deepEqual(problems, []);
  await page.close();
});
