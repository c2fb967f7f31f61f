//! Families by capability (issue 15): an objective reaches a family only through what every family
//! has (draws stratum by stratum, ln q, the score, the draw's vector–Jacobian product), so a family
//! that is not one bijection of N(0, I) — here a test-only mixture of two Gaussians
//! (`common/mixture.rs`) — is differentiated correctly and fits, with `src/engine/objective/`
//! untouched; and a gradient that needs a bijection is refused for it in words.
//!
//! Science: science.md, "Divergences and their gradients" (reparameterisation, sticking the
//! landing); the stratified estimator for mixtures, Roeder, Wu & Duvenaud (2017) §5.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::mixture::TwoGaussians;
use vi_playground::engine::family::{self, Family, FamilyInfo, Needs};
use vi_playground::engine::math::{exp, rng_from_seed, std_normal_log_pdf, Rng, Vec2};
use vi_playground::engine::objective::{self, Gradient, Scratch, Step};
use vi_playground::engine::optim::Adam;
use vi_playground::engine::settings::Options;
use vi_playground::engine::target::Target;

fn q0() -> TwoGaussians {
    let mut q = TwoGaussians::new(Vec2::new(-0.4, 0.3), Vec2::new(0.8, -0.2), 0.9, 0.4);
    // Unequal scales, so no coordinate of the gradient vanishes by symmetry.
    q.phi[3] = -0.3;
    q.phi[6] = 0.2;
    q
}

fn with(q: &TwoGaussians, phi: &[f64]) -> TwoGaussians {
    let mut q = q.clone();
    q.set_params(phi);
    q
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: {g} against {w}");
    }
}

/// The mixture's own derivatives against central differences: its score in φ and z, each stratum's
/// draw (through z and through ln q), and the weights.
#[test]
fn the_test_mixture_is_differentiated_right() {
    let q = q0();
    let phi = q.phi.to_vec();
    for (eps, g_z, g_lq) in
        [(Vec2::new(0.3, -1.2), Vec2::new(0.7, -0.4), 1.3), (Vec2::new(-1.5, 0.6), Vec2::new(-0.2, 0.9), -0.6)]
    {
        for k in 0..2 {
            let mut got = vec![0.0; 9];
            q.backprop_draw(k, eps, g_z, g_lq, &mut got);
            let want = common::numeric_grad(&phi, |p| {
                let d = with(&q, p).draw(k, eps);
                g_z.dot(&d.z) + g_lq * d.log_q
            });
            close(&format!("backprop_draw {k}"), &got, &want, 1e-6);
            let mut got = vec![0.0; 9];
            q.backprop_ln_weight(k, 1.0, &mut got);
            close(&format!("ln π {k}"), &got, &common::numeric_grad(&phi, |p| with(&q, p).ln_weight(k)), 1e-7);
        }
        let z = q.draw(0, eps).z;
        let mut got = vec![0.0; 9];
        q.score_params(z, 1.0, &mut got);
        close("score_params", &got, &common::numeric_grad(&phi, |p| with(&q, p).log_q(z)), 1e-6);
        let want = common::numeric_grad(z.as_slice(), |v| q.log_q(Vec2::new(v[0], v[1])));
        close("score_z", q.score_z(z).as_slice(), &want, 1e-6);
    }
    // The weights are a distribution and q a density: Σ π = 1, ∫ q = 1 (by the strata's cubature).
    assert!((exp(q.ln_weight(0)) + exp(q.ln_weight(1)) - 1.0).abs() < 1e-15);
    let mass = family::expect(&q, 20_000, |_| [1e-9], |_| [1.0]).value[0];
    assert!((mass - 1.0).abs() < 1e-9, "∫ q = {mass}");
    // q's moments by the strata's cubature against the mixture's closed form:
    // E z = Σ πₖ μₖ, Cov z = Σ πₖ (diag σₖ² + μₖμₖᵀ) − E z E zᵀ.
    let (mean, cov) = q.moments();
    let pi = [q.pi1(), 1.0 - q.pi1()];
    let mu = |k: usize| Vec2::new(q.phi[4 * k], q.phi[4 * k + 1]);
    let var = |k: usize| {
        vi_playground::engine::Mat2::from_diagonal(&Vec2::new(exp(2.0 * q.phi[4 * k + 2]), exp(2.0 * q.phi[4 * k + 3])))
    };
    let want_mean = mu(0) * pi[0] + mu(1) * pi[1];
    let want_cov = (0..2).map(|k| (var(k) + mu(k) * mu(k).transpose()) * pi[k]).sum::<vi_playground::engine::Mat2>()
        - want_mean * want_mean.transpose();
    assert!((mean - want_mean).norm() < 1e-7, "{mean:?} against {want_mean:?}");
    assert!((cov - want_cov).norm() < 1e-6, "{cov:?} against {want_cov:?}");
}

