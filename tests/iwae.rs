//! The importance-weighted bound (science.md, "Divergences and their gradients", oracle 12): L₁ is
//! the ELBO path exactly, L_K climbs with K towards ln Z for a fixed q (by large-sample averages,
//! L₁ against the quadrature ELBO), the plain gradient is the derivative of the estimate at fixed
//! noise, and DReG agrees with it in expectation.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::objective::Scratch;

use vi_playground::engine::family;
use vi_playground::engine::math::{rng_from_seed, Mat2, Vec2};
use vi_playground::engine::objective::iwae::iwae;
use vi_playground::engine::objective::reverse_kl::reverse_kl_reparam;
use vi_playground::engine::quadrature::{Precision, TargetIntegrals};

fn gaussian(mu: Vec2, l: Mat2) -> family::Gaussian {
    family::Gaussian::new(family::Structure::FullRank, mu, &l)
}

#[test]
fn one_draw_is_the_elbo_path() {
    let t = common::target("banana", 1.0);
    let q = gaussian(Vec2::new(0.2, -0.3), Mat2::new(0.9, 0.0, 0.3, 1.1));
    let (mut a, mut b) = (vec![0.0; 5], vec![0.0; 5]);
    let ea = iwae(t.as_ref(), &q, &mut rng_from_seed(4), 8, 1, false, &mut Scratch::default(), &mut a);
    let eb = reverse_kl_reparam(t.as_ref(), &q, &mut rng_from_seed(4), 8, false, &mut b);
    assert!((ea.elbo - eb.elbo).abs() < 1e-12, "{} vs {}", ea.elbo, eb.elbo);
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

/// Oracle 12: for a fixed q (N(0, 2²I) on `bimodal`, ln Z = 0), the averages of 20 000 sets give
/// L₁ < L₂ < L₈ < L₆₄ < ln Z, L₁ equal to the quadrature ELBO (−KL(q‖p)) within 4 standard errors.
#[test]
fn the_bound_climbs_with_k_towards_log_z() {
    let t = common::target("bimodal", 0.5);
    let q = gaussian(Vec2::zeros(), Mat2::identity() * 2.0);
    let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
    let elbo = p.log_z - p.kl_qp_with_error(t.as_ref(), &q).0;
    let sets = 20_000;
    let mut last = f64::NEG_INFINITY;
    for k in [1, 2, 8, 64] {
        let v: Vec<f64> = (0..sets)
            .map(|i| {
                iwae(t.as_ref(), &q, &mut rng_from_seed(i), 1, k, false, &mut Scratch::default(), &mut [0.0; 5]).elbo
            })
            .collect();
        let m = v.iter().sum::<f64>() / sets as f64;
        let se = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (sets - 1) as f64 / sets as f64).sqrt();
        println!("L_{k} = {m:.4} ± {se:.4} (ELBO {elbo:.4}, ln Z 0)");
        if k == 1 {
            assert!((m - elbo).abs() < 4.0 * se, "L_1 {m} ± {se} vs the ELBO {elbo}");
        }
        assert!(m > last && m < p.log_z, "L_{k} = {m} after {last}");
        last = m;
    }
    assert!(last > -0.05, "L_64 {last} close to ln Z");
}

/// At fixed noise the plain gradient is minus the derivative of the estimate (K = 8), for the
/// Gaussians and a small flow.
#[test]
fn the_plain_gradient_is_the_derivative_of_the_estimate() {
    use vi_playground::engine::settings::{Options, Value};
    let t = common::target("banana", 1.0);
    let mut o = Options::default();
    o.set(&family::flow::DEPTH, Value::Number(2.0));
    o.set(&family::flow::WIDTH, Value::Number(4.0));
    for name in ["mean-field", "full-rank", "flow"] {
        let mut q = (family::find(name).unwrap().build)(&o, 2).unwrap();
        let phi: Vec<f64> = q.params().iter().enumerate().map(|(i, p)| p + 0.1 * ((i % 3) as f64 - 1.0)).collect();
        q.set_params(&phi);
        let at = |p: &[f64]| {
            let mut q = q.box_clone();
            q.set_params(p);
            iwae(
                t.as_ref(),
                q.as_ref(),
                &mut rng_from_seed(5),
                2,
                8,
                false,
                &mut Scratch::default(),
                &mut vec![0.0; p.len()],
            )
            .elbo
        };
        let mut grad = vec![0.0; phi.len()];
        iwae(t.as_ref(), q.as_ref(), &mut rng_from_seed(5), 2, 8, false, &mut Scratch::default(), &mut grad);
        for (i, (g, w)) in grad.iter().zip(common::numeric_grad(&phi, at)).enumerate() {
            assert!((g + w).abs() <= 1e-5 * (1.0 + w.abs()), "{name}[{i}]: {g} vs −{w}");
        }
    }
}

/// Oracle 12: DReG and the plain IWAE gradient agree in expectation (20 000 draws of each at
/// K = 8 on the banana, every coordinate within 4 standard errors of the difference), and DReG's
/// spread is the smaller one near q = p.
#[test]
fn dreg_and_the_plain_gradient_agree_in_expectation() {
    let t = common::target("banana", 0.5);
    let q = gaussian(Vec2::new(0.1, 0.2), Mat2::new(1.0, 0.0, 0.1, 0.8));
    let n = 20_000;
    let mut stats = [[0.0f64; 5]; 4]; // sums and sums of squares, plain then DReG
    for i in 0..n {
        for (j, dreg) in [false, true].into_iter().enumerate() {
            let mut g = [0.0; 5];
            iwae(
                t.as_ref(),
                &q,
                &mut rng_from_seed(1_000_000 * j as u64 + i),
                1,
                8,
                dreg,
                &mut Scratch::default(),
                &mut g,
            );
            for c in 0..5 {
                stats[2 * j][c] += g[c];
                stats[2 * j + 1][c] += g[c] * g[c];
            }
        }
    }
    let nf = n as f64;
    for c in 0..5 {
        let (m0, m1) = (stats[0][c] / nf, stats[2][c] / nf);
        let (v0, v1) = (stats[1][c] / nf - m0 * m0, stats[3][c] / nf - m1 * m1);
        let se = ((v0 + v1) / nf).sqrt();
        println!("φ[{c}]: plain {m0:.4} (sd {:.3}), DReG {m1:.4} (sd {:.3})", v0.sqrt(), v1.sqrt());
        assert!((m0 - m1).abs() < 4.0 * se, "φ[{c}]: {m0} vs {m1} ± {se}");
        assert!(v1 < v0, "φ[{c}]: DReG's variance {v1} not below the plain {v0}");
    }
}
