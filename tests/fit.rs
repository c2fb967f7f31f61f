//! The fit object's contract with the page: reproducible from the seed however the steps are
//! batched, untouched by looking at it, guarded against divergence, and errors as values.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::settings;
use vi_playground::engine::family::FAMILIES;
use vi_playground::engine::fit::{Fit, Settings, Status};
use vi_playground::engine::math::{rng_from_seed, std_normal2};
use vi_playground::engine::objective::OBJECTIVES;
use vi_playground::engine::run::all_rows;
use vi_playground::engine::settings::Value;
use vi_playground::engine::target::TARGETS;
use vi_playground::engine::{EngineError, Mat2, Vec2, NEVER_A_NAME};

/// Every target × family × objective of the registries, each at its defaults with the objective's
/// default gradient; on `banana` and `bimodal` every gradient (but those needing draws of p). The
/// flow small and at its own learning rate. (Every gradient on every target grew to 180 fits and
/// 100 s with the second wave's targets; the gradients' unbiasedness is `tests/gradients.rs`'s.)
fn every_combination() -> Vec<Settings> {
    let mut all = Vec::new();
    for target in TARGETS {
        for family in FAMILIES {
            for objective in OBJECTIVES {
                let every = ["banana", "bimodal"].contains(&target.name);
                // The gradients the family can take (a mixture has no defensive proposal).
                let takes = |g: &&'static vi_playground::engine::objective::Gradient| {
                    vi_playground::engine::objective::resolve(objective, g, family, false).is_ok()
                };
                let gradients = objective.gradients().iter().filter(takes);
                for gradient in gradients.take(if every { usize::MAX } else { 1 }) {
                    let s = settings(target.name, f64::NAN, family.name, objective.name, 7);
                    let mut s = common::with_gradient(s, gradient.name);
                    if family.name == "flow" {
                        s = common::with_option(common::with_option(s, "depth", 2.0), "width", 8.0);
                        s.lr = 0.01;
                    }
                    all.push(s);
                }
            }
        }
    }
    all
}

#[test]
fn same_seed_same_numbers_however_steps_are_batched() {
    for s in every_combination() {
        let mut a = Fit::new(s.clone()).unwrap();
        let mut b = Fit::new(s.clone()).unwrap();
        a.step(300);
        for _ in 0..3 {
            b.step(100);
            let _ = b.diagnostics(); // looking must not change the fit
            let _ = b.snapshot();
        }
        assert_eq!(a.snapshot(), b.snapshot(), "{s:?}");
        assert_eq!(a.diagnostics(), b.diagnostics());

        let mut c = Fit::new(Settings { seed: 8, ..s.clone() }).unwrap();
        c.step(300);
        assert_ne!(a.snapshot().params, c.snapshot().params, "another seed, another run");
    }
}

#[test]
fn every_combination_improves_its_objective() {
    for s in every_combination() {
        let mut fit = Fit::new(s.clone()).unwrap();
        // Start away from every optimum (N(0, I) already is mean-field's forward-KL optimum on
        // `correlated`): shifted and squeezed.
        // The flow's last five parameters are its affine layer's, laid out as full-rank's.
        let mut start = fit.family().params().to_vec();
        let n = start.len();
        let shift = [0.8, -0.6, -0.7, 0.0, 0.3];
        match n {
            4 => start.copy_from_slice(&shift[..4]),
            _ => start[n - 5..].copy_from_slice(&shift),
        }
        fit.set_params(&start).unwrap();
        // What each objective lowers: its KL, Rényi's D_α, or minus IWAE's bound L_8 (no closed
        // form: the average of 4000 sets of 8 draws, its standard error about 0.01 here).
        let lowered = |fit: &Fit| {
            let d = fit.diagnostics();
            match s.objective.as_str() {
                "reverse" => d.kl.kl_qp,
                "forward" => d.kl.kl_pq,
                "renyi" => d.d_alpha.unwrap(),
                "iwae" => {
                    let mut g = vec![0.0; fit.family().params().len()];
                    let mut rng = vi_playground::engine::math::rng_from_seed(99);
                    -vi_playground::engine::objective::iwae::iwae(
                        fit.target(),
                        fit.family(),
                        &mut rng,
                        4000,
                        8,
                        false,
                        &mut vi_playground::engine::objective::Scratch::default(),
                        &mut g,
                    )
                    .elbo
                }
                other => panic!("what does {other} lower?"),
            }
        };
        let b = lowered(&fit);
        fit.step(1500);
        assert_eq!(fit.status(), &Status::Running, "{s:?}");
        let a = lowered(&fit);
        assert!(a < b, "{s:?}: its objective went from {b} to {a}");
    }
}