/// The canvas's sample cloud gives each stratum its share of the fixed noises, in order, and is
/// each noise's draw; for one stratum, every point is its draw.
#[test]
fn the_sample_cloud_gives_each_stratum_its_share() {
    let q = q0();
    let mut rng = rng_from_seed(3);
    let eps: Vec<Vec2> = (0..400).map(|_| vi_playground::engine::math::std_normal2(&mut rng)).collect();
    let cloud = family::cloud(&q, &eps);
    assert_eq!(cloud.len(), eps.len());
    let n = eps.len() as f64;
    for (i, (z, e)) in cloud.iter().zip(&eps).enumerate() {
        let k = if (i as f64 + 0.5) / n < q.pi1() { 0 } else { 1 };
        assert_eq!(*z, q.draw(k, *e).z, "point {i}");
    }
    let gaussian = (family::find("full-rank").unwrap().build)(&Options::default(), 1).unwrap();
    let one = family::cloud(gaussian.as_ref(), &eps);
    assert!(one.iter().zip(&eps).all(|(z, e)| *z == gaussian.draw(0, *e).z));
}

/// The exact ELBO by a fixed 240 × 240 midpoint grid in ε over [−7, 7]² per stratum (smooth in φ,
/// so its central differences are the exact gradient to ~1e-7): Σₖ πₖ E_ε[ln p̃(Tₖ ε) − ln q(Tₖ ε)].
fn exact_elbo(q: &dyn Family, target: &dyn Target) -> f64 {
    let (n, r) = (240, 7.0);
    let h = 2.0 * r / n as f64;
    let mut total = 0.0;
    for k in 0..q.strata() {
        let mut sum = 0.0;
        for i in 0..n {
            for j in 0..n {
                let eps = Vec2::new(-r + (i as f64 + 0.5) * h, -r + (j as f64 + 0.5) * h);
                let d = q.draw(k, eps);
                sum += exp(std_normal_log_pdf(eps)) * h * h * (target.log_density(d.z) - d.log_q);
            }
        }
        total += exp(q.ln_weight(k)) * sum;
    }
    total
}

fn estimate(g: &Gradient, target: &dyn Target, q: &dyn Family, rng: &mut Rng, samples: usize, grad: &mut [f64]) -> f64 {
    let options = Options::default();
    let mut scratch = Scratch::default();
    (g.estimate)(&mut Step { target, q, rng, samples, options: &options, draws: &[], scratch: &mut scratch, grad }).elbo
}

/// p̃ times e^c: ln Z = c. A constant in ln p̃ changes no true gradient, but it moves each stratum's
/// ELBO away from −1, where a weight gradient written −w/F instead of −w·F would pass unseen.
struct Unnormalised {
    inner: Box<dyn Target>,
    c: f64,
}

impl Target for Unnormalised {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (lp, g) = self.inner.log_density_and_grad(z);
        (lp + self.c, g)
    }
    fn mass_box(&self) -> vi_playground::engine::target::Box2 {
        self.inner.mass_box()
    }
    fn exact(&self) -> vi_playground::engine::target::Exact {
        self.inner.exact()
    }
}

