//! Rényi's α-divergence objective (science.md, "Divergences and their gradients", oracle 11): its
//! gradient is the exact derivative of its estimate at fixed noise (α ∈ {−1, 0.5, 2}, every family,
//! the mixture at K = 3), α = 1 is the ELBO path exactly, and the fits oracle 11 names.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::objective::Scratch;

use vi_playground::engine::family::{self, Family, FAMILIES};
use vi_playground::engine::fit::Settings;
use vi_playground::engine::math::{rng_from_seed, Mat2, Vec2};
use vi_playground::engine::objective::renyi::{renyi_reparam, ALPHA};
use vi_playground::engine::objective::reverse_kl::reverse_kl_reparam;
use vi_playground::engine::settings::{Options, Value};

/// Every family (the flow small, the mixture at K = 3), moved off its start.
fn families() -> Vec<Box<dyn Family>> {
    let mut o = Options::default();
    o.set(&family::flow::DEPTH, Value::Number(2.0));
    o.set(&family::flow::WIDTH, Value::Number(4.0));
    o.set(&family::mixture::COMPONENTS, Value::Number(3.0));
    FAMILIES
        .iter()
        .map(|info| {
            let mut q = (info.build)(&o, 4).unwrap();
            let phi: Vec<f64> =
                q.params().iter().enumerate().map(|(i, p)| p + 0.2 * ((i * 7 % 5) as f64 - 2.0) / 2.0).collect();
            q.set_params(&phi);
            q
        })
        .collect()
}

