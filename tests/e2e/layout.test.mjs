// End-to-end: the fit fills the screen. At the window sizes of laptops and classroom projectors,
// with presenter mode off and on, and on a phone, the test measures the canvases' boxes, sideways
// scrolling and anything clipped, and writes a screenshot of each size to tests/e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, openPage, ready, replayed, assertHidden } from './helpers.mjs';

const ctx = suite();

/** Laptops and the projectors lecture halls run (1024 × 768 and 1280 × 720 above all). */
const SCREENS = [
  [1024, 768],
  [1280, 720],
  [1366, 768],
  [1920, 1080],
];
const LINK = '?target=banana&family=full-rank&seed=1&step=3000';

/** What the page looks like: every visible canvas's box, the window, sideways scrolling, and the
 *  elements whose content is cut off. An element is clipped when its content is wider than its box
 *  and the box does not scroll, or when it sticks out of a box that hides overflow, or out of the
 *  left or top of a scrolling box (no scrollbar reaches there). */
function measure(page) {
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width, height: r.height, right: r.right, bottom: r.bottom };
    };
    const shown = (el) => {
      // What a closed menu holds is not shown (Chromium still gives it a box).
      const menu = el.closest('details:not([open])');
      if (menu && !menu.querySelector(':scope > summary').contains(el)) return false;
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    };
    const name = (el) => {
      const id = el.dataset.testid ?? el.querySelector('[data-testid]')?.dataset.testid;
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : '';
      return `${el.tagName.toLowerCase()}${cls}${id ? ` (${id})` : ''}`;
    };
    const scrolls = (v) => v === 'auto' || v === 'scroll';
    const clipped = [];
    const all = [...document.querySelectorAll('[data-testid="app"] *')].filter(shown);
    for (const el of all) {
      const s = getComputedStyle(el);
      // (A text field scrolls its own text: a long link in one is not clipped.)
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !scrolls(s.overflowX) && s.display !== 'inline' && el.tagName !== 'INPUT') {
        clipped.push(`${name(el)}: content ${el.scrollWidth} px wide in a box of ${el.clientWidth}`);
      }
      // The nearest ancestor that clips or scrolls.
      let a = el.parentElement;
      while (a && getComputedStyle(a).overflowX === 'visible' && getComputedStyle(a).overflowY === 'visible') a = a.parentElement;
      if (!a || a === document.documentElement || a === document.body) continue;
      const as = getComputedStyle(a);
      const r = el.getBoundingClientRect();
      const p = a.getBoundingClientRect();
      const leftOut = r.left < p.left + a.clientLeft - 1;
      const topOut = r.top < p.top + a.clientTop - 1;
      const rightOut = r.right > p.left + a.clientLeft + a.clientWidth + 1;
      const bottomOut = r.bottom > p.top + a.clientTop + a.clientHeight + 1;
      if (leftOut && a.scrollLeft === 0) clipped.push(`${name(el)} sticks out left of ${name(a)}`);
      if (topOut && a.scrollTop === 0) clipped.push(`${name(el)} sticks out above ${name(a)}`);
      if (rightOut && !scrolls(as.overflowX)) clipped.push(`${name(el)} is cut at the right of ${name(a)}`);
      if (bottomOut && !scrolls(as.overflowY)) clipped.push(`${name(el)} is cut at the bottom of ${name(a)}`);
    }
    // Every control in view can be reached: the point at its centre is the control itself, not
    // something laid over it.
    const covered = [];
    for (const el of all.filter((e) => e.matches('button, input, select, summary, a[href]'))) {
      const r = el.getBoundingClientRect();
      const [cx, cy] = [r.left + r.width / 2, r.top + r.height / 2];
      let visible = cx >= 0 && cy >= 0 && cx < innerWidth && cy < innerHeight;
      for (let a = el.parentElement; a && visible; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
          const p = a.getBoundingClientRect();
          visible = cx >= p.left && cx <= p.right && cy >= p.top && cy <= p.bottom;
        }
      }
      const hit = visible && document.elementFromPoint(cx, cy);
      if (visible && !(hit === el || el.contains(hit) || hit?.contains(el))) covered.push(`${name(el)} under ${hit ? name(hit) : 'nothing'}`);
    }
    const canvases = [...document.querySelectorAll('[data-testid="app"] canvas')].filter(shown).map((c) => ({ id: c.dataset.testid, ...box(c) }));
    const byId = (id) => {
      const el = document.querySelector(`[data-testid='${id}']`);
      return el && shown(el) ? box(el) : null;
    };
    return {
      win: { width: innerWidth, height: innerHeight },
      scroll: { width: document.documentElement.scrollWidth, x: scrollX, y: scrollY },
      canvases,
      fit: byId('main-canvas'),
      fit2: byId('main-canvas-2'),
      elbo: byId('elbo-canvas'),
      numbers: ['step-count', 'elbo-value', 'log-z-value', 'kl-qp-value', 'kl-pq-value'].map(byId),
      numberFont: parseFloat(getComputedStyle(document.querySelector("[data-testid='kl-qp-value']")).fontSize),
      controls: byId('target-select'),
      clipped,
      covered,
      // Numbers written with a sign on zero ("-0.000"), wherever the page shows numbers.
      signedZeros: [...document.querySelectorAll('[data-testid="app"] :is(dd, td, .mcmc-summary, .readout)')]
        .map((el) => el.textContent)
        .filter((t) => /(^|[^\d.])-0(\.0+)?(?![\d.]*[1-9])/.test(t)),
    };
  });
}

