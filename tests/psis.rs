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

/// PSIS k̂ and the generalised Pareto fit against ArviZ 0.23.4 (`arviz.stats.stats.psislw` with
/// r_eff = 1 and `_gpdfit`), on deterministic inputs both sides build from the same formula:
/// ln wᵢ = f(i, uᵢ), uᵢ = (i + ½)/S, Pareto quantiles with a wobble, a bounded tail, a small S
/// (M = ⌈min(0.2S, 3√S)⌉ = 12 at S = 57) and weights offset by 800 (the shift to the maximum).
/// Quantised weights (ties at the cutoff) and S = 25, where the tail has exactly M = 5 points, the
/// fewest fitted. The values come from tests/oracles/psis_arviz.py (numpy's sin/cos and Rust's
/// agree to the last bit or two, far inside 1e-9).
#[test]
fn k_hat_and_the_gpd_fit_match_arviz() {
    let sets: [(&str, usize, fn(f64, f64) -> f64, f64); 7] = [
        ("pareto07_s1000", 1000, |i, u| 0.7 * -u.ln() + 0.01 * i.sin(), 0.6808408266996578),
        ("pareto03_s4000", 4000, |i, u| 0.3 * -u.ln() + 0.05 * (3.0 * i).cos(), 0.3203273578976974),
        ("light_s200", 200, |i, u| -(u * u) + 1e-3 * (7.0 * i).sin(), -1.1926263048494588),
        ("heavy12_s57", 57, |i, u| 1.2 * -u.ln() + 0.1 * i.sin(), 0.7754671592374781),
        ("shifted_s500", 500, |i, u| 800.0 + 0.5 * -u.ln() + 0.02 * (2.0 * i).sin(), 0.5071812323526655),
        ("ties_s100", 100, |_, u| 0.5 * (-u.ln() * 4.0).floor() / 4.0, 0.3866051922152878),
        ("five_s25", 25, |i, u| 0.6 * -u.ln() + 0.01 * i.sin(), 0.5251094130499324),
    ];
    for (name, s, f, want) in sets {
        let mut lw: Vec<f64> = (0..s).map(|i| f(i as f64, (i as f64 + 0.5) / s as f64)).collect();
        let k = k_hat(&mut lw);
        assert!((k - want).abs() < 1e-9 * (1.0 + want.abs()), "{name}: k̂ {k}, ArviZ {want}");
    }
    let mut x: Vec<f64> = (1..=300).map(|j| ((j as f64 * 0.618034) % 1.0 + 0.01).powf(-0.6) - 1.0).collect();
    x.sort_by(|a, b| a.total_cmp(b));
    let (k, sigma) = gpd_fit(&x);
    assert!((k - 0.49005822601999316).abs() < 1e-9 && (sigma - 0.60458217871844).abs() < 1e-9, "gpd_fit: {k} {sigma}");
    let mut x: Vec<f64> = (1..=40).map(|j| 1.0 - (j as f64).cos().powi(2) * 0.9).collect();
    x.sort_by(|a, b| a.total_cmp(b));
    let (k, sigma) = gpd_fit(&x);
    assert!((k + 0.9408471225903233).abs() < 1e-9 && (sigma - 1.3193061930932795).abs() < 1e-9, "bounded: {k} {sigma}");
}

/// The edges of k̂'s input and of its verdict bands.
#[test]
fn k_hat_at_its_edges() {
    // Nothing, or 20 draws or fewer (M = ⌈0.2S⌉ < 5 tail points): no estimate; 21 give one.
    assert_eq!(k_hat(&mut []), f64::INFINITY);
    let few = |s: usize| -> Vec<f64> { (0..s).map(|i| (i as f64).sqrt()).collect() };
    assert_eq!(k_hat(&mut few(20)), f64::INFINITY);
    assert!(k_hat(&mut few(21)).is_finite());
    // A NaN anywhere, of either sign (−NaN sorts first, where the maximum would not see it).
    let mut with_nan: Vec<f64> = (0..100).map(|i| -((i as f64 + 0.5) / 100.0f64).ln()).collect();
    assert!(k_hat(&mut with_nan.clone()).is_finite());
    with_nan[17] = -f64::NAN;
    assert_eq!(k_hat(&mut with_nan.clone()), f64::INFINITY);
    with_nan[17] = f64::NAN;
    assert_eq!(k_hat(&mut with_nan), f64::INFINITY);
    // An infinite weight: no estimate.
    let mut inf: Vec<f64> = (0..100).map(|i| i as f64).collect();
    inf[3] = f64::INFINITY;
    assert_eq!(k_hat(&mut inf), f64::INFINITY);
    // The bands' edges belong to the worse band: 0.5 is usable, the threshold itself unreliable.
    assert_eq!(k_hat_verdict(0.5, 1000), "usable");
    assert_eq!(k_hat_verdict(k_hat_threshold(1000), 1000), "unreliable");
    // −∞, equal weights (q = p): the best there is. +∞ and NaN: no estimate.
    assert_eq!(k_hat_verdict(f64::NEG_INFINITY, 1000), "good");
    assert_eq!(k_hat_verdict(f64::INFINITY, 1000), "unreliable");
    assert_eq!(k_hat_verdict(f64::NAN, 1000), "unreliable");
    // Weights spread by less than 1e-9 count as equal (−∞); a spread of exactly 1e-9 does not, and
    // here leaves one weight in the tail, too few to fit (+∞).
    let mut flat = vec![0.0; 100];
    flat[42] = 0.5e-9;
    assert_eq!(k_hat(&mut flat.clone()), f64::NEG_INFINITY);
    flat[42] = 1e-9;
    assert_eq!(k_hat(&mut flat), f64::INFINITY);
}
