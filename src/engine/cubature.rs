//! Adaptive cubature with an error estimate: expectations under q, E_q[f] = E_ε[f(T(ε))] over the
//! base N(0, I) of every family, for the exact numbers that Gauss–Hermite gets wrong wherever the
//! integrand is not a low-degree polynomial in ε (any mixture, ln q of a flow; science.md, "Exact
//! diagnostics": on `bimodal` a mean-field q's KL(q‖p) was 3.6056 by 32² Gauss–Hermite against
//! 3.5822).
//!
//! The rule: tensor-product Gauss–Kronrod (7-point Gauss embedded in 15-point Kronrod, QUADPACK's
//! `qk15`) on a cell; |Kronrod − Gauss| is the cell's error estimate. The cell with the largest
//! error is halved across its longer side until the errors add up to less than the tolerance or a
//! cell budget runs out (Genz & Malik 1980's strategy with a tensor rule). Only arithmetic and the
//! engine's libm functions, in a fixed order, so a seed gives the same numbers natively and in wasm.

use super::math::{exp, Vec2};
use super::slice::{block_on, checkpoint, Budget};
use super::target::Box2;

/// Kronrod nodes on [−1, 1], positive half, largest first; the last is 0 (QUADPACK `qk15`).
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
/// Kronrod weights for [`XGK`].
const WGK: [f64; 8] = [
    0.022_935_322_010_529_225,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_18,
    0.140_653_259_715_525_92,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_83,
];
/// Gauss weights for the Gauss nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG: [f64; 4] =
    [0.129_484_966_168_869_7, 0.279_705_391_489_276_7, 0.381_830_050_505_118_9, 0.417_959_183_673_469_4];

/// The 15 Kronrod nodes on [−1, 1] in order, their Kronrod weights and Gauss weights (0 off the
/// Gauss nodes).
fn rule() -> ([f64; 15], [f64; 15], [f64; 15]) {
    let (mut x, mut wk, mut wg) = ([0.0; 15], [0.0; 15], [0.0; 15]);
    for i in 0..8 {
        let g = if i % 2 == 1 { WG[i / 2] } else { 0.0 };
        x[i] = -XGK[i];
        x[14 - i] = XGK[i];
        wk[i] = WGK[i];
        wk[14 - i] = WGK[i];
        wg[i] = g;
        wg[14 - i] = g;
    }
    (x, wk, wg)
}

/// ∫ of `M` integrands over a cell by the Kronrod and the Gauss rule, pausing after each row of 15
/// evaluations when `budget` is spent (a flow at its largest takes about 10 µs an evaluation).
async fn cell<const M: usize>(b: &Box2, f: &mut dyn FnMut(Vec2) -> [f64; M], budget: &Budget) -> ([f64; M], [f64; M]) {
    let (x, wk, wg) = rule();
    let (cx, hx) = (0.5 * (b.x.0 + b.x.1), 0.5 * (b.x.1 - b.x.0));
    let (cy, hy) = (0.5 * (b.y.0 + b.y.1), 0.5 * (b.y.1 - b.y.0));
    let (mut k, mut g) = ([0.0; M], [0.0; M]);
    for i in 0..15 {
        for j in 0..15 {
            let v = f(Vec2::new(cx + hx * x[i], cy + hy * x[j]));
            let (a, b) = (wk[i] * wk[j], wg[i] * wg[j]);
            for m in 0..M {
                k[m] += a * v[m];
                g[m] += b * v[m];
            }
        }
        checkpoint(budget).await;
    }
    let area = hx * hy;
    for m in 0..M {
        k[m] *= area;
        g[m] *= area;
    }
    (k, g)
}

/// An integral and its error estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Integral<const M: usize> {
    pub value: [f64; M],
    /// Σ over cells of |Kronrod − Gauss|: an upper estimate of the error (the Kronrod value is
    /// the one returned, far more accurate than the Gauss one the difference measures).
    pub error: [f64; M],
    /// The final partition: a good start for another integrand over the same mass.
    pub cells: Vec<Box2>,
}

/// ∫ over the union of `start` (disjoint boxes) of `M` integrands at once, halving the worst cell
/// until every integrand's error estimate is within its tolerance or `max_cells` cells are in
/// use. `tol` gives the tolerances from the current values (so they can be relative to the
/// integral's own scale); the worst cell is the one whose error is the largest share of its
/// integrand's tolerance.
pub fn integrate_from<const M: usize>(
    start: &[Box2],
    f: impl FnMut(Vec2) -> [f64; M],
    tol: impl Fn(&[f64; M]) -> [f64; M],
    max_cells: usize,
) -> Integral<M> {
    let mut f = f;
    block_on(integrate_sliced(start, &mut f, &tol, max_cells, &Budget::never()))
}