/// Every reverse-KL gradient the mixture can take (from the registry: reparameterisation, sticking
/// the landing, score) is unbiased for −∇ELBO, within 4 standard errors over 9 coordinates, and its
/// ELBO readout unbiased for the ELBO.
#[test]
fn every_reverse_kl_gradient_is_unbiased_for_a_mixture() {
    let target = Unnormalised { inner: common::target("correlated", 0.6), c: 2.5 };
    let target: Box<dyn Target> = Box::new(target);
    // One component on p, one off it: strata with very different ELBOs, so the weights' own
    // gradient π₁π₂(F₁ − F₂) is large (with equal strata it vanishes, and a wrong one passes).
    let mut q = q0();
    q.phi[4] = 2.0;
    q.phi[5] = -1.5;
    let phi = q.phi.to_vec();
    let want = common::numeric_grad(&phi, |p| -exact_elbo(&with(&q, p), target.as_ref()));
    let elbo = exact_elbo(&q, target.as_ref());
    let reps = 40_000;
    for (g, seed) in objective::reverse_kl::INFO.gradients().iter().zip(31..) {
        let mut rng = rng_from_seed(seed);
        let (mut sum, mut sum2, mut e_sum, mut e_sum2) = ([0.0; 9], [0.0; 9], 0.0, 0.0);
        for _ in 0..reps {
            let mut grad = vec![0.0; 9];
            let e = estimate(g, target.as_ref(), &q, &mut rng, 2, &mut grad);
            for i in 0..9 {
                sum[i] += grad[i];
                sum2[i] += grad[i] * grad[i];
            }
            e_sum += e;
            e_sum2 += e * e;
        }
        let n = reps as f64;
        for i in 0..9 {
            let mean = sum[i] / n;
            let se = ((sum2[i] / n - mean * mean) / n).sqrt();
            assert!(
                (mean - want[i]).abs() < 4.0 * se + 1e-6,
                "{}: φ[{i}] {mean:.4} ± {se:.4} against {:.4}",
                g.name,
                want[i]
            );
        }
        let (mean, se) = (e_sum / n, ((e_sum2 / n - (e_sum / n).powi(2)) / n).sqrt());
        assert!((mean - elbo).abs() < 4.0 * se, "{}: ELBO {mean} ± {se} against {elbo}", g.name);
    }
}

/// And it fits: on `bimodal` (w = ½, itself an equal mixture of two round Gaussians at ±(1.5, 1.5)),
/// reverse KL by reparameterisation through the registry's gradient takes the mixture from
/// overlapping components at the origin to one per mode: KL(q‖p) below 0.01 where the best single
/// Gaussian stays near ln 2 ≈ 0.69 (oracle 4), each weight near ½.
#[test]
fn a_mixture_fits_bimodal_through_the_registry() {
    let target = common::target("bimodal", 0.5);
    let mut q = TwoGaussians::new(Vec2::new(-0.3, -0.2), Vec2::new(0.2, 0.4), 1.0, 0.0);
    let reparam = &objective::reverse_kl::INFO.gradients()[0];
    let mut adam = Adam::new(0.05);
    let mut state = adam.init(9);
    let mut rng = rng_from_seed(5);
    let mut next = [0.0; 9];
    for step in 0..6000 {
        // A tenth of the rate for the last third, so the last iterate settles (Robbins–Monro).
        if step == 4000 {
            adam.lr = 0.005;
        }
        let mut grad = vec![0.0; 9];
        estimate(reparam, target.as_ref(), &q, &mut rng, 8, &mut grad);
        adam.update(&mut state, &grad, &q.phi, &mut next);
        q.set_params(&next);
    }
    let log_z = target.exact().log_z.unwrap();
    let kl = log_z - exact_elbo(&q, target.as_ref());
    assert!(kl < 0.01, "KL(q‖p) = {kl} after 6000 steps: {:?}", q.phi);
    assert!((q.pi1() - 0.5).abs() < 0.05, "π₁ = {}", q.pi1());
    let (m1, m2) = (Vec2::new(q.phi[0], q.phi[1]), Vec2::new(q.phi[4], q.phi[5]));
    assert!((m1 + m2).norm() < 0.2 && (m1 - m2).norm() > 3.5, "one component per mode: {m1:?} {m2:?}");
}

