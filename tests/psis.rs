//! PSIS k̂ against distributions whose tail shape is known in closed form.

#![cfg(not(target_arch = "wasm32"))]

use rand::Rng;
use vi_playground::engine::math::{rng_from_seed, std_normal2};
use vi_playground::engine::psis::{gpd_fit, k_hat, k_hat_threshold, k_hat_verdict};

/// Draws from a generalised Pareto distribution by inversion: x = σ(U^{−k} − 1)/k.
fn gpd_sample(k: f64, sigma: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = rng_from_seed(seed);
    let mut x: Vec<f64> = (0..n).map(|_| sigma * (rng.random::<f64>().powf(-k) - 1.0) / k).collect();
    x.sort_by(|a, b| a.total_cmp(b));
    x
}

#[test]
fn gpd_fit_recovers_the_shape() {
    for (k, seed) in [(0.2, 1), (0.5, 2), (0.8, 3), (0.35, 4)] {
        let x = gpd_sample(k, 2.0, 2000, seed);
        let (k_fit, sigma) = gpd_fit(&x);
        // Standard error of k̂ is about (1 + k)/√n ≈ 0.035 here.
        assert!((k_fit - k).abs() < 0.1, "k = {k}: fitted {k_fit}");
        assert!((sigma / 2.0 - 1.0).abs() < 0.2, "σ = 2: fitted {sigma}");
    }
}

/// q = N(0, s²I) as a proposal for p = N(0, I): ln w = c‖z‖² with c = (1/s² − 1)/2, and since
/// ‖z‖²/s² ~ χ²₂ is exponential, P(w > t) = t^{−1/k} exactly with k = 1 − s².
#[test]
fn k_hat_of_gaussian_proposals_matches_the_exact_tail() {
    let log_w = |s: f64, n: usize, seed: u64| -> Vec<f64> {
        let mut rng = rng_from_seed(seed);
        (0..n).map(|_| (s * std_normal2(&mut rng)).norm_squared() * 0.5 * (1.0 / (s * s) - 1.0)).collect()
    };
    for (s, seed) in [(0.5, 1), (0.4, 2), (0.6, 3), (0.3, 4)] {
        let n = 100_000;
        let k = k_hat(&mut log_w(s, n, seed));
        let want = 1.0 - s * s;
        // The fit sees the M = 3√n largest weights; k̂'s standard error is about (1 + k)/√M.
        let se = (1.0 + want) / (3.0 * (n as f64).sqrt()).sqrt();
        assert!((k - want).abs() < 2.5 * se, "s = {s}: k̂ = {k}, exact tail shape {want} ± {}", 2.5 * se);
    }
    let narrow = k_hat(&mut log_w(0.5, 4000, 4));
    assert_eq!(k_hat_verdict(narrow, 4000), "unreliable", "k̂ = {narrow}");
    // A wider proposal has bounded weights: k̂ well below 0.5.
    let wide = k_hat(&mut log_w(1.5, 4000, 5));
    assert!(wide < 0.5, "wide proposal: k̂ = {wide}");
    assert_eq!(k_hat_verdict(wide, 4000), "good");
    // Exactly equal weights: no tail at all.
    assert_eq!(k_hat(&mut vec![-1.25; 1000]), f64::NEG_INFINITY);
    assert_eq!(k_hat(&mut vec![f64::NAN; 1000]), f64::INFINITY);
}

/// science.md ("Exact diagnostics"): unreliable above min(1 − 1/log₁₀ S, 0.7), Vehtari et al. 2024.
#[test]
fn the_unreliable_threshold_depends_on_the_number_of_draws() {
    // 1 − 1/log₁₀ S by hand: S = 100 → 0.5, 1000 → 2/3, 10⁴ → 0.75, capped at 0.7.
    assert!((k_hat_threshold(100) - 0.5).abs() < 1e-12);
    assert!((k_hat_threshold(1000) - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(k_hat_threshold(10_000), 0.7);
    assert_eq!(k_hat_threshold(1_000_000), 0.7);
    // k̂ = 0.68 from the page's 1000 draws is past 2/3: unreliable, though under the old fixed 0.7.
    assert_eq!(k_hat_verdict(0.68, 1000), "unreliable");
    assert_eq!(k_hat_verdict(0.68, 100_000), "usable");
    assert_eq!(k_hat_verdict(0.55, 100), "unreliable");
    assert_eq!(k_hat_verdict(0.55, 1000), "usable");
    assert_eq!(k_hat_verdict(0.49, 10), "good");
    assert_eq!(k_hat_verdict(f64::NAN, 1000), "unreliable");
}
