//! Oracles 1–6 of shared/science.md for the Gaussian families, from textbook results that the
//! engine does not compute: PRML §10.1.2 (eqs. 10.12–10.17) and Fig. 10.3, and the banana's
//! symmetry. Several parameter values and seeds each; tolerances fixed in advance.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_close, assert_rel, converge, converge_from, displaced, settings};
use vi_playground::engine::fit::Fit;

const LN_2: f64 = std::f64::consts::LN_2;

/// Oracle 1: mean-field reverse KL on N(0, [[1, ρ], [ρ, 1]]) → μ = 0, σᵢ² = 1 − ρ² (PRML 10.12–10.15),
/// KL(q‖p) = −½ ln(1 − ρ²).
#[test]
fn oracle1_mean_field_reverse_kl_underestimates_variance() {
    for (rho, seed) in [(0.9, 1), (0.5, 2), (-0.7, 3), (0.95, 4)] {
        let c = converge(settings("correlated", rho, "mean-field", "reverse", seed), 4000);
        let want = 1.0 - rho * rho;
        assert_close("mean x", c.mean[0], 0.0, 0.03);
        assert_close("mean y", c.mean[1], 0.0, 0.03);
        assert_rel("σ₀²", c.cov[(0, 0)], want, 0.02);
        assert_rel("σ₁²", c.cov[(1, 1)], want, 0.02);
        assert_close("KL(q‖p)", c.diag.kl.kl_qp, -0.5 * (1.0 - rho * rho).ln(), 0.02);
    }
}

/// Oracle 2: mean-field forward KL → exact marginals σᵢ² = 1 (PRML 10.17), KL(p‖q) = −½ ln(1 − ρ²).
#[test]
fn oracle2_mean_field_forward_kl_matches_marginals() {
    for (rho, seed) in [(0.9, 5), (0.6, 6), (-0.8, 7)] {
        let mut s = settings("correlated", rho, "mean-field", "forward", seed);
        s.samples = 64;
        let c = converge_from(displaced(Fit::new(s).unwrap()), 4000);
        assert_close("mean x", c.mean[0], 0.0, 0.05);
        assert_close("mean y", c.mean[1], 0.0, 0.05);
        assert_rel("σ₀²", c.cov[(0, 0)], 1.0, 0.05);
        assert_rel("σ₁²", c.cov[(1, 1)], 1.0, 0.05);
        assert_close("KL(p‖q)", c.diag.kl.kl_pq, -0.5 * (1.0 - rho * rho).ln(), 0.02);
    }
}

/// A finding, kept as a test: science.md's plain SNIS (q alone as the proposal) is biased towards a
/// too-narrow q at small S, which is why the engine's default proposal is defensive.
#[test]
fn plain_snis_is_biased_narrow_at_small_s_and_the_defensive_proposal_is_not() {
    let var_y = |source, samples| {
        let mut s = common::with_gradient(settings("banana", 1.0, "mean-field", "forward", 21), source);
        s.samples = samples;
        converge(s, 3000).cov[(1, 1)]
    };
    let plain = var_y("snis", 64);
    let defensive = var_y("snis-defensive", 64);
    assert!(plain < 0.5 * 2.25, "plain SNIS Var y = {plain}; exact 2.25");
    assert_rel("defensive SNIS Var y", defensive, 2.25, 0.08);
}

/// Oracle 3: the full-rank family contains p, so either direction recovers Σ and KL ≈ 0.
#[test]
fn oracle3_full_rank_recovers_sigma_in_both_directions() {
    for (rho, div, seed) in [(0.9, "reverse", 8), (-0.5, "reverse", 9), (0.9, "forward", 10), (0.3, "forward", 11)] {
        let c = converge(settings("correlated", rho, "full-rank", div, seed), 4000);
        assert_close("mean x", c.mean[0], 0.0, 0.05);
        assert_close("mean y", c.mean[1], 0.0, 0.05);
        assert_close("Σ₀₀", c.cov[(0, 0)], 1.0, 0.05);
        assert_close("Σ₁₁", c.cov[(1, 1)], 1.0, 0.05);
        assert_close("Σ₀₁", c.cov[(0, 1)], rho, 0.05);
        assert_close("KL(q‖p)", c.diag.kl.kl_qp, 0.0, 0.02);
        assert_close("KL(p‖q)", c.diag.kl.kl_pq, 0.0, 0.02);
    }
}

/// Oracle 3 with the other estimators: sticking the landing (whose variance vanishes at q = p)
/// and the score function reach the same answer.
#[test]
fn oracle3_holds_for_stl_and_score_estimators() {
    for (est, seed) in [("stl", 12), ("score", 13)] {
        let mut s = common::with_gradient(settings("correlated", 0.8, "full-rank", "reverse", seed), est);
        s.samples = 32;
        let c = converge(s, 6000);
        assert_close("Σ₀₁", c.cov[(0, 1)], 0.8, 0.05);
        assert_close("KL(q‖p)", c.diag.kl.kl_qp, 0.0, 0.02);
    }
}

/// Oracle 4: on the symmetric mixture, reverse KL picks one mode: mean ≈ ±(a, a), covariance
/// ≈ s²I, KL(q‖p) ≈ ln 2 (PRML Fig. 10.3 b, c). Which mode depends on the seed; both must occur.
/// Mean-field from N(0, I) at the origin finds a mode on every seed.
#[test]
fn oracle4_bimodal_reverse_kl_seeks_one_mode() {
    let mut signs = Vec::new();
    for seed in 1..=6 {
        let c = converge(settings("bimodal", 0.5, "mean-field", "reverse", seed), 4000);
        signs.push(assert_at_a_mode(&c));
    }
    assert!(signs.contains(&1.0) && signs.contains(&-1.0), "seeds all chose one mode: {signs:?}");
}

