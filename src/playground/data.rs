//! The data panel's logic (issue 16, `logistic`): editing the clicked points, and what a fit means
//! for them: the curve P(y = 1 | x) = σ(α + βx) at q's mean, and a band from q's draws of (α, β),
//! beside the same from the MCMC draws.

use crate::engine::family::{self, Family};
use crate::engine::math::{rng_from_seed, sigmoid, sort_f64, std_normal2, Vec2};
use crate::engine::target::logistic::{MAX_POINTS, X_RANGE};

/// How near (in x) a click must be to a point of the same class to remove it rather than add one.
pub const NEAR: f64 = 0.12;
/// The grid a new point's x snaps to.
pub const SNAP: f64 = 0.05;
/// Draws behind a band, and the band's quantiles (an 80 % band).
pub const BAND_DRAWS: usize = 200;
pub const BAND: (f64, f64) = (0.1, 0.9);
/// Points at which the curves are drawn across X_RANGE.
pub const CURVE_POINTS: usize = 61;

/// What a click (or a key) at `x` with class `class` does to `points`: removes the nearest point
/// of that class within [`NEAR`], or else adds one at x snapped to [`SNAP`] and held to
/// [`X_RANGE`] (unless [`MAX_POINTS`] are there already: then nothing, and `false`).
pub fn toggle(points: &[[f64; 2]], x: f64, class: f64) -> (Vec<[f64; 2]>, bool) {
    let mut out = points.to_vec();
    let nearest = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p[1] == class && (p[0] - x).abs() <= NEAR)
        .min_by(|a, b| (a.1[0] - x).abs().total_cmp(&(b.1[0] - x).abs()));
    if let Some((i, _)) = nearest {
        out.remove(i);
        return (out, true);
    }
    if points.len() >= MAX_POINTS {
        return (out, false);
    }
    let snapped = ((x / SNAP).round() * SNAP).clamp(X_RANGE.0, X_RANGE.1);
    // Written to two decimals, so the link stays short.
    out.push([(snapped * 100.0).round() / 100.0, class]);
    (out, true)
}

/// The nearest point to `x` of any class, for the key that removes one.
pub fn nearest(points: &[[f64; 2]], x: f64) -> Option<usize> {
    (0..points.len()).min_by(|&a, &b| (points[a][0] - x).abs().total_cmp(&(points[b][0] - x).abs()))
}

/// A curve and its band over x.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub x: Vec<f64>,
    /// σ(α + βx) at the mean of (α, β).
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// The x grid the curves are drawn on.
pub fn curve_x() -> Vec<f64> {
    (0..CURVE_POINTS).map(|i| X_RANGE.0 + (X_RANGE.1 - X_RANGE.0) * i as f64 / (CURVE_POINTS - 1) as f64).collect()
}

/// The curve at `centre` (q's mean, or the draws' own when `None`) and the pointwise [`BAND`]
/// quantiles of σ(α + βx) over `draws` of (α, β); `None` without draws.
pub fn band(draws: &[Vec2], centre: Option<Vec2>) -> Option<Band> {
    if draws.is_empty() {
        return None;
    }
    let m = centre.unwrap_or_else(|| draws.iter().fold(Vec2::zeros(), |s, d| s + d) / draws.len() as f64);
    let x = curve_x();
    let mut values = vec![0.0; draws.len()];
    let (mut lo, mut hi) = (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()));
    for &xi in &x {
        for (v, d) in values.iter_mut().zip(draws) {
            *v = sigmoid(d[0] + d[1] * xi);
        }
        sort_f64(&mut values);
        // p ∈ [0, 1], so the index is at most len − 1.
        let q = |p: f64| values[(p * (values.len() - 1) as f64).round() as usize];
        lo.push(q(BAND.0));
        hi.push(q(BAND.1));
    }
    let mean = x.iter().map(|&xi| sigmoid(m[0] + m[1] * xi)).collect();
    Some(Band { x, mean, lo, hi })
}

/// [`band`] of q: the curve at q's `mean` (the caller's: the page has it from its last refresh),
/// the band from [`BAND_DRAWS`] draws from a fixed seed, so it holds still while q does.
pub fn band_of_q(q: &dyn Family, mean: Vec2) -> Option<Band> {
    let mut rng = rng_from_seed(0xDA7A);
    let eps: Vec<Vec2> = (0..BAND_DRAWS).map(|_| std_normal2(&mut rng)).collect();
    band(&family::cloud(q, &eps), Some(mean))
}

/// [`band`] of `count` MCMC draws, thinned to at most [`BAND_DRAWS`] evenly spaced ones as they
/// pass (no copy of the run).
pub fn band_of_draws(count: usize, draws: impl Iterator<Item = Vec2>) -> Option<Band> {
    let step = (count / BAND_DRAWS).max(1);
    let thinned: Vec<Vec2> = draws.step_by(step).collect();
    band(&thinned, None)
}
