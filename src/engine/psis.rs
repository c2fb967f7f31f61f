//! Pareto-smoothed importance sampling diagnostic k̂ (Yao, Vehtari, Simpson & Gelman 2018;
//! Vehtari et al. 2024, "Pareto smoothed importance sampling").
//!
//! For log weights ln wₛ = ln p̃(zₛ) − ln q(zₛ), zₛ ~ q, a generalised Pareto distribution is fitted
//! to the M = ⌈min(0.2S, 3√S)⌉ largest weights above the next largest; its shape k̂ says whether
//! importance sampling with q as the proposal is reliable: k̂ < 0.5 good; unreliable from
//! min(1 − 1/log₁₀ S, 0.7) (Vehtari et al. 2024, §3: with S draws a tail heavier than that needs more
//! draws than S for a reliable estimate); usable between.
//! The fit is the empirical-Bayes estimator of Zhang & Stephens (2009) with the weakly informative
//! prior on k used by Stan's `loo` and ArviZ.

use super::math::{exp, ln, ln_1p};

/// The k̂ from which `s` draws no longer give a reliable estimate: min(1 − 1/log₁₀ S, 0.7)
/// (Vehtari et al. 2024, eq. 13 and §3.3); 0.667 for 1000 draws, 0.5 for 100.
pub fn k_hat_threshold(s: usize) -> f64 {
    (1.0 - 1.0 / libm::log10(s as f64)).min(0.7)
}

/// How k̂ from `s` draws is read: good below 0.5, unreliable from [`k_hat_threshold`], usable between.
/// −∞ (equal weights: q = p) is good; +∞ and NaN (no estimate) are unreliable.
pub fn k_hat_verdict(k: f64, s: usize) -> &'static str {
    // NaN compares false with everything, so it falls through to "unreliable" with +∞.
    if k < 0.5 {
        "good"
    } else if k < k_hat_threshold(s) {
        "usable"
    } else {
        "unreliable"
    }
}

/// PSIS k̂ of a set of log importance weights (reordered in place). `inf` when the tail is too
/// short to fit (fewer than five exceedances) or the weights are not finite, as in ArviZ; `−inf`
/// when all weights are equal.
pub fn k_hat(log_w: &mut [f64]) -> f64 {
    let s = log_w.len();
    let m = (0.2 * s as f64).min(3.0 * (s as f64).sqrt()).ceil() as usize;
    // Fewer than five weights in the tail (S ≤ 20) cannot be fitted.
    if m < 5 || log_w.iter().any(|w| w.is_nan()) {
        return f64::INFINITY;
    }
    crate::engine::math::sort_f64(log_w);
    let max = log_w[s - 1];
    if !max.is_finite() {
        return f64::INFINITY;
    }
    // Constant weights (q = p up to rounding): a bounded tail, so k < 0; there is no tail to fit.
    if max - log_w[0] < 1e-9 {
        return f64::NEG_INFINITY;
    }
    // As ArviZ: the cutoff is kept above the smallest normal number so exp does not underflow, and
    // the tail is every weight above it (ties with the M + 1-th largest stay out).
    let cutoff = (log_w[s - m - 1] - max).max(ln(f64::MIN_POSITIVE));
    let tail: Vec<f64> =
        log_w.iter().map(|&lw| lw - max).filter(|&lw| lw > cutoff).map(|lw| exp(lw) - exp(cutoff)).collect();
    if tail.len() < 5 {
        return f64::INFINITY;
    }
    gpd_fit(&tail).0
}

/// Fits a generalised Pareto distribution with location 0 to ascending positive exceedances `x`;
/// returns (k, σ). Zhang & Stephens (2009), as implemented in ArviZ's `_gpdfit`: a grid of
/// θ = −k/σ values weighted by their profile likelihood, then a prior pulling k towards 0.5 with
/// the weight of 10 observations.
pub fn gpd_fit(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    let prior_bs = 3.0;
    let prior_k = 10.0;
    let m_est = 30 + (n as f64).sqrt() as usize;
    let quartile = x[((n as f64) / 4.0 + 0.5) as usize - 1];
    let x_max = x[n - 1];
    // For θ = b the profile maximum-likelihood shape is k(b) = mean ln(1 − b·x).
    let profile_k = |b: f64| x.iter().map(|&xi| ln_1p(-b * xi)).sum::<f64>() / n as f64;

    let bs: Vec<f64> = (1..=m_est)
        .map(|j| (1.0 - (m_est as f64 / (j as f64 - 0.5)).sqrt()) / (prior_bs * quartile) + 1.0 / x_max)
        .collect();
    let log_lik: Vec<f64> = bs
        .iter()
        .map(|&b| {
            let k = profile_k(b);
            // n(ln(−b/k) − k − 1); the constant −n cancels in the weights below, so it is left out.
            n as f64 * (ln(-b / k) - k)
        })
        .collect();
    // Posterior weight of each b: 1 / Σⱼ exp(Lⱼ − Lᵢ) = exp(Lᵢ) / Σⱼ exp(Lⱼ), so they sum to 1.
    let weights: Vec<f64> =
        log_lik.iter().map(|&li| 1.0 / log_lik.iter().map(|&lj| exp(lj - li)).sum::<f64>()).collect();
    let b_post: f64 = bs.iter().zip(&weights).map(|(b, w)| b * w).sum::<f64>();
    let k = profile_k(b_post);
    let sigma = -k / b_post;
    ((n as f64 * k + prior_k * 0.5) / (n as f64 + prior_k), sigma)
}
