//! The mixture family (science.md, "Variational families", oracle 10): its derivatives against
//! central differences at K = 3 (full-rank and diagonal components), its moments against the
//! mixture's closed form, and the fits oracle 10 names.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::family::mixture::Mixture;
use vi_playground::engine::family::{self, Family};
use vi_playground::engine::math::Rng;
use vi_playground::engine::math::{exp, rng_from_seed, std_normal2, Mat2, Vec2};

fn close(what: &str, got: &[f64], want: &[f64]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-5 * (1.0 + w.abs()), "{what}[{i}]: {g} vs {w}");
    }
}

fn with(q: &Mixture, phi: &[f64]) -> Mixture {
    let mut q = q.clone();
    q.set_params(phi);
    q
}

/// A K = 3 mixture at random parameters (means spread, scales and weights uneven).
fn random_mixture(diagonal: bool, rng: &mut Rng) -> Mixture {
    let mut q = Mixture::new(3, diagonal, 5).unwrap();
    let phi: Vec<f64> = q.params().iter().map(|p| p + 0.6 * std_normal2(rng)[0]).collect();
    q.set_params(&phi);
    q
}

#[test]
fn the_mixture_is_differentiated_right_at_k_3() {
    let mut rng = rng_from_seed(11);
    for diagonal in [false, true] {
        for _ in 0..4 {
            let q = random_mixture(diagonal, &mut rng);
            let phi = q.params().to_vec();
            let n = phi.len();
            assert_eq!(n, 3 * if diagonal { 4 } else { 5 } + 3);
            let eps = std_normal2(&mut rng);
            let (g_z, g_lq) = (std_normal2(&mut rng), 0.7);
            for k in 0..3 {
                let mut got = vec![0.0; n];
                q.backprop_draw(k, eps, g_z, g_lq, &mut got);
                let want = common::numeric_grad(&phi, |p| {
                    let d = with(&q, p).draw(k, eps);
                    g_z.dot(&d.z) + g_lq * d.log_q
                });
                close(&format!("backprop_draw {k}, diagonal {diagonal}"), &got, &want);
                let mut got = vec![0.0; n];
                q.backprop_ln_weight(k, 1.0, &mut got);
                close(&format!("ln π {k}"), &got, &common::numeric_grad(&phi, |p| with(&q, p).ln_weight(k)));
            }
            let z = q.draw(1, eps).z;
            let mut got = vec![0.0; n];
            q.score_params(z, 1.0, &mut got);
            close("score_params", &got, &common::numeric_grad(&phi, |p| with(&q, p).log_q(z)));
            let want = common::numeric_grad(z.as_slice(), |v| q.log_q(Vec2::new(v[0], v[1])));
            close("score_z", q.score_z(z).as_slice(), &want);
            // Σ π = 1, ∫ q = 1, and the moments of a mixture: E z = Σ πₖμₖ,
            // Cov z = Σ πₖ(Σₖ + μₖμₖᵀ) − E z E zᵀ.
            let comps = q.components().unwrap();
            assert!((comps.iter().map(|c| c.2).sum::<f64>() - 1.0).abs() < 1e-14);
            let mass = family::expect(&q, 20_000, |_| [1e-9], |_| [1.0]).value[0];
            assert!((mass - 1.0).abs() < 1e-9, "∫ q = {mass}");
            let m = comps.iter().fold(Vec2::zeros(), |a, (mu, _, p)| a + mu * *p);
            let c =
                comps.iter().fold(Mat2::zeros(), |a, (mu, l, p)| a + (l * l.transpose() + mu * mu.transpose()) * *p)
                    - m * m.transpose();
            let (mean, cov) = q.moments();
            assert!((mean - m).norm() < 1e-6 && (cov - c).norm() < 1e-5, "{mean:?} {cov:?} vs {m:?} {c:?}");
            if diagonal {
                assert!(comps.iter().all(|(_, l, _)| l[(1, 0)] == 0.0));
            }
        }
    }
}

#[test]
fn components_start_apart_and_k_1_is_the_standard_normal() {
    let q = Mixture::new(4, false, 9).unwrap();
    let c = q.components().unwrap();
    for i in 0..4 {
        assert!((c[i].0.norm() - 1.5).abs() < 1e-12 && (c[i].2 - 0.25).abs() < 1e-15);
        for j in 0..i {
            assert!((c[i].0 - c[j].0).norm() > 2.0, "{i} and {j} start apart");
        }
    }
    assert_ne!(Mixture::new(4, false, 10).unwrap().components().unwrap()[0].0, c[0].0, "the angle is seeded");
    let one = Mixture::new(1, false, 9).unwrap();
    for z in [Vec2::new(0.3, -1.0), Vec2::new(2.0, 1.0)] {
        assert!((one.log_q(z) - (-(2.0 * std::f64::consts::PI).ln() - 0.5 * z.norm_squared())).abs() < 1e-12);
    }
    assert!(Mixture::new(0, false, 1).is_err() && Mixture::new(11, true, 1).is_err());
    assert_eq!(exp(one.ln_weight(0)), 1.0);
}

