//! The normalizing-flow family against shared/science.md: each coupling layer inverts and its
//! log-det is the numerical Jacobian's; on the banana it beats every Gaussian by far (oracle 6);
//! it recovers the correlated Gaussian like the full-rank family (oracle 3); forward KL spreads it
//! over both modes of the mixture. Several seeds each, fixed step counts.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_close, converge, settings};
use vi_playground::engine::family::{Bijection, Family, Flow};
use vi_playground::engine::fit::{Fit, Settings};
use vi_playground::engine::math::{exp, rng_from_seed, std_normal2, Vec2};
use vi_playground::engine::target::Box2;
use vi_playground::viz::Grid;

fn flow_settings(target: &str, param: f64, objective: &str, seed: u64) -> Settings {
    // The flow at its default depth 4 and width 16.
    Settings { lr: 0.01, samples: 8, ..settings(target, param, "flow", objective, seed) }
}

/// `steps` at the learning rate, then `steps / 2` at a tenth of it.
fn run(s: Settings, steps: u64) -> Fit {
    let lr = s.lr;
    let mut fit = Fit::new(s).unwrap();
    assert_eq!(fit.step(steps), steps, "diverged: {:?}", fit.status());
    fit.set_lr(lr / 10.0).unwrap();
    assert_eq!(fit.step(steps / 2), steps / 2, "diverged: {:?}", fit.status());
    fit
}

/// A one-layer flow whose affine layer is the identity is exactly one coupling layer: it must
/// invert to 1e-9 and its log-det must be ln|det| of the central-difference Jacobian.
#[test]
fn each_coupling_layer_inverts_and_its_log_det_is_the_jacobian() {
    let mut rng = rng_from_seed(5);
    for seed in 0..20 {
        let mut flow = Flow::new(1, 8, seed).unwrap();
        let n = flow.params().len();
        let mut phi: Vec<f64> = (0..n).map(|_| 0.7 * std_normal2(&mut rng)[0]).collect();
        phi[n - 5..].copy_from_slice(&[0.0; 5]); // identity affine layer
        flow.set_params(&phi);
        let eps = std_normal2(&mut rng) * 1.5;
        let (z, log_det) = flow.forward(eps);
        let (back, _) = flow.inverse(z);
        assert!((back - eps).norm() < 1e-9, "inverse(forward(ε)) = {back:?} for ε = {eps:?}");
        let h = 1e-6;
        let col = |i: usize| {
            let mut e = eps;
            e[i] += h;
            let p = flow.forward(e).0;
            e[i] -= 2.0 * h;
            (p - flow.forward(e).0) / (2.0 * h)
        };
        let (c0, c1) = (col(0), col(1));
        let det = c0[0] * c1[1] - c0[1] * c1[0];
        assert!((det.abs().ln() - log_det).abs() < 1e-6, "ln|det J| = {} vs {log_det}", det.abs().ln());
        assert!(log_det.abs() > 1e-3, "the layer should not be the identity");
    }
}

/// Oracle 6: on the banana (b = 1) a flow of modest depth gets KL(q‖p) far below the best
/// Gaussian's (measured here too, from the full-rank fit).
#[test]
fn flow_bends_around_the_banana() {
    let gaussian = converge(settings("banana", 1.0, "full-rank", "reverse", 1), 4000).diag.kl.kl_qp;
    for seed in [1, 2, 3] {
        let fit = run(flow_settings("banana", 1.0, "reverse", seed), 16_000);
        let kl = fit.kl_qp();
        println!("banana: best Gaussian KL(q‖p) = {gaussian:.4}, flow (seed {seed}) = {kl:.4}");
        assert!(kl < 0.1, "flow KL(q‖p) = {kl}");
        assert!(kl < 0.25 * gaussian, "flow {kl} should be far below the Gaussian's {gaussian}");
    }
}

