//! `vi-fit`: a variational fit on the command line, over the same engine as the page.
//!
//! Prints one JSON object (the settings, exact ln Z and KLs, q's moments, steps per second), or with
//! `--bench` a table of optimizer steps per second for every target × family at S = 1, 8, 64.

use std::process::ExitCode;
use std::time::Instant;

use super::{number, resolve_target_param, target_param_flag};
use crate::engine::divergence::{Divergence, Estimator, ForwardSource};
use crate::engine::family::{self, FAMILIES};
use crate::engine::fit::{refresh_ms, Fit, Settings, Status};
use crate::engine::optim::Schedule;
use crate::engine::quadrature::Precision;
use crate::engine::target::{self, TARGETS};
use serde_json::json;

const HELP: &str = "\
vi-fit: fit a variational family to a 2-D target and print the result as JSON.

USAGE: vi-fit [OPTIONS]        vi-fit --bench [--seconds S]

OPTIONS (defaults in brackets):
  --target NAME        banana | bimodal | correlated            [banana]
  --rho R              correlated: correlation in [-0.99, 0.99]  [0.9]
  --b B                banana: curvature in [0, 2]               [1]
  --w W                bimodal: weight of the lower mode in [0.05, 0.95] [0.5]
  --family NAME        mean-field | full-rank | flow            [mean-field]
  --depth K            flow: coupling layers, 1..8              [4]
  --width H            flow: hidden units per layer, 2..64      [16]
  --divergence NAME    reverse (the ELBO) | forward              [reverse]
  --estimator NAME     reverse KL: reparam | stl | score         [reparam]
  --stl                same as --estimator stl
  --proposal NAME      forward KL: defensive (q and a widened q) | q (q alone, biased at small S) [defensive]
  --samples S          Monte Carlo samples per step, 1..1024     [8]
  --lr LR              Adam learning rate          [the family's: 0.05 Gaussians, 0.01 flow]
  --schedule NAME      decay (after 5000 steps lr/(1 + t'/1000); q the average of recent
                       iterates) | constant                      [decay]
  --steps N            optimizer steps                           [5000]
  --until-kl X         stop as soon as the exact KL(q||p) < X (checked every 100 steps), at most --steps
  --seed N             RNG seed: the same seed gives the same numbers [1]
  --bench              print steps per second for every target x family at S = 1, 8, 64
  --seconds S          with --bench: time per configuration      [0.5]
  -h, --help           this text
";

/// The program: parses `args` (without the program name), prints, and returns the exit code.
pub fn main(args: Vec<String>) -> ExitCode {
    super::finish("vi-fit", run(args))
}

struct Args {
    settings: Settings,
    steps: u64,
    until_kl: Option<f64>,
    bench: Option<f64>,
}

fn run(args: Vec<String>) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(HELP.trim_end().to_string());
    }
    let a = parse(&args)?;
    match a.bench {
        Some(seconds) => Ok(bench(seconds)),
        None => fit(a.settings, a.steps, a.until_kl),
    }
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut s = Settings::default();
    let mut steps = 5000u64;
    let mut until_kl = None;
    let mut bench = false;
    let mut seconds = 0.5f64;
    let mut param: Option<(String, f64)> = None;
    let mut lr = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--target" => s.target = value()?.clone(),
            "--family" => s.family = value()?.clone(),
            "--divergence" => s.divergence = Divergence::parse(value()?).map_err(|e| e.to_string())?,
            "--estimator" => s.estimator = Estimator::parse(value()?).map_err(|e| e.to_string())?,
            "--stl" => s.estimator = Estimator::Stl,
            "--proposal" => {
                s.forward_source = match value()?.as_str() {
                    "q" => ForwardSource::Snis,
                    "defensive" => ForwardSource::SnisDefensive,
                    other => return Err(format!("--proposal '{other}': expected q or defensive")),
                }
            }
            "--samples" => s.samples = number(flag, value()?)?,
            "--lr" => lr = Some(number(flag, value()?)?),
            "--schedule" => s.schedule = Schedule::parse(value()?).map_err(|e| e.to_string())?,
            "--steps" => steps = number(flag, value()?)?,
            "--until-kl" => until_kl = Some(number::<f64>(flag, value()?)?),
            "--depth" => s.flow_depth = number(flag, value()?)?,
            "--width" => s.flow_width = number(flag, value()?)?,
            "--seed" => s.seed = number(flag, value()?)?,
            "--bench" => bench = true,
            "--seconds" => seconds = number(flag, value()?)?,
            other => match target_param_flag(other) {
                Some(key) => param = Some((key, number(flag, value()?)?)),
                None => return Err(format!("unknown option '{other}'")),
            },
        }
    }
    s.lr = match lr {
        Some(lr) => lr,
        None => family::find(&s.family).map_err(|e| e.to_string())?.default_lr,
    };
    s.target_param = resolve_target_param(&s.target, param)?;
    if !(seconds > 0.0 && seconds <= 60.0) {
        return Err(format!("--seconds {seconds} must lie in (0, 60]"));
    }
    if until_kl.is_some_and(|x: f64| !(x > 0.0)) {
        return Err("--until-kl must be a positive number".into());
    }
    Ok(Args { settings: s, steps, until_kl, bench: bench.then_some(seconds) })
}