fn mixture_fit(target: &str, param: f64, k: f64, seed: u64, steps: u64) -> common::Converged {
    let s = common::with_option(common::settings(target, param, "mixture", "reverse", seed), "components", k);
    common::converge(s, steps)
}

/// Oracle 10, K = 1: the full-rank optimum. On the banana (b = 1) reverse KL's best Gaussian has
/// KL(q‖p) well above 0; a K = 1 mixture reaches the same KL as the full-rank family.
#[test]
fn one_component_reaches_the_full_rank_optimum() {
    let mix = mixture_fit("banana", 1.0, 1.0, 3, 3000);
    let fr = common::converge(common::settings("banana", 1.0, "full-rank", "reverse", 3), 3000);
    let (a, b) = (mix.diag.kl.kl_qp, fr.diag.kl.kl_qp);
    println!("banana: K = 1 mixture KL(q‖p) {a:.4}, full-rank {b:.4}");
    assert!(b > 0.1 && (a - b).abs() < 0.01, "K = 1 {a} vs full-rank {b}");
}

/// Oracle 10, K = 2 on `bimodal` (w = 0.5), reverse KL from the seeded spread start: KL(q‖p) < 0.01,
/// one component per mode, πₖ ≈ ½.
#[test]
fn two_components_take_one_mode_each() {
    let c = mixture_fit("bimodal", 0.5, 2.0, 1, 4000);
    let kl = c.diag.kl.kl_qp;
    let comps = c.fit.family().components().expect("a mixture");
    println!("bimodal K = 2: KL {kl:.5}, components {comps:?}");
    assert!(kl < 0.01, "KL(q‖p) {kl}");
    let a = 1.5;
    for mode in [Vec2::new(-a, -a), Vec2::new(a, a)] {
        let near: Vec<_> = comps.iter().filter(|(mu, _, _)| (mu - mode).norm() < 0.2).collect();
        assert_eq!(near.len(), 1, "one component at {mode:?}: {comps:?}");
        assert!((near[0].2 - 0.5).abs() < 0.05, "its weight {}", near[0].2);
    }
}

/// Oracle 10, K = k on `ring`: every mode covered (a component mean within 0.3 of each).
#[test]
fn k_components_cover_every_mode_of_a_ring_of_k() {
    for (k, seed) in [(4.0, 1), (6.0, 2)] {
        let c = mixture_fit("ring", k, k, seed, 4000);
        let comps = c.fit.family().components().expect("a mixture");
        let kl = c.diag.kl.kl_qp;
        println!("ring k = {k}: KL {kl:.4}, means {:?}", comps.iter().map(|c| c.0).collect::<Vec<_>>());
        for j in 0..k as usize {
            let t = 2.0 * std::f64::consts::PI * j as f64 / k;
            let mode = Vec2::new(2.5 * t.cos(), 2.5 * t.sin());
            assert!(comps.iter().any(|(mu, _, _)| (mu - mode).norm() < 0.3), "k = {k}: mode {j} uncovered: {comps:?}");
        }
        assert!(kl < 0.02, "k = {k}: KL {kl}");
    }
}

/// Dragging: `Fit::shift_stratum` moves one component's mean and nothing else; `Fit::shift` moves
/// every component (q by δ), so q's mean moves by δ exactly.
#[test]
fn a_component_is_dragged_alone_and_the_mixture_as_a_whole() {
    let s = common::settings("bimodal", 0.5, "mixture", "reverse", 2);
    let mut fit = vi_playground::engine::fit::Fit::new(s).unwrap();
    fit.step(10);
    let before = fit.family().components().unwrap();
    let d = Vec2::new(0.3, -0.2);
    fit.shift_stratum(1, d).unwrap();
    let after = fit.family().components().unwrap();
    assert_eq!(after[0], before[0]);
    assert!((after[1].0 - before[1].0 - d).norm() < 1e-12, "{:?} → {:?}", before[1], after[1]);
    assert_eq!((after[1].1, after[1].2), (before[1].1, before[1].2));
    let (mean, _) = fit.family().moments();
    fit.shift(d).unwrap();
    let (moved, _) = fit.family().moments();
    assert!((moved - mean - d).norm() < 1e-9, "{mean:?} → {moved:?}");
    assert!(fit.shift_stratum(2, d).is_err(), "K = 2 has no stratum 2");
}