/// Oracle 3 for the flow: it contains the full-rank Gaussian, so on `correlated` it recovers Σ.
/// With sticking the landing: under the plain reparameterisation gradient the flow's parameters
/// keep jittering around the optimum (measured: KL 0.003–0.03 and variances off by up to 10 % at
/// 8k–40k steps, lr 0.01), while STL's gradient vanishes at q = p (Roeder et al. 2017) and the fit
/// lands exactly (KL < 1e-4 at 8k steps).
#[test]
fn flow_recovers_the_correlated_gaussian() {
    for (rho, seed) in [(0.9, 4), (-0.6, 5), (0.5, 6)] {
        let s = common::with_gradient(flow_settings("correlated", rho, "reverse", seed), "stl");
        let fit = run(s, 8_000);
        let (mean, cov) = fit.family().moments();
        assert_close("mean x", mean[0], 0.0, 0.05);
        assert_close("mean y", mean[1], 0.0, 0.05);
        assert_close("Σ₀₀", cov[(0, 0)], 1.0, 0.06);
        assert_close("Σ₁₁", cov[(1, 1)], 1.0, 0.06);
        assert_close("Σ₀₁", cov[(0, 1)], rho, 0.06);
        assert_close("KL(q‖p)", fit.kl_qp(), 0.0, 0.02);
    }
}

/// Forward KL is mass-covering: the flow puts mass on both modes of the mixture. p gives each
/// half-plane (x + y < 0 and x + y > 0) exactly half its mass (w = 0.5, by symmetry); q's share,
/// by quadrature, is held to Pinsker's bound |q(A) − p(A)| ≤ √(KL(p‖q)/2) with q's own exact
/// KL(p‖q), and to 0.03 (measured 0.495–0.505 over the three seeds).
#[test]
fn forward_kl_flow_covers_both_modes() {
    let grid = Grid::new(Box2 { x: (-7.0, 7.0), y: (-7.0, 7.0) }, 280, 280);
    for seed in [1, 2, 3] {
        let mut s = flow_settings("bimodal", 0.5, "forward", seed);
        s.samples = 32;
        let fit = run(s, 6_000);
        let q = fit.family();
        let (mut lower, mut total) = (0.0, 0.0);
        for z in grid.points() {
            let m = exp(q.log_q(z)) * grid.cell_area();
            total += m;
            if z[0] + z[1] < 0.0 {
                lower += m;
            }
        }
        let upper = total - lower;
        println!("bimodal forward KL, seed {seed}: q mass {lower:.3} | {upper:.3} (of {total:.3})");
        assert!(total > 0.98, "q's mass is inside the box: {total}");
        let kl = fit.diagnostics().kl.kl_pq;
        assert!(kl < 0.3, "KL(p‖q) = {kl}: a Gaussian's best is 1.22");
        let pinsker = (kl / 2.0).sqrt();
        assert!((lower / total - 0.5).abs() <= pinsker, "Pinsker: {lower:.3} against 0.5 ± {pinsker:.3}");
        assert!((lower / total - 0.5).abs() < 0.03, "both modes covered: {lower:.3} / {upper:.3}");
    }
}

/// The flow's moments come from Gauss–Hermite in the base space; check them against plain Monte
/// Carlo on a trained, non-Gaussian flow.
#[test]
fn flow_moments_match_monte_carlo() {
    let fit = run(flow_settings("banana", 1.0, "reverse", 9), 4_000);
    let q = fit.family();
    let (mean, cov) = q.moments();
    let mut rng = rng_from_seed(77);
    let n = 200_000;
    let (mut m, mut s) = (Vec2::zeros(), vi_playground::engine::Mat2::zeros());
    for _ in 0..n {
        let z = q.draw(0, std_normal2(&mut rng)).z;
        m += z / n as f64;
        s += z * z.transpose() / n as f64;
    }
    let c = s - m * m.transpose();
    assert!((mean - m).norm() < 0.02, "{mean:?} vs MC {m:?}");
    assert!((cov - c).norm() < 0.05 * (1.0 + c.norm()), "{cov:?} vs MC {c:?}");
}