const inView = (b, win) => b && b.x >= -0.5 && b.y >= -0.5 && b.right <= win.width + 0.5 && b.bottom <= win.height + 0.5;
const fmt = (b) => (b ? `${Math.round(b.width)}×${Math.round(b.height)} at (${Math.round(b.x)}, ${Math.round(b.y)})` : 'none');

/** Points 1 and 3 of the layout, for one window: nothing scrolls sideways, nothing is clipped, the
 *  fit's canvas is the largest canvas. */
function assertCommon(m, label) {
  assert.ok(m.scroll.width <= m.win.width, `${label}: no sideways scrolling (${m.scroll.width} > ${m.win.width})`);
  assert.deepEqual(m.clipped, [], `${label}: nothing clipped`);
  assert.deepEqual(m.covered, [], `${label}: no control lies under something else`);
  assert.deepEqual(m.signedZeros, [], `${label}: no number is written "-0"`);
  assert.ok(m.fit, `${label}: the fit's canvas is shown`);
  for (const c of m.canvases) {
    if (c.id !== 'main-canvas' && c.id !== 'main-canvas-2') {
      assert.ok(c.width * c.height < m.fit.width * m.fit.height, `${label}: the fit (${fmt(m.fit)}) is larger than ${c.id} (${fmt(c)})`);
    }
  }
}