#[test]
fn an_absurd_learning_rate_diverges_and_the_fit_recovers() {
    let mut s = settings("banana", 1.0, "full-rank", "reverse", 3);
    s.lr = 100.0;
    let mut fit = Fit::new(s).unwrap();
    let done = fit.step(10_000);
    let Status::Diverged { step, what } = fit.status().clone() else { panic!("lr = 100 should diverge") };
    assert_eq!(step, done + 1, "the failing step is the one after the last applied");
    // Which branch: Adam moves each parameter by about lr = 100 a step, so q's scale s grows as
    // e^100, e^200, …; with z ~ s the banana's ln p̃ grows as −2s⁴ (σ = 0.5) but the gradient in
    // a log-scale as ∂ln p̃/∂z · z ≈ −8s⁴, four times faster, so it passes 1.8e308 first: the
    // gradient's branch fires while the ELBO is still finite (a parameter, ~100s, never does).
    assert_eq!(what, "the gradient became infinite or NaN");
    // The failing step left everything as it was: the iterate and the q shown are those of the
    // same fit stopped after `done` steps.
    let mut twin = Fit::new(fit.settings().clone()).unwrap();
    assert_eq!(twin.step(done), done);
    assert_eq!(fit.iterate().params(), twin.iterate().params(), "the iterate moved at the failing step");
    assert_eq!(fit.snapshot().params, twin.snapshot().params, "the q shown moved at the failing step");
    assert_eq!(fit.step_count(), done);
    assert_eq!(fit.step(10), 0, "a diverged fit does not step");

    // The way back: reset, or a lower learning rate from the last good state.
    fit.reset();
    assert_eq!(fit.step_count(), 0);
    assert_eq!(fit.snapshot().params, vec![0.0; 5]);
    fit.set_lr(0.01).unwrap();
    assert_eq!(fit.step(500), 500);
    assert!(fit.diagnostics().kl.kl_qp.is_finite());
}

#[test]
fn bad_settings_are_errors_not_panics() {
    let good = Settings::default();
    // A value set past the rows' own check, as a hand-made Settings can.
    let raw = |s: &Settings, key: &str, v: Value| {
        let mut s = s.clone();
        s.options.set(all_rows().into_iter().find(|r| r.key == key).unwrap(), v);
        s
    };
    let (flow, correlated, forward) = (
        Settings { family: "flow".into(), ..good.clone() },
        Settings { target: "correlated".into(), ..good.clone() },
        Settings { objective: "forward".into(), ..good.clone() },
    );
    let cases: Vec<(Settings, &str)> = vec![
        (Settings { target: NEVER_A_NAME.into(), ..good.clone() }, "unknown target '_never'"),
        (Settings { family: NEVER_A_NAME.into(), ..good.clone() }, "unknown family '_never'"),
        (Settings { objective: NEVER_A_NAME.into(), ..good.clone() }, "unknown divergence '_never'"),
        (raw(&correlated, "rho", Value::Number(1.0)), "rho = 1 is out of range"),
        (raw(&good, "b", Value::Number(f64::NAN)), "b = NaN is out of range"),
        (Settings { samples: 0, ..good.clone() }, "samples = 0 is out of range"),
        (raw(&flow, "depth", Value::Number(9.0)), "depth = 9 is out of range"),
        (raw(&flow, "width", Value::Number(0.0)), "width = 0 is out of range"),
        (raw(&flow, "width", Value::Number(2.5)), "width cannot be"),
        (raw(&good, "estimator", Value::Name("snis")), "estimator cannot be"),
        (Settings { lr: -1.0, ..good.clone() }, "lr = -1 is out of range"),
        (Settings { lr: f64::INFINITY, ..good.clone() }, "lr = inf is out of range"),
        (raw(&forward, "proposal", Value::Name("draws")), "needs draws of p"),
    ];
    for (s, msg) in cases {
        let err = Fit::new(s).err().expect("should be refused");
        assert!(err.to_string().contains(msg), "{err} lacks {msg}");
    }
    let mut fit = Fit::new(good).unwrap();
    assert!(matches!(fit.set_lr(f64::NAN), Err(EngineError::OutOfRange { .. })));
    assert!(fit.set_params(&[f64::NAN; 4]).is_err());
    assert!(fit.set_params(&[0.0; 3]).is_err());
}

/// Oracle 2 again, by the other forward-KL estimator: maximum likelihood on exact draws of p
/// gives the marginal variances 1.
#[test]
fn forward_kl_from_draws_matches_marginals() {
    let rho: f64 = 0.9;
    let l = vi_playground::engine::math::cholesky2(&Mat2::new(1.0, rho, rho, 1.0)).unwrap();
    let mut rng = rng_from_seed(99);
    let draws: Vec<_> = (0..20_000).map(|_| l * std_normal2(&mut rng)).collect();
    let mut s = common::with_gradient(settings("correlated", rho, "mean-field", "forward", 4), "draws");
    s.samples = 32;
    let mut fit = common::displaced(Fit::with_draws(s, draws).unwrap());
    fit.step(4000);
    fit.set_lr(0.005).unwrap();
    fit.step(4000);
    let snap = fit.snapshot();
    for i in 0..2 {
        assert!((snap.cov[(i, i)] - 1.0).abs() < 0.05, "σ² = {}", snap.cov[(i, i)]);
        assert!(snap.mean[i].abs() < 0.05, "μ = {}", snap.mean[i]);
    }
    assert!((fit.diagnostics().kl.kl_pq + 0.5 * (1.0 - rho * rho).ln()).abs() < 0.02);
}