/// A gradient that needs what the family lacks is refused, naming both, before any step: the
/// defensive proposal widens a bijection's base, which a mixture does not have.
#[test]
fn a_gradient_the_family_cannot_take_is_refused_in_words() {
    static MIXTURE: FamilyInfo = FamilyInfo {
        name: "two-gaussians",
        label: "Mixture of two Gaussians",
        default_lr: 0.05,
        offers: Needs::Reparam,
        options: &[],
        explain: vi_playground::engine::registry::Explanation { title: "", text: "", formula: "" },
        build: |_, _| Ok(Box::new(TwoGaussians::new(Vec2::zeros(), Vec2::zeros(), 1.0, 0.0))),
    };
    let forward = objective::find("forward").unwrap();
    for g in forward.gradients() {
        let r = objective::resolve(forward, g, &MIXTURE, true);
        match g.needs {
            Needs::Bijection => {
                let e = r.unwrap_err().to_string();
                assert!(
                    e.contains("Forward KL") && e.contains("mixture of two gaussians") && e.contains("invertible"),
                    "{e}"
                );
            }
            _ => assert!(r.is_ok(), "{}: {r:?}", g.name),
        }
    }
    // The page offers exactly what resolve() accepts, with its sentence as the reason, with and
    // without draws; and a family change moves a choice it cannot take to one it can.
    for has_draws in [false, true] {
        let offered = objective::offered(forward, &MIXTURE, has_draws);
        assert_eq!(offered.len(), forward.gradients().len(), "every gradient, offered or not");
        for (g, why) in offered {
            assert_eq!(
                why,
                objective::resolve(forward, g, &MIXTURE, has_draws).err().map(|e| e.to_string()),
                "{}",
                g.name
            );
        }
    }
    let mut options = Options::default();
    assert_eq!(forward.chosen(&options).name, "snis-defensive");
    objective::fit_to_family(&mut options, &MIXTURE);
    assert_eq!(forward.chosen(&options).name, "snis", "the first gradient the mixture can take");
    let before = options.clone();
    objective::fit_to_family(&mut options, family::find("full-rank").unwrap());
    assert_eq!(options, before, "a bijection can take it: kept");
    // Through the settings: the mixture forces plain SNIS; a Gaussian again brings the default
    // back, but a choice the student made on the mixture (not the fallback) stays.
    let mut s = vi_playground::engine::fit::Settings::default();
    s.set_objective("forward").unwrap();
    s.set_family("mixture").unwrap();
    assert_eq!(forward.chosen(&s.options).name, "snis");
    s.set_family("mean-field").unwrap();
    assert_eq!(forward.chosen(&s.options).name, "snis-defensive", "the default is back");
    s.set_family("mixture").unwrap();
    s.set(&forward.gradient, vi_playground::engine::settings::Value::Name("draws")).unwrap();
    s.set_family("full-rank").unwrap();
    assert_eq!(forward.chosen(&s.options).name, "draws", "the student's own choice stays");
    // A divergence as a whole: IWAE cannot run with a mixture by any gradient; forward KL can.
    let mixture = family::find("mixture").unwrap();
    let why = objective::takes(objective::find("iwae").unwrap(), mixture).unwrap_err().to_string();
    assert!(why.contains("invertible map"), "{why}");
    assert!(objective::takes(forward, mixture).is_ok());
    // Every registered family offers what it has: a bijection exactly when it says so.
    for info in family::FAMILIES {
        let q = (info.build)(&Options::default(), 1).unwrap();
        assert_eq!(q.bijection().is_some(), info.offers >= Needs::Bijection, "{}", info.name);
    }
}
