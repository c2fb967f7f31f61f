//! Helpers shared by the native oracle tests.
#![allow(dead_code)]

pub mod mixture;

use vi_playground::engine::fit::{Diagnostics, Fit, Settings};
use vi_playground::engine::objective;
use vi_playground::engine::optim::Schedule;
use vi_playground::engine::settings::{Options, Value};
use vi_playground::engine::target::{self, Target};
use vi_playground::engine::{Mat2, Vec2};

/// The one place tests build settings: a change of the settings' shape changes this file only.
/// `param` is the target's first input (ρ, b or w); `objective` is `reverse` or `forward` with its
/// default gradient (reparam; defensive SNIS).
pub fn settings(target: &str, param: f64, family: &str, objective: &str, seed: u64) -> Settings {
    let mut s = Settings {
        target: target.into(),
        family: family.into(),
        objective: objective.into(),
        samples: 16,
        lr: 0.05,
        // `converge` runs its own step-size schedule and average, as the oracles were derived.
        schedule: Schedule::Constant,
        seed,
        ..Settings::default()
    };
    s.options = inputs(target, param);
    s
}

/// The target's inputs with its first at `value`; all at their defaults when `value` is NaN (a
/// target may have no number input).
pub fn inputs(name: &str, value: f64) -> Options {
    let mut o = Options::default();
    if !value.is_nan() {
        o.set(&target::find(name).unwrap().inputs[0], Value::Number(value));
    }
    o
}

/// The target `name` with its first input at `value`.
pub fn target(name: &str, value: f64) -> Box<dyn Target> {
    target::find(name).unwrap().build(&inputs(name, value)).unwrap()
}

/// `s` with the gradient `name` of its objective.
pub fn with_gradient(mut s: Settings, name: &str) -> Settings {
    let o = objective::find(&s.objective).unwrap();
    s.set(
        &o.gradient,
        Value::Name(o.gradients().iter().find(|g| g.name == name).expect("a gradient of the objective").name),
    )
    .unwrap();
    s
}

/// `s` with the target's first input at `value`.
pub fn with_param(mut s: Settings, value: f64) -> Settings {
    let row = &target::find(&s.target).unwrap().inputs[0];
    s.set(row, Value::Number(value)).unwrap();
    s
}

/// `s` with a family option (`depth`, `width`) set.
pub fn with_option(mut s: Settings, key: &str, value: f64) -> Settings {
    let f = vi_playground::engine::family::find(&s.family).unwrap();
    let row = f.options.iter().find(|r| r.key == key).expect("an option of the family");
    s.set(row, Value::Number(value)).unwrap();
    s
}

/// Moves a Gaussian fit's q away from every oracle's answer before it starts: mean (1.2, −0.8),
/// sds 0.3 and 0.4. The families start at N(0, I), which *is* mean-field forward KL's optimum on
/// `correlated`: a test starting there passes with a gradient of zero.
pub fn displaced(mut fit: Fit) -> Fit {
    fit.set_gaussian(Vec2::new(1.2, -0.8), &Mat2::new(0.3, 0.0, 0.0, 0.4)).expect("a Gaussian family");
    fit
}

/// The converged q of a fit: `steps` at the settings' learning rate, then the same again at a
/// tenth and a hundredth of it (a step-size schedule, as Robbins–Monro asks), then the mean of q's
/// moments over the last `steps / 2` steps (Polyak averaging) to wash out Monte Carlo noise.
pub struct Converged {
    pub mean: Vec2,
    pub cov: Mat2,
    pub fit: Fit,
    pub diag: Diagnostics,
}

pub fn converge(s: Settings, steps: u64) -> Converged {
    converge_from(Fit::new(s).expect("valid settings"), steps)
}

pub fn converge_from(mut fit: Fit, steps: u64) -> Converged {
    let lr = fit.settings().lr;
    fit.step(steps);
    fit.set_lr(lr / 10.0).unwrap();
    fit.step(steps);
    fit.set_lr(lr / 100.0).unwrap();
    let (mut mean, mut cov) = (Vec2::zeros(), Mat2::zeros());
    let avg = steps / 2;
    for _ in 0..avg {
        assert_eq!(fit.step(1), 1, "the fit diverged: {:?}", fit.status());
        let snap = fit.snapshot();
        mean += snap.mean / avg as f64;
        cov += snap.cov / avg as f64;
    }
    let diag = fit.diagnostics();
    Converged { mean, cov, fit, diag }
}

/// The central difference of f at x along every coordinate, with step [`H`]: the oracle the
/// analytic gradients are checked against (science.md, oracle 7).
pub fn numeric_grad(x: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut xp = x.to_vec();
    (0..x.len())
        .map(|i| {
            let xi = xp[i];
            xp[i] = xi + H;
            let fp = f(&xp);
            xp[i] = xi - H;
            let fm = f(&xp);
            xp[i] = xi;
            (fp - fm) / (2.0 * H)
        })
        .collect()
}

/// [`numeric_grad`]'s step: its truncation error O(H²) and its rounding O(ε/H) both stay near 1e-10.
pub const H: f64 = 1e-5;

pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} ± {tol}");
}

pub fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert!((got / want - 1.0).abs() <= rel, "{what}: got {got}, want {want} within {}%", rel * 100.0);
}
