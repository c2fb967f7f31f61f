//! Optimizer steps per second for the mixture at K = 1, 4, 10 and every objective, the same rows
//! natively (`vi-fit --bench`) and in wasm (the browser benchmark in tests/web.rs), timed by a
//! clock the caller has (`Instant` natively, `performance.now()` in the browser). A benchmark that
//! prints, never a timed assertion.

use super::family::mixture::{COMPONENTS, COVARIANCE};
use super::fit::{Fit, Settings, Status};
use super::objective::{self, iwae, renyi};
use super::settings::{Setting, Value};

/// A row: family, divergence, number options, a named choice (the mixture's covariance or the
/// objective's gradient), samples S.
type Row = (&'static str, &'static str, &'static [(&'static Setting, f64)], Option<&'static str>, usize);

/// The rows, on the banana.
pub const ROWS: &[Row] = &[
    ("mixture", "reverse", &[(&COMPONENTS, 1.0)], None, 8),
    ("mixture", "reverse", &[(&COMPONENTS, 4.0)], None, 8),
    ("mixture", "reverse", &[(&COMPONENTS, 10.0)], None, 8),
    ("mixture", "reverse", &[(&COMPONENTS, 10.0)], Some("diagonal"), 8),
    ("mixture", "forward", &[(&COMPONENTS, 4.0)], None, 8),
    ("mixture", "renyi", &[(&COMPONENTS, 4.0)], None, 8),
    ("mean-field", "reverse", &[], None, 8),
    ("full-rank", "reverse", &[], None, 8),
    ("full-rank", "forward", &[], None, 8),
    ("full-rank", "renyi", &[(&renyi::ALPHA, 0.5)], None, 8),
    ("full-rank", "renyi", &[(&renyi::ALPHA, -1.0)], None, 8),
    ("full-rank", "iwae", &[(&iwae::K, 8.0)], None, 8),
    ("full-rank", "iwae", &[(&iwae::K, 8.0)], Some("dreg"), 8),
    ("full-rank", "iwae", &[(&iwae::K, 64.0)], None, 1),
    ("full-rank", "iwae", &[(&iwae::K, 64.0)], Some("dreg"), 1),
    ("flow", "reverse", &[], None, 8),
    ("flow", "forward", &[], None, 8),
    ("flow", "renyi", &[(&renyi::ALPHA, 0.5)], None, 8),
    ("flow", "iwae", &[(&iwae::K, 64.0)], None, 1),
];

/// Each row's label and its steps per second over about `seconds`.
pub fn rates(seconds: f64, now_ms: impl Fn() -> f64) -> Vec<(String, f64)> {
    (0..ROWS.len()).map(|i| (row(i).0, rate(i, seconds, &now_ms))).collect()
}

/// Row `i`'s steps per second over about `seconds` (NaN for a row that cannot be built).
pub fn rate(i: usize, seconds: f64, now_ms: impl Fn() -> f64) -> f64 {
    Fit::new(row(i).1).map_or(f64::NAN, |mut fit| steps_per_second(&mut fit, seconds, &now_ms))
}

/// Row `i`'s label ("full-rank, iwae, k 64, dreg, S 1") and its settings.
pub fn row(i: usize) -> (String, Settings) {
    let (family, divergence, options, choice, samples) = ROWS[i];
    let mut s = Settings { samples, ..Settings::of("banana", family, divergence) };
    // The gradients this family can take (the mixture's forward KL: from q, not defensive).
    if let Ok(info) = super::family::find(family) {
        objective::fit_to_family(&mut s.options, info);
    }
    let mut label = format!("{family}, {divergence}");
    for &(row, v) in options {
        let _ = s.set(row, Value::Number(v));
        label += &format!(", {} {v}", row.key);
    }
    if let Some(name) = choice {
        if family == "mixture" {
            let _ = s.set(&COVARIANCE, Value::Name(name));
        } else if let Ok(o) = objective::find(divergence) {
            let _ = s.set(&o.gradient, Value::Name(name));
        }
        label += &format!(", {name}");
    }
    if samples != 8 {
        label += &format!(", S {samples}");
    }
    (label, s)
}

/// Steps per second over about `seconds`, in batches so the clock is read rarely.
pub fn steps_per_second(fit: &mut Fit, seconds: f64, now_ms: impl Fn() -> f64) -> f64 {
    fit.step(100); // warm-up
    let start = now_ms();
    let (mut done, mut batch) = (0u64, 100u64);
    loop {
        done += fit.step(batch);
        let t = (now_ms() - start) / 1e3;
        if t >= seconds || fit.status() != &Status::Running {
            return done as f64 / t;
        }
        batch = (batch * 2).min(1 << 20);
    }
}