fn assert_at_a_mode(c: &common::Converged) -> f64 {
    let (a, s2) = (1.5, 0.36);
    let sign = c.mean[0].signum();
    assert_close("mean x", c.mean[0], sign * a, 0.05);
    assert_close("mean y", c.mean[1], sign * a, 0.05);
    assert_rel("var x", c.cov[(0, 0)], s2, 0.05);
    assert_rel("var y", c.cov[(1, 1)], s2, 0.05);
    assert_close("cov xy", c.cov[(0, 1)], 0.0, 0.02);
    // Exactly ln 2 minus the sliver of the other component under q (below 1e-4 here).
    assert_close("KL(q‖p)", c.diag.kl.kl_qp, LN_2, 0.02);
    sign
}

/// Oracle 4 for full-rank, and a finding: reverse KL has a second local optimum for the full-rank
/// family, a broad q centred between the modes and stretched along the diagonal (KL ≈ 1.34 > ln 2;
/// the exact KL rises in every direction of μ from it). From the origin some seeds end there, so
/// the test starts q off-centre at (t, t) with |t| ≥ 0.7 (at |t| = 0.4 some seeds still fall into
/// the broad basin), as a student dragging it would, and checks that it then finds the mode on that side; and that any fit from the origin ends at one of the two optima.
#[test]
fn oracle4_full_rank_finds_the_mode_on_its_side_and_the_broad_optimum_is_worse() {
    for (start, seed) in [(0.7, 1), (-0.7, 2), (1.0, 3), (-1.2, 4)] {
        let mut s = settings("bimodal", 0.5, "full-rank", "reverse", seed);
        s.samples = 16;
        let mut fit = vi_playground::engine::fit::Fit::new(s.clone()).unwrap();
        fit.set_params(&[start, start, 0.0, 0.0, 0.0]).unwrap();
        let c = common::converge_from(fit, 4000);
        assert_eq!(assert_at_a_mode(&c), f64::signum(start), "started at {start}");
    }
    for seed in 1..=6 {
        let c = converge(settings("bimodal", 0.5, "full-rank", "reverse", seed), 4000);
        if c.mean.norm() > 1.0 {
            assert_at_a_mode(&c);
        } else {
            assert!(c.diag.kl.kl_qp > LN_2 + 0.3, "the broad optimum is worse than a mode: {}", c.diag.kl.kl_qp);
            assert!(c.cov[(0, 1)] > 1.0, "and stretched along the diagonal: {:?}", c.cov);
        }
    }
}

/// Oracle 5: forward KL matches moments: the mixture's mean and covariance (full-rank), its
/// diagonal (mean-field). PRML Fig. 10.3 a.
#[test]
fn oracle5_bimodal_forward_kl_matches_moments() {
    for (w, family, seed) in
        [(0.5, "full-rank", 1), (0.3, "full-rank", 2), (0.5, "mean-field", 3), (0.7, "mean-field", 4)]
    {
        let mut s = settings("bimodal", w, family, "forward", seed);
        s.samples = 64;
        let c = converge(s, 4000);
        let (a, s2) = (1.5, 0.36);
        let m = (1.0 - 2.0 * w) * a;
        let between = w * (1.0 - w) * 4.0 * a * a;
        assert_close("mean x", c.mean[0], m, 0.08);
        assert_close("mean y", c.mean[1], m, 0.08);
        assert_rel("var x", c.cov[(0, 0)], s2 + between, 0.05);
        assert_rel("var y", c.cov[(1, 1)], s2 + between, 0.05);
        let want_cov = if family == "full-rank" { between } else { 0.0 };
        assert_close("cov xy", c.cov[(0, 1)], want_cov, 0.1);
    }
}

/// Oracle 6, Gaussians: by x → −x symmetry the reverse-KL optimum has no correlation, so
/// mean-field and full-rank reach the same ELBO; forward KL matches mean (0, 0) and variances
/// (1, σ² + 2b²).
#[test]
fn oracle6_banana_gaussian_fits() {
    for (b, seed) in [(1.0, 1), (0.5, 2), (1.5, 3)] {
        let mf = converge(settings("banana", b, "mean-field", "reverse", seed), 4000);
        let fr = converge(settings("banana", b, "full-rank", "reverse", seed + 10), 4000);
        assert_close("full-rank correlation", fr.cov[(0, 1)], 0.0, 0.03);
        assert_close("KL(q‖p) mean-field vs full-rank", mf.diag.kl.kl_qp, fr.diag.kl.kl_qp, 0.02);
        assert!(mf.diag.kl.kl_qp > 0.05 || b < 0.6, "a Gaussian cannot fit a curved banana: {}", mf.diag.kl.kl_qp);

        let mut s = settings("banana", b, "full-rank", "forward", seed + 20);
        s.samples = 64;
        let fwd = converge(s, 5000);
        assert_close("forward mean x", fwd.mean[0], 0.0, 0.08);
        assert_close("forward mean y", fwd.mean[1], 0.0, 0.15);
        assert_rel("forward var x", fwd.cov[(0, 0)], 1.0, 0.08);
        assert_rel("forward var y", fwd.cov[(1, 1)], 0.25 + 2.0 * b * b, 0.08);
    }
}