fn fit(settings: Settings, steps: u64, until_kl: Option<f64>) -> Result<String, String> {
    let mut fit = Fit::new(settings.clone()).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut done = 0;
    let mut reached = None;
    match until_kl {
        None => done = fit.step(steps),
        Some(goal) => {
            // The KL check is part of the measured time, as it would be for a user watching.
            while done < steps && fit.status() == &Status::Running {
                done += fit.step(100.min(steps - done));
                if fit.kl_qp() < goal {
                    reached = Some(start.elapsed().as_secs_f64());
                    break;
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let snap = fit.snapshot();
    let diag = fit.diagnostics();
    let diverged = match fit.status() {
        Status::Running => serde_json::Value::Null,
        Status::Diverged { step, what } => json!({ "step": step, "what": what }),
    };
    let out = json!({
        "target": settings.target,
        "target_param": { target::find(&settings.target).map_err(|e| e.to_string())?.param.key: settings.target_param },
        "family": settings.family,
        "flow": (settings.family == "flow").then(|| json!({ "depth": settings.flow_depth, "width": settings.flow_width })),
        "params_count": fit.family().params().len(),
        "structure": fit.family().describe(),
        "divergence": settings.divergence.name(),
        "estimator": settings.estimator.name(),
        "proposal": settings.forward_source.name(),
        "steps": done,
        "samples": settings.samples,
        "lr": settings.lr,
        "seed": settings.seed,
        "elbo": finite(snap.elbo_avg),
        "elbo_last": finite(snap.elbo),
        "log_z": diag.log_z,
        "log_z_error": finite(fit.integrals().log_z_error),
        "kl_qp": finite(diag.kl.kl_qp),
        "kl_qp_error": finite(diag.kl.kl_qp_error),
        "kl_pq": finite(diag.kl.kl_pq),
        "kl_pq_error": finite(diag.kl.kl_pq_error),
        "k_hat": finite(diag.k_hat),
        "ess": snap.ess,
        "mean": [snap.mean[0], snap.mean[1]],
        "cov": [[snap.cov[(0, 0)], snap.cov[(0, 1)]], [snap.cov[(1, 0)], snap.cov[(1, 1)]]],
        "params": snap.params,
        "steps_per_sec": if secs > 0.0 { done as f64 / secs } else { 0.0 },
        "diverged": diverged,
        "until_kl": until_kl.map(|goal| json!({ "goal": goal, "reached_after_sec": reached })),
    });
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

/// JSON has no NaN or infinity: those become null.
fn finite(x: f64) -> serde_json::Value {
    if x.is_finite() {
        json!(x)
    } else {
        serde_json::Value::Null
    }
}

fn bench(seconds: f64) -> String {
    let mut out = String::from(
        "Optimizer steps per second (reverse KL, reparameterisation; flow: depth 4, width 32) at S samples,\n\
         and the time of one refresh of the exact numbers (both KLs by cubature, PSIS k-hat, q's moments)\n\
         at the page's budget and at the CLI's, after 2000 steps:\n",
    );
    out += &format!(
        "{:<12} {:<12} {:>12} {:>12} {:>12} {:>14} {:>14}\n",
        "target", "family", "S=1", "S=8", "S=64", "refresh (page)", "refresh (full)"
    );
    for t in TARGETS {
        for f in FAMILIES {
            out += &format!("{:<12} {:<12}", t.name, f.name);
            for samples in [1, 8, 64] {
                let s = Settings {
                    target: t.name.into(),
                    target_param: t.param.default,
                    family: f.name.into(),
                    samples,
                    lr: 0.01,
                    ..Settings::default()
                };
                let rate = Fit::new(s).map_or(f64::NAN, |mut fit| steps_per_second(&mut fit, seconds));
                out += &format!(" {rate:>12.0}");
            }
            for precision in [Precision::Page, Precision::Full] {
                let s = Settings {
                    target: t.name.into(),
                    target_param: t.param.default,
                    family: f.name.into(),
                    lr: f.default_lr,
                    ..Settings::default()
                };
                let clock = Instant::now();
                let ms = refresh_ms(s, precision, || clock.elapsed().as_secs_f64() * 1e3).unwrap_or(f64::NAN);
                out += &format!(" {ms:>11.1} ms");
            }
            out += "\n";
        }
    }
    out.trim_end().to_string()
}

/// Steps per second over about `seconds`, in batches so the clock is read rarely.
fn steps_per_second(fit: &mut Fit, seconds: f64) -> f64 {
    fit.step(100); // warm-up
    let start = Instant::now();
    let mut done = 0u64;
    let mut batch = 1000u64;
    loop {
        done += fit.step(batch);
        let t = start.elapsed().as_secs_f64();
        if t >= seconds || fit.status() != &Status::Running {
            return done as f64 / t;
        }
        batch = (batch * 2).min(1 << 20);
    }
}