/// [`integrate_from`], pausing at a [`checkpoint`] every 15 evaluations when `budget` is spent:
/// the same numbers, spread over slices.
///
/// The integrand and the tolerances come as trait objects: one copy of this code for each M, not
/// one for each integrand (the page's bytes; a call through a pointer costs nothing beside an
/// evaluation of q).
pub async fn integrate_sliced<const M: usize>(
    start: &[Box2],
    f: &mut dyn FnMut(Vec2) -> [f64; M],
    tol: &dyn Fn(&[f64; M]) -> [f64; M],
    max_cells: usize,
    budget: &Budget,
) -> Integral<M> {
    let err = |k: &[f64; M], g: &[f64; M]| -> [f64; M] { std::array::from_fn(|m| (k[m] - g[m]).abs()) };
    let mut cells: Vec<(Box2, [f64; M], [f64; M])> = Vec::with_capacity(start.len());
    for b in start {
        let (k, g) = cell(b, f, budget).await;
        cells.push((*b, k, err(&k, &g)));
    }
    let sums = |cells: &[(Box2, [f64; M], [f64; M])]| {
        let (mut value, mut error) = ([0.0; M], [0.0; M]);
        for (_, k, e) in cells {
            for m in 0..M {
                value[m] += k[m];
                error[m] += e[m];
            }
        }
        (value, error)
    };
    loop {
        let (value, error) = sums(&cells);
        let t = tol(&value);
        let done = (0..M).all(|m| !(error[m] > t[m]));
        if done || cells.len() >= max_cells {
            return Integral { value, error, cells: cells.into_iter().map(|c| c.0).collect() };
        }
        // The cell with the largest share of a tolerance (the first of equals: deterministic).
        let share = |e: &[f64; M]| (0..M).map(|m| e[m] / t[m].max(f64::MIN_POSITIVE)).fold(0.0, f64::max);
        let worst = (0..cells.len()).fold(0, |w, i| if share(&cells[i].2) > share(&cells[w].2) { i } else { w });
        let (b, _, _) = cells.swap_remove(worst);
        let halves = if b.x.1 - b.x.0 >= b.y.1 - b.y.0 {
            let mid = 0.5 * (b.x.0 + b.x.1);
            [Box2 { x: (b.x.0, mid), y: b.y }, Box2 { x: (mid, b.x.1), y: b.y }]
        } else {
            let mid = 0.5 * (b.y.0 + b.y.1);
            [Box2 { x: b.x, y: (b.y.0, mid) }, Box2 { x: b.x, y: (mid, b.y.1) }]
        };
        for h in halves {
            let (k, g) = cell(&h, f, budget).await;
            cells.push((h, k, err(&k, &g)));
        }
    }
}

/// ∫ over `bounds` of `M` integrands at once, refining until the first integrand's error estimate
/// is below `tol` (the others ride along) or `max_cells` cells are in use.
pub fn integrate<const M: usize>(
    bounds: Box2,
    f: impl FnMut(Vec2) -> [f64; M],
    tol: f64,
    max_cells: usize,
) -> Integral<M> {
    integrate_from(&[bounds], f, |_| std::array::from_fn(|m| if m == 0 { tol } else { f64::INFINITY }), max_cells)
}

/// Tolerances for the six raw moments [∫w, ∫xw, ∫yw, ∫x²w, ∫xyw, ∫y²w] of a weight w: `rel` of the
/// mass, of the spread (sd times mass) for the means and of the second moments for the rest, so
/// that ln Z, the mean (in sds) and the covariance are all held to about `rel`.
pub fn moment_tolerances(rel: f64) -> impl Fn(&[f64; 6]) -> [f64; 6] {
    move |v: &[f64; 6]| {
        let (w, xx, yy) = (v[0].abs(), v[3].abs(), v[5].abs());
        [rel * w, rel * (w * xx).sqrt(), rel * (w * yy).sqrt(), rel * xx, rel * (xx * yy).sqrt(), rel * yy]
    }
}

/// Half-width of the base-space box: N(0, I) has mass e^(−40.5) ≈ 2.6e-18 beyond |ε| = 9 per axis.
pub const BASE_RADIUS: f64 = 9.0;
/// Absolute tolerance of an expectation under the base.
pub const BASE_TOL: f64 = 1e-6;
/// Cell budget: 225 evaluations a cell. A Gaussian q needs about 60 cells for 1e-6; a flow fitted
/// to the banana about as many (11 ms natively); a flow fitted to `bimodal` uses all 400 and stops
/// at an error estimate of ~2e-5 (175 ms).
pub const MAX_CELLS: usize = 400;