for (const [w, h] of SCREENS) {
  test(`at ${w}×${h} the fit comes first: the largest thing, wholly in view, at least 45 % of the height`, async () => {
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}${LINK}`, { width: w, height: h });
    await ready(page);
    await replayed(page);
    const m = await measure(page);
    console.log(`# ${w}×${h}: fit ${fmt(m.fit)}, ELBO chart ${fmt(m.elbo)}`);
    await page.screenshot({ path: `${ctx.artifacts}/screen-${w}x${h}.png` });
    assertCommon(m, `${w}×${h}`);
    assert.ok(inView(m.fit, m.win), `${w}×${h}: the fit is wholly in view: ${fmt(m.fit)}`);
    assert.ok(m.fit.height >= 0.45 * h, `${w}×${h}: the fit is ${m.fit.height} px tall, under 45 % of ${h}`);
    assert.ok(inView(m.controls, m.win), `${w}×${h}: the controls are in view beside the fit: ${fmt(m.controls)}`);
    // A message on the status line (above the fit) makes room for itself and its button.
    await page.getByTestId('copy-link-button').click();
    await page.getByRole('button', { name: 'Dismiss' }).waitFor();
    const msg = await measure(page);
    assertCommon(msg, `${w}×${h} with a message`);
    assert.ok(inView(msg.fit, msg.win), `${w}×${h} with a message: the fit is still wholly in view: ${fmt(msg.fit)}`);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`presenter mode at ${w}×${h}: the fit at least 60 % of the height, the chart and key numbers beside it, the controls in a drawer`, async () => {
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}${LINK}&presenter=1`, { width: w, height: h });
    await ready(page);
    await replayed(page);
    const m = await measure(page);
    console.log(`# presenter ${w}×${h}: fit ${fmt(m.fit)}, ELBO chart ${fmt(m.elbo)}`);
    await page.screenshot({ path: `${ctx.artifacts}/presenter-layout-${w}x${h}.png` });
    assertCommon(m, `presenter ${w}×${h}`);
    assert.ok(inView(m.fit, m.win), `presenter ${w}×${h}: the fit is wholly in view at load: ${fmt(m.fit)}`);
    assert.ok(m.fit.height >= 0.6 * h, `presenter ${w}×${h}: the fit is ${m.fit.height} px tall, under 60 % of ${h}`);
    // Presenter mode's larger type does not cost the fit: it is at least as large as without.
    const plain = await openPage(ctx.browser, `${ctx.server.url}${LINK}`, { width: w, height: h });
    await ready(plain.page);
    await replayed(plain.page);
    const plainFit = (await measure(plain.page)).fit;
    await plain.page.close();
    assert.ok(m.fit.width >= plainFit.width, `presenter ${w}×${h}: the fit (${fmt(m.fit)}) is no smaller than without presenter mode (${fmt(plainFit)})`);
    // Beside it: the chart (at least a sixth of the width) and the numbers, large.
    assert.ok(inView(m.elbo, m.win) && m.elbo.width >= w / 6, `presenter ${w}×${h}: the chart is in view and legible: ${fmt(m.elbo)}`);
    assert.ok(m.elbo.x >= m.fit.right, `presenter ${w}×${h}: the chart is beside the fit`);
    m.numbers.forEach((b, i) => assert.ok(inView(b, m.win), `presenter ${w}×${h}: key number ${i} in view: ${fmt(b)}`));
    assert.ok(m.numberFont >= 24, `presenter ${w}×${h}: the numbers are large: ${m.numberFont} px`);
    // The controls: folded away, one click (or the key o) opens them, and the fit stays in view.
    // (measure gives null for a control that is missing as well as for one not shown.)
    assert.equal(m.controls, null, 'the controls start folded away');
    await assertHidden(page.getByTestId('target-select'), 'the controls start folded away');
    await page.getByTestId('drawer-button').click();
    await page.getByTestId('target-select').waitFor({ state: 'visible' });
    const open = await measure(page);
    assert.ok(inView(open.controls, open.win), `presenter ${w}×${h}: the opened controls are in view: ${fmt(open.controls)}`);
    assert.ok(inView(open.fit, open.win), `presenter ${w}×${h}: with the controls open the fit stays in view: ${fmt(open.fit)}`);
    assertCommon(open, `presenter ${w}×${h}, controls open`);
    await page.keyboard.press('o');
    await page.getByTestId('target-select').waitFor({ state: 'hidden' });
    await assertHidden(page.getByTestId('target-select'), 'o folds the controls away again');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('side by side: both fits as large as their column allows, the same size, side by side and in view', async () => {
  for (const [w, h, extra] of [
    [1280, 720, ''],
    [1920, 1080, ''],
    [1024, 768, '&presenter=1'],
    [1366, 768, '&presenter=1'],
  ]) {
    const label = `side by side ${w}×${h}${extra ? ', presenter' : ''}`;
    const link = `?compare=1&target=bimodal&family=full-rank&div2=forward${extra}`;
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}${link}`, { width: w, height: h });
    await ready(page);
    await page.getByTestId('main-canvas-2').waitFor();
    const m = await measure(page);
    // The column the layout gives the fits (a grid track: it does not depend on the canvases).
    const column = await page.evaluate(() => {
      const r = document.querySelector('section.plot').getBoundingClientRect();
      return { width: r.width, bottom: r.bottom };
    });
    console.log(`# ${label}: ${fmt(m.fit)} and ${fmt(m.fit2)} in a column ${Math.round(column.width)} wide`);
    await page.screenshot({ path: `${ctx.artifacts}/side-by-side-${w}x${h}${extra ? '-presenter' : ''}.png` });
    assertCommon(m, label);
    assert.ok(Math.abs(m.fit.width - m.fit2.width) < 1, `${label}: the two fits are the same size`);
    assert.ok(Math.abs(m.fit.y - m.fit2.y) < 1 && m.fit2.x >= m.fit.right, `${label}: side by side`);
    assert.ok(inView(m.fit, m.win) && inView(m.fit2, m.win), `${label}: both in view`);
    // As large as the width allows (half the column each, less a small gap), unless the window's
    // height binds first: then they reach down to the legend, within a line.
    const rem = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const widthBound = m.fit.width >= column.width / 2 - 1.5 * rem;
    const heightBound = m.fit.bottom >= m.win.height - 5 * rem;
    assert.ok(widthBound || heightBound, `${label}: ${fmt(m.fit)} fills neither half the column (${column.width}) nor the height (${h})`);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

for (const presenter of [false, true]) {
  test(`a phone (390×844${presenter ? ', presenter' : ''}): the fit fills the width, the controls follow, no sideways scroll, a touch drag moves q`, async () => {
    const [w, h] = [390, 844];
    const link = `?target=correlated&family=mean-field${presenter ? '&presenter=1' : ''}`;
    const { page, problems } = await openPage(ctx.browser, `${ctx.server.url}${link}`, { width: w, height: h }, { hasTouch: true, isMobile: true });
    await ready(page);
    await page.waitForFunction(() => window.viHandles);
    const m = await measure(page);
    console.log(`# phone${presenter ? ' presenter' : ''}: fit ${fmt(m.fit)}`);
    await page.screenshot({ path: `${ctx.artifacts}/${presenter ? 'presenter-layout' : 'screen'}-${w}x${h}.png` });
    assertCommon(m, `phone${presenter ? ' presenter' : ''}`);
    assert.ok(m.fit.width >= w - 24, `the fit fills the width: ${fmt(m.fit)}`);
    assert.ok(inView(m.fit, m.win), `the fit is wholly in view: ${fmt(m.fit)}`);
    if (!presenter) {
      assert.ok(m.controls && m.controls.y > m.fit.bottom, `the controls follow below the fit: ${fmt(m.controls)}`);
    }
    // A finger drags q's mean (Playwright's touchscreen only taps: touch pointer events, as a
    // finger sends them).
    const before = await page.evaluate(() => window.viHandles);
    await page.evaluate(({ x, y }) => {
      const c = document.querySelector("[data-testid='main-canvas']");
      const r = c.getBoundingClientRect();
      const fire = (type, dx) =>
        c.dispatchEvent(new PointerEvent(type, { bubbles: true, cancelable: true, pointerId: 7, pointerType: 'touch', isPrimary: true, clientX: r.left + x + dx, clientY: r.top + y }));
      fire('pointerdown', 0);
      for (const dx of [10, 20, 30, 40]) fire('pointermove', dx);
      fire('pointerup', 40);
    }, { x: before.mean[0], y: before.mean[1] });
    const after = await page.evaluate(() => window.viHandles);
    assert.ok(Math.abs(after.mean[0] - before.mean[0] - 40) < 2, `the mean followed the finger: ${JSON.stringify([before, after])}`);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("[data-testid='main-canvas']")).touchAction), 'none', 'no page scroll while dragging');
    assert.deepEqual(problems, []);
    await page.close();
  });
}