#[test]
fn the_gradient_is_the_derivative_of_the_estimate() {
    for target in ["banana", "bimodal"] {
        let t = common::target(target, f64::NAN);
        for q in families() {
            for alpha in [-1.0, 0.0, 0.5, 2.0] {
                for (seed, defensive) in [(1, true), (2, true), (3, false)] {
                    let p0 = q.params().to_vec();
                    let at = |p: &[f64]| {
                        let mut q = q.box_clone();
                        q.set_params(p);
                        let mut g = vec![0.0; p.len()];
                        renyi_reparam(
                            t.as_ref(),
                            q.as_ref(),
                            &mut rng_from_seed(seed),
                            4,
                            alpha,
                            defensive,
                            &mut Scratch::default(),
                            &mut g,
                        )
                        .elbo
                    };
                    let mut grad = vec![0.0; p0.len()];
                    renyi_reparam(
                        t.as_ref(),
                        q.as_ref(),
                        &mut rng_from_seed(seed),
                        4,
                        alpha,
                        defensive,
                        &mut Scratch::default(),
                        &mut grad,
                    );
                    let want = common::numeric_grad(&p0, at);
                    // The loss is −L̂ for α ≥ 0 and +L̂ (an upper bound, minimised) for α < 0.
                    let sign = if alpha < 0.0 { 1.0 } else { -1.0 };
                    for (i, (g, w)) in grad.iter().zip(&want).enumerate() {
                        assert!(
                            (g - sign * w).abs() <= 1e-5 * (1.0 + w.abs()),
                            "{target}, {}, α {alpha}, defensive {defensive}: ∂/∂φ[{i}] {g} vs {}",
                            q.name(),
                            sign * w
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn alpha_one_is_the_elbo_path() {
    let t = common::target("banana", 1.0);
    for q in families() {
        let (mut a, mut b) = (vec![0.0; q.params().len()], vec![0.0; q.params().len()]);
        for defensive in [true, false] {
            let ea = renyi_reparam(
                t.as_ref(),
                q.as_ref(),
                &mut rng_from_seed(3),
                8,
                1.0,
                defensive,
                &mut Scratch::default(),
                &mut a,
            );
            let eb = reverse_kl_reparam(t.as_ref(), q.as_ref(), &mut rng_from_seed(3), 8, false, &mut b);
            assert_eq!((ea.elbo, &a), (eb.elbo, &b), "{}", q.name());
            a.fill(0.0);
            b.fill(0.0);
        }
    }
}

/// Oracle 11: at α = 0 the estimate of a fixed q tends to ln Z as S grows (here ln Z = 0: the
/// bimodal target, q = N(0, 2²I), S = 4096, averaged over 50 seeds: within 4 standard errors);
/// at α = −1 it lies above ln Z (CUBO₂) and at α = 0.5 below it.
#[test]
fn at_alpha_zero_the_estimate_tends_to_log_z() {
    let t = common::target("bimodal", 0.5);
    let q = family::Gaussian::new(family::Structure::FullRank, Vec2::zeros(), &(Mat2::identity() * 2.0));
    let run = |alpha: f64, s: usize| -> (f64, f64) {
        let v: Vec<f64> = (0..50)
            .map(|seed| {
                renyi_reparam(
                    t.as_ref(),
                    &q,
                    &mut rng_from_seed(seed),
                    s,
                    alpha,
                    true,
                    &mut Scratch::default(),
                    &mut [0.0; 5],
                )
                .elbo
            })
            .collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        (m, sd / (v.len() as f64).sqrt())
    };
    let (m, se) = run(0.0, 4096);
    println!("α = 0, S = 4096: {m:.5} ± {se:.5} (ln Z = 0)");
    assert!(m.abs() < 4.0 * se + 1e-3, "{m} ± {se}");
    let (upper, _) = run(-1.0, 4096);
    let (lower, _) = run(0.5, 4096);
    println!("α = −1: {upper:.4}; α = 0.5: {lower:.4}");
    assert!(upper > 0.0 && lower < 0.0, "CUBO₂ {upper} above, L_0.5 {lower} below ln Z = 0");
}

fn renyi_fit(target: &str, param: f64, family: &str, alpha: f64, seed: u64) -> common::Converged {
    renyi_fit_with(target, param, family, alpha, seed, 64)
}

/// Below α = 1 the estimate of L_α is biased at a finite S (a log of a mean), and with it the
/// optimum the fit finds: more draws than the page's 16 to land on the exact one.
fn renyi_fit_with(target: &str, param: f64, family: &str, alpha: f64, seed: u64, samples: usize) -> common::Converged {
    let mut s: Settings = common::settings(target, param, family, "renyi", seed);
    s.set(&ALPHA, Value::Number(alpha)).unwrap();
    s.samples = samples;
    common::converge(s, 3000)
}

/// Oracle 11: full-rank on `correlated` → q = p for every α offered (D_α = 0, so KL(q‖p) ≈ 0
/// too), the upper bounds below α = 0 included. (α = 0 has no signal in the limit of many draws:
/// L₀ = ln Z for every q.)
#[test]
fn full_rank_on_the_correlated_gaussian_is_exact_for_every_alpha() {
    for alpha in [-1.0, -0.5, 0.25, 0.5, 1.5, 2.0] {
        let c = renyi_fit("correlated", 0.9, "full-rank", alpha, 2);
        println!("α = {alpha}: KL(q‖p) {:.5}, cov {:?}", c.diag.kl.kl_qp, c.cov);
        assert!(c.diag.kl.kl_qp < 0.01, "α = {alpha}: KL(q‖p) {}", c.diag.kl.kl_qp);
    }
}

/// The nearest optimum of the exact |D_α(q‖p)| (by cubature, itself checked against closed forms
/// below) from q's parameters `start`: D_α ≥ 0 is minimised for α > 0, D_α ≤ 0 maximised below
/// (the upper bound L_α = ln Z − D_α minimised). Descent along central differences with a step
/// that grows on success and halves on failure.
fn exact_optimum(t: &dyn vi_playground::engine::target::Target, q: &dyn Family, alpha: f64, start: &[f64]) -> Vec<f64> {
    use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
    let p = TargetIntegrals::new(t, Precision::Full);
    let sign = if alpha < 0.0 { -1.0 } else { 1.0 };
    let d = |x: &[f64]| {
        let mut q = q.box_clone();
        q.set_params(x);
        sign * p.d_alpha(t, q.as_ref(), alpha)
    };
    let (mut x, mut step) = (start.to_vec(), 0.01);
    for _ in 0..400 {
        let g = common::numeric_grad(&x, d);
        let next: Vec<f64> = x.iter().zip(&g).map(|(a, b)| a - step * b).collect();
        if d(&next) < d(&x) {
            x = next;
            step *= 1.2;
        } else {
            step *= 0.5;
        }
    }
    x
}

/// Oracle 11: on `bimodal` with a mean-field q, α from 2 down to −1 moves q from one mode to
/// spanning both: its variance grows with 1 − α. Each fit (S = 256) must sit at a stationary
/// point of the exact D_α: the exact optimum found from where the fit ended has a variance within
/// 3 %. The exact optima's variances must grow as α falls: between α = 2 and 1 by only 0.0008
/// (0.3607, 0.3615, q on one mode), less than the fits' own spread, which is why the fits are
/// compared with the exact optima and not with each other. From α = 0.5 the optimum spans both
/// modes (Var x 2.33; at S = 64 the fit found 2.20: the finite-S bias of a log of a mean).
#[test]
fn on_bimodal_the_variance_grows_as_alpha_falls() {
    let t = common::target("bimodal", 0.5);
    let mut last = 0.0;
    for alpha in [2.0, 1.0, 0.5, 0.25, -0.5, -1.0] {
        let c = renyi_fit_with("bimodal", 0.5, "mean-field", alpha, 1, 256);
        let q = c.fit.family();
        let best = exact_optimum(t.as_ref(), q, alpha, q.params());
        let mut at_best = q.box_clone();
        at_best.set_params(&best);
        let exact = at_best.moments().1[(0, 0)];
        let var = c.cov[(0, 0)];
        println!("α = {alpha}: mean {:?}, Var x {var:.4}, exact optimum {exact:.4}", c.mean);
        assert!((var / exact - 1.0).abs() < 0.03, "α = {alpha}: Var x {var}, the exact optimum's {exact}");
        assert!(exact > last, "α = {alpha}: the exact optimum's Var x {exact} after {last}");
        if alpha <= 0.5 {
            assert!(c.mean.norm() < 0.3 && var > 2.0, "α = {alpha}: q spans both modes: {:?}, {var}", c.mean);
        } else {
            assert!((c.mean.norm() - 1.5 * 2f64.sqrt()).abs() < 0.1, "α = {alpha}: q on one mode: {:?}", c.mean);
        }
        last = exact;
    }
    assert!(last > 2.61, "at α = −1 q spans both modes, wider than p: Var x {last} (p's is 2.61)");
}

/// α = −1 minimises CUBO₂, against its closed form: mean-field q = N(0, sI) on `correlated`
/// (ρ = 0.9, Σ's eigenvalues λ = 1 ± ρ). Between Gaussians E_q[(p/q)²] = s / (2π|Σ| √|2Σ⁻¹ − I/s|)
/// (finite for s > λ_max/2), so CUBO₂(s) = ½ [ln s − ½ Σᵢ ln(2/λᵢ − 1/s)] + const, minimised here by
/// golden section: s* ≈ 1.43, wider than p's marginal variance 1, where forward KL stops. The plain
/// estimator from q collapses here (see `renyi.rs`); the defensive one must land on s*.
#[test]
fn at_alpha_minus_one_mean_field_reaches_the_cubo2_optimum() {
    let rho = 0.9;
    let f = |s: f64| s.ln() - 0.5 * [1.0 + rho, 1.0 - rho].iter().map(|l| (2.0 / l - 1.0 / s).ln()).sum::<f64>();
    let (mut a, mut b) = ((1.0 + rho) / 2.0 + 1e-9, 10.0);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let (c, d) = (b - g * (b - a), a + g * (b - a));
        if f(c) < f(d) {
            b = d
        } else {
            a = c
        }
    }
    let best = 0.5 * (a + b);
    for seed in [1, 2] {
        let c = renyi_fit("correlated", rho, "mean-field", -1.0, seed);
        println!("seed {seed}: cov {:?}, mean {:?}; s* = {best:.4}", c.cov, c.mean);
        for i in 0..2 {
            let v = c.cov[(i, i)];
            assert!((v / best - 1.0).abs() < 0.05, "seed {seed}: Var {i} {v} against s* = {best}");
        }
        assert!(c.mean.norm() < 0.1, "seed {seed}: mean {:?}", c.mean);
    }
}

/// The exact D_α(q‖p) readout (by cubature over q) against the closed form between Gaussians
/// (Gil, Alajaji & Hoang 2013): with Σ_α = αΣ_p + (1 − α)Σ_q positive definite,
/// D_α(q‖p) = (α/2) δᵀΣ_α⁻¹δ − 1/(2(α − 1)) ln(|Σ_α| / (|Σ_q|^(1−α) |Σ_p|^α)), δ = μ_p − μ_q;
/// at α = 1 it is KL(q‖p). p is `correlated` (ρ = 0.6); q three Gaussians.
#[test]
fn the_exact_d_alpha_matches_the_closed_form_between_gaussians() {
    use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
    let rho = 0.6;
    let t = common::target("correlated", rho);
    let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
    let sp = Mat2::new(1.0, rho, rho, 1.0);
    for (mu, sq) in [
        (Vec2::new(0.3, -0.2), Mat2::new(0.8, 0.3, 0.3, 0.9)),
        (Vec2::new(-0.5, 0.4), Mat2::new(0.5, 0.0, 0.0, 0.6)),
        (Vec2::new(0.0, 0.0), Mat2::new(1.2, 0.7, 0.7, 1.1)),
    ] {
        let q = family::Gaussian::new(
            family::Structure::FullRank,
            mu,
            &vi_playground::engine::math::cholesky2(&sq).unwrap(),
        );
        for alpha in [-1.0, -0.5, 0.25, 0.5, 1.0, 1.5, 2.0] {
            let got = p.d_alpha(t.as_ref(), &q, alpha);
            let sa = sp * alpha + sq * (1.0 - alpha);
            // The integrand q^α p^(1−α) is a Gaussian in z with precision αΣ_q⁻¹ + (1 − α)Σ_p⁻¹
            // when that is positive definite (else E_q[(p/q)^(1−α)] = ∞); in q's base ε = L⁻¹(z − μ)
            // its covariance is L⁻¹ C L⁻ᵀ. The readout may call a finite expectation infinite only
            // when that Gaussian is wider than 1.8 in ε, so that a 5-sd box does not hold it within
            // q's 9-sd base box.
            let precision = sq.try_inverse().unwrap() * alpha + sp.try_inverse().unwrap() * (1.0 - alpha);
            let finite = precision.symmetric_eigenvalues().min() > 0.0;
            if got.is_infinite() {
                assert_eq!(got, if alpha < 1.0 { f64::NEG_INFINITY } else { f64::INFINITY }, "α {alpha}, q {mu:?}");
                if finite {
                    let l_inv = vi_playground::engine::math::cholesky2(&sq).unwrap().try_inverse().unwrap();
                    let c = l_inv * precision.try_inverse().unwrap() * l_inv.transpose();
                    let sd = c.symmetric_eigenvalues().max().sqrt();
                    println!("α {alpha}, q {mu:?}: finite but called infinite: sd in ε {sd:.2}");
                    assert!(sd > 1.8, "α {alpha}, q {mu:?}: D_α finite, its integrand's sd in ε only {sd}");
                } else {
                    println!("α {alpha}, q {mu:?}: infinite");
                }
                continue;
            }
            assert!(finite, "α {alpha}, q {mu:?}: E_q[(p/q)^(1−α)] is infinite, the readout says D_α = {got}");
            assert!(sa.symmetric_eigenvalues().min() > 0.0);
            let want = if alpha == 1.0 {
                let inv = sp.try_inverse().unwrap();
                0.5 * ((inv * sq).trace() + mu.dot(&(inv * mu)) - 2.0 + (sp.determinant() / sq.determinant()).ln())
            } else {
                let d = -mu;
                0.5 * alpha * d.dot(&(sa.try_inverse().unwrap() * d))
                    - (sa.determinant() / (sq.determinant().powf(1.0 - alpha) * sp.determinant().powf(alpha))).ln()
                        / (2.0 * (alpha - 1.0))
            };
            assert!((got - want).abs() < 1e-6, "α {alpha}, q {mu:?}: {got} vs {want}");
        }
    }
}

/// The weights' effective sample size: at q = p (full-rank q set to `correlated`) with draws from q
/// every weight is equal, so it is S exactly; otherwise between 1 and S.
#[test]
fn the_weights_ess_is_s_at_q_equal_p() {
    let rho = 0.6;
    let t = common::target("correlated", rho);
    let l = vi_playground::engine::math::cholesky2(&Mat2::new(1.0, rho, rho, 1.0)).unwrap();
    let p = family::Gaussian::new(family::Structure::FullRank, Vec2::zeros(), &l);
    let e =
        renyi_reparam(t.as_ref(), &p, &mut rng_from_seed(1), 16, 0.5, false, &mut Scratch::default(), &mut [0.0; 5]);
    assert!((e.ess.unwrap() - 16.0).abs() < 1e-9, "{e:?}");
    let q = family::Gaussian::new(family::Structure::FullRank, Vec2::new(0.5, 0.0), &Mat2::identity());
    let e =
        renyi_reparam(t.as_ref(), &q, &mut rng_from_seed(1), 16, 0.5, false, &mut Scratch::default(), &mut [0.0; 5]);
    assert!(e.ess.unwrap() > 1.0 && e.ess.unwrap() < 16.0, "{e:?}");
}

/// The running normaliser below α = 0 tracks ln E[(N/m) w^(1−α)] = (1 − α)(ln Z − D_α): at α = −1,
/// q = N(0, 1.5²I) on `correlated` (ρ = 0.6), 2 CUBO₂ = 2 × 0.30358 (closed form, see
/// tests/sandwich.rs). It is a running mean of heavy-tailed batch means, so it is compared on
/// average: its exponential, averaged over batches 1000–5000 of 16 draws, is within 5 % of
/// E[w²]; at α = 0 there is none.
#[test]
fn the_running_normaliser_tracks_its_expectation() {
    let t = common::target("correlated", 0.6);
    let q = family::Gaussian::new(family::Structure::FullRank, Vec2::zeros(), &(Mat2::identity() * 1.5));
    let mut scratch = Scratch::default();
    let mut rng = rng_from_seed(4);
    let mut sum = 0.0;
    for i in 0..5000 {
        renyi_reparam(t.as_ref(), &q, &mut rng, 16, -1.0, true, &mut scratch, &mut [0.0; 5]);
        let (alpha, c) = scratch.renyi_scale().expect("a normaliser below α = 0");
        assert_eq!(alpha, -1.0);
        if i >= 1000 {
            sum += c.exp() / 4000.0;
        }
    }
    let want = (2.0f64 * 0.30358).exp();
    println!("running E[w²] on average {sum:.4} against {want:.4}");
    assert!((sum / want - 1.0).abs() < 0.05, "{sum} against {want}");
    let mut scratch = Scratch::default();
    renyi_reparam(t.as_ref(), &q, &mut rng, 16, 0.0, true, &mut scratch, &mut [0.0; 5]);
    assert_eq!(scratch.renyi_scale(), None, "α = 0 normalises each batch by itself");
}

/// The fit's D_α readout at α = ±1 takes the integrals it already has (KL(q‖p); ln Z − CUBO₂)
/// instead of integrating again: the same numbers as the direct D_α integral.
#[test]
fn the_d_alpha_readout_at_plus_and_minus_one_is_the_direct_integral() {
    for alpha in [1.0, -1.0, 0.5] {
        let mut s: Settings = common::settings("bimodal", 0.5, "full-rank", "renyi", 3);
        s.set(&ALPHA, Value::Number(alpha)).unwrap();
        let mut fit = vi_playground::engine::fit::Fit::new(s).unwrap();
        fit.step(200);
        let got = fit.diagnostics().d_alpha.unwrap();
        let want = fit.integrals().d_alpha(fit.target(), fit.family(), alpha);
        assert!((got - want).abs() < 1e-9, "α = {alpha}: {got} against {want}");
    }
}