/// E_ε[f(ε)] for ε ~ N(0, I) of `M` functions, by [`integrate`] over [−9, 9]² with the normal
/// density folded in; the first function steers the refinement, to [`BASE_TOL`]. At most
/// `max_cells` cells.
pub fn expect_base<const M: usize>(max_cells: usize, f: impl FnMut(Vec2) -> [f64; M]) -> Integral<M> {
    expect_base_within(max_cells, |_| std::array::from_fn(|m| if m == 0 { BASE_TOL } else { f64::INFINITY }), f)
}

/// [`expect_base`] with tolerances for every function, given the current values (see
/// [`integrate_from`]).
pub fn expect_base_within<const M: usize>(
    max_cells: usize,
    tol: impl Fn(&[f64; M]) -> [f64; M],
    f: impl FnMut(Vec2) -> [f64; M],
) -> Integral<M> {
    let mut f = f;
    block_on(expect_base_sliced(max_cells, &tol, &mut f, &Budget::never()))
}

/// [`expect_base_within`] in slices (see [`integrate_sliced`]).
pub async fn expect_base_sliced<const M: usize>(
    max_cells: usize,
    tol: &dyn Fn(&[f64; M]) -> [f64; M],
    f: &mut dyn FnMut(Vec2) -> [f64; M],
    budget: &Budget,
) -> Integral<M> {
    let r = BASE_RADIUS;
    let norm = 1.0 / (2.0 * std::f64::consts::PI);
    integrate_sliced(
        &[Box2 { x: (-r, r), y: (-r, r) }],
        &mut |e| {
            let w = norm * exp(-0.5 * e.norm_squared());
            if w == 0.0 {
                return [0.0; M];
            }
            let v = f(e);
            std::array::from_fn(|m| w * v[m])
        },
        tol,
        max_cells,
        budget,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kronrod-15 integrates polynomials of degree ≤ 22 exactly, its embedded Gauss-7 those of
    /// degree ≤ 13: checks every constant against ∫₋₁¹ xᵏ = 2/(k + 1) for even k.
    #[test]
    fn the_rule_integrates_polynomials_exactly() {
        let (x, wk, wg) = rule();
        for k in 0..=22 {
            let exact = if k % 2 == 0 { 2.0 / (k as f64 + 1.0) } else { 0.0 };
            let kron: f64 = (0..15).map(|i| wk[i] * x[i].powi(k)).sum();
            assert!((kron - exact).abs() < 1e-14, "Kronrod, x^{k}: {kron} vs {exact}");
            if k <= 13 {
                let gauss: f64 = (0..15).map(|i| wg[i] * x[i].powi(k)).sum();
                assert!((gauss - exact).abs() < 1e-14, "Gauss, x^{k}: {gauss} vs {exact}");
            }
        }
        // And Gauss-7 is not exact at degree 14: the error estimate has something to measure.
        let gauss: f64 = (0..15).map(|i| wg[i] * x[i].powi(14)).sum();
        assert!((gauss - 2.0 / 15.0).abs() > 1e-6);
    }

    #[test]
    fn normal_moments_and_a_non_polynomial_expectation() {
        let i = expect_base(MAX_CELLS, |e| [1.0, e[0] * e[0], e[0].powi(4), libm::cos(e[1]), e[0] * e[1]]);
        let want = [1.0, 1.0, 3.0, (-0.5f64).exp(), 0.0];
        for m in 0..5 {
            assert!((i.value[m] - want[m]).abs() < 1e-9, "{m}: {} vs {}", i.value[m], want[m]);
        }
        assert!(i.error[0] <= BASE_TOL, "{:?}", i.error);
    }

    /// A kink (|ε₁|, not smooth at 0): the rule refines around it and its error estimate stays an
    /// upper bound of the true error. E|ε| = √(2/π).
    #[test]
    fn the_error_estimate_bounds_the_error_at_a_kink() {
        let i = expect_base(MAX_CELLS, |e| [e[0].abs()]);
        let want = (2.0 / std::f64::consts::PI).sqrt();
        let true_error = (i.value[0] - want).abs();
        assert!(true_error <= i.error[0] + 1e-15, "error {true_error} above its estimate {}", i.error[0]);
        assert!(true_error < 1e-6, "{} vs {want}", i.value[0]);
        assert!(i.cells.len() > 1, "refined: {} cells", i.cells.len());
    }
}