#[test]
fn forward_kl_by_snis_reports_its_effective_sample_size() {
    let mut fit = Fit::new(settings("banana", 1.0, "full-rank", "forward", 5)).unwrap();
    fit.step(200);
    let ess = fit.snapshot().ess.expect("SNIS reports an ESS");
    assert!(ess >= 1.0 && ess <= 16.0, "ESS {ess} must lie in [1, S]");
    let mut rev = Fit::new(settings("banana", 1.0, "full-rank", "reverse", 5)).unwrap();
    rev.step(10);
    assert_eq!(rev.snapshot().ess, None);
}

#[test]
fn dragging_moves_q_and_keeps_the_step_count() {
    for family in ["mean-field", "full-rank", "flow"] {
        let mut fit = Fit::new(settings("banana", 1.0, family, "reverse", 3)).unwrap();
        fit.step(200);
        let (before, cov_before) = fit.family().moments();
        fit.shift(Vec2::new(0.7, -1.25)).unwrap();
        let (after, cov_after) = fit.family().moments();
        // A Gaussian's moments are exact; a flow's come from adaptive cubature whose error estimate
        // is below 1e-7 (engine::cubature), and the shifted flow is integrated on other cells.
        let tol = if family == "flow" { 1e-6 } else { 1e-9 };
        assert!((after - before - Vec2::new(0.7, -1.25)).norm() < tol, "{family}: the mean moved by δ");
        assert!((cov_after - cov_before).norm() < tol, "{family}: the shape did not change");
        assert_eq!(fit.step_count(), 200);
        fit.step(10);
        assert!(fit.family().params().iter().all(|p| p.is_finite()));
    }
    let l = Mat2::new(0.5, 0.0, 0.3, 0.2);
    let mut fr = Fit::new(settings("banana", 1.0, "full-rank", "reverse", 3)).unwrap();
    fr.set_gaussian(Vec2::new(1.0, 2.0), &l).unwrap();
    assert_eq!(fr.family().moments(), (Vec2::new(1.0, 2.0), l * l.transpose()));
    let mut mf = Fit::new(settings("banana", 1.0, "mean-field", "reverse", 3)).unwrap();
    mf.set_gaussian(Vec2::new(1.0, 2.0), &l).unwrap();
    let (_, cov) = mf.family().moments();
    assert!((cov - Mat2::new(0.25, 0.0, 0.0, 0.04)).norm() < 1e-12, "mean-field keeps the diagonal: {cov}");
    let mut flow = Fit::new(settings("banana", 1.0, "flow", "reverse", 3)).unwrap();
    assert!(flow.set_gaussian(Vec2::zeros(), &l).is_err());
    assert!(fr.set_gaussian(Vec2::zeros(), &Mat2::new(-1.0, 0.0, 0.0, 1.0)).is_err());
}

/// The divergence guard's branches, each on the one value that trips it, and nothing else.
#[test]
fn the_divergence_guard_names_what_went_wrong() {
    use vi_playground::engine::fit::{check_estimate, check_params};
    assert_eq!(check_estimate(-3.0, &[0.1, -2.0]), Ok(()));
    assert_eq!(check_estimate(f64::NAN, &[0.1]), Err("the ELBO estimate became NaN".into()));
    assert_eq!(check_estimate(f64::NEG_INFINITY, &[0.1]), Err("the ELBO estimate became -inf".into()));
    assert_eq!(check_estimate(f64::INFINITY, &[f64::NAN]), Err("the ELBO estimate became inf".into()));
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(check_estimate(-3.0, &[0.1, bad]), Err("the gradient became infinite or NaN".into()));
        assert_eq!(check_params(&[bad, 0.0]), Err("a parameter became infinite or NaN".into()));
    }
    assert_eq!(check_params(&[1e300, -1e300]), Ok(()));
}

/// Every registry names its entries in `[a-z0-9-]+`, so [`NEVER_A_NAME`] (with `_`) can never be one
/// of them, and the names are safe in a link, a flag and a file name.
#[test]
fn every_registry_name_is_lowercase_words_and_dashes() {
    let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    names.extend(FAMILIES.iter().map(|f| f.name));
    names.extend(OBJECTIVES.iter().map(|o| o.name));
    names.extend(OBJECTIVES.iter().flat_map(|o| o.gradients().iter().map(|g| g.name)));
    names.extend(all_rows().iter().map(|r| r.key));
    for name in names {
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{name:?}"
        );
    }
    assert!(NEVER_A_NAME.contains('_'));
}
