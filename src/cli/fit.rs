//! `vi-fit`: a variational fit on the command line, over the same engine as the page.
//!
//! Prints one JSON object (the settings, exact ln Z and KLs, q's moments, steps per second), or with
//! `--bench` a table of optimizer steps per second for every target × family at S = 1, 8, 64.

use std::process::ExitCode;
use std::time::Instant;

use super::{number, option_help, settings_from, split_setting_flags};
use crate::engine::bench::steps_per_second;
use crate::engine::family::FAMILIES;
use crate::engine::fit::{refresh_ms, Fit, Settings, Status};
use crate::engine::objective::{self, OBJECTIVES};
use crate::engine::quadrature::Precision;
use crate::engine::settings;
use crate::engine::target::TARGETS;
use serde::Serialize;

use crate::report::FitReport;

/// `--help`, with the choices and the options of every registry entry.
fn help() -> String {
    let names = |v: Vec<&str>| v.join(" | ");
    format!(
        "\
vi-fit: fit a variational family to a 2-D target and print the result as JSON.

USAGE: vi-fit [OPTIONS]        vi-fit --bench [--seconds S]

OPTIONS (defaults in brackets):
  --target NAME        {}  [banana]
  --family NAME        {}  [mean-field]
  --divergence NAME    {}  [reverse]
  --samples S          Monte Carlo samples per step, 1..{}  [the divergence's: 8 reverse, 32 forward]
  --lr LR              Adam learning rate in [{}, {}]  [the family's: 0.05 Gaussians, 0.01 flow]
  --schedule NAME      decay (after 5000 steps lr/(1 + t'/1000); q the average of recent
                       iterates) | constant                      [decay]
  --seed N             RNG seed: the same seed gives the same numbers [1]
  --steps N            optimizer steps                           [5000]
  --until-kl X         stop as soon as the exact KL(q||p) < X (checked every 100 steps), at most --steps
  --list               print every target's, family's and divergence's name as JSON
  --bench              print steps per second for every target x family at S = 1, 8, 64, then
                       for the mixture at K = 1, 4, 10 and every objective
  --bench-objectives   only that last table
  --seconds S          with --bench: time per configuration      [0.5]
  -h, --help           this text

Each target's inputs, each family's and divergence's options (only those of the chosen ones apply):
{}  --stl                same as --estimator stl
  --diagonal           same as --covariance diagonal (a mixture's components)",
        names(TARGETS.iter().map(|t| t.name).collect()),
        names(FAMILIES.iter().map(|f| f.name).collect()),
        names(OBJECTIVES.iter().map(|o| o.name).collect()),
        settings::MAX_SAMPLES,
        settings::LR_RANGE.0,
        settings::LR_RANGE.1,
        option_help(),
    )
}

/// The program: parses `args` (without the program name), prints, and returns the exit code.
pub fn main(args: Vec<String>) -> ExitCode {
    super::finish("vi-fit", run(args))
}

struct Args {
    settings: Settings,
    steps: u64,
    until_kl: Option<f64>,
    bench: Option<f64>,
    /// `--bench-objectives`: only the second table (the browser's benchmark prints it beside
    /// its own).
    objectives_only: bool,
}

fn run(args: Vec<String>) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(help().trim_end().to_string());
    }
    if args.iter().any(|a| a == "--list") {
        return Ok(list());
    }
    let a = parse(&args)?;
    match a.bench {
        Some(seconds) if a.objectives_only => Ok(bench_objectives(seconds).trim().to_string()),
        Some(seconds) => Ok(bench(seconds)),
        None => fit(a.settings, a.steps, a.until_kl),
    }
}

fn parse(args: &[String]) -> Result<Args, String> {
    let (mut given, rest) = split_setting_flags(args)?;
    let mut steps = 5000u64;
    let mut until_kl = None;
    let (mut bench, mut objectives_only) = (false, false);
    let mut seconds = 0.5f64;
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--stl" => given.push((&objective::reverse_kl::INFO.gradient, "stl".into())),
            "--diagonal" => given.push((&crate::engine::family::mixture::COVARIANCE, "diagonal".into())),
            "--steps" => steps = number(flag, value()?)?,
            "--until-kl" => until_kl = Some(number::<f64>(flag, value()?)?),
            "--bench" => bench = true,
            "--bench-objectives" => (bench, objectives_only) = (true, true),
            "--seconds" => seconds = number(flag, value()?)?,
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    // Every fixed row applies; an input or option only if the chosen entries use it.
    let s = settings_from(&given, |s, row| {
        if settings::FIXED.iter().any(|f| f.key == row.key) || s.rows().iter().any(|r| r.key == row.key) {
            return Ok(());
        }
        let takes: Vec<String> = s.rows().iter().map(|r| format!("--{}", r.key)).collect();
        Err(format!(
            "--{} does not apply to target '{}', family '{}' and divergence '{}' (they take {})",
            row.key,
            s.target,
            s.family,
            s.objective,
            takes.join(", ")
        ))
    })?;
    if !(seconds > 0.0 && seconds <= 60.0) {
        return Err(format!("--seconds {seconds} must lie in (0, 60]"));
    }
    if until_kl.is_some_and(|x: f64| !(x > 0.0)) {
        return Err("--until-kl must be a positive number".into());
    }
    Ok(Args { settings: s, steps, until_kl, bench: bench.then_some(seconds), objectives_only })
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
    let out = CliReport {
        report: FitReport::of(&fit, None),
        steps_per_sec: if secs > 0.0 { done as f64 / secs } else { 0.0 },
        until_kl: until_kl.map(|goal| UntilKl { goal, reached_after_sec: reached }),
    };
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

/// Every registry's names, as JSON (for scripts and the end-to-end tests, which check the page's
/// menus against them).
fn list() -> String {
    let out = serde_json::json!({
        "targets": TARGETS.iter().map(|t| t.name).collect::<Vec<_>>(),
        "families": FAMILIES.iter().map(|f| f.name).collect::<Vec<_>>(),
        "divergences": OBJECTIVES.iter().map(|o| o.name).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// The one schema ([`FitReport`]) and what only the command line knows: its speed, and when it
/// reached `--until-kl`.
#[derive(Serialize)]
struct CliReport {
    #[serde(flatten)]
    report: FitReport,
    steps_per_sec: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    until_kl: Option<UntilKl>,
}

#[derive(Serialize)]
struct UntilKl {
    goal: f64,
    reached_after_sec: Option<f64>,
}

fn bench(seconds: f64) -> String {
    let mut out = String::from(
        "Optimizer steps per second (reverse KL, reparameterisation; flow: depth 4, width 16) at S samples,\n\
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
                let s = Settings { samples, lr: 0.01, ..Settings::of(t.name, f.name, "reverse") };
                let clock = Instant::now();
                let now = || clock.elapsed().as_secs_f64() * 1e3;
                let rate = Fit::new(s).map_or(f64::NAN, |mut fit| steps_per_second(&mut fit, seconds, now));
                out += &format!(" {rate:>12.0}");
            }
            for precision in [Precision::Page, Precision::Full] {
                let s = Settings { samples: 8, ..Settings::of(t.name, f.name, "reverse") };
                let clock = Instant::now();
                let ms = refresh_ms(s, precision, || clock.elapsed().as_secs_f64() * 1e3).unwrap_or(f64::NAN);
                out += &format!(" {ms:>11.1} ms");
            }
            out += "\n";
        }
    }
    out += &bench_objectives(seconds);
    out.trim_end().to_string()
}

/// The second table: the mixture at K = 1, 4 and 10 and every objective with its gradients, on the
/// banana ([`crate::engine::bench::ROWS`], the rows the browser's benchmark times in wasm).
fn bench_objectives(seconds: f64) -> String {
    let mut out = String::from(
        "\nThe mixture and every objective (banana, S = 8 draws per step, per component for the mixture,\n\
         unless said; the objective's default gradient unless named):\n",
    );
    out += &format!("{:<44} {:>12}\n", "family, divergence, options", "steps/s");
    let clock = Instant::now();
    for (label, rate) in crate::engine::bench::rates(seconds, || clock.elapsed().as_secs_f64() * 1e3) {
        out += &format!("{label:<44} {rate:>12.0}\n");
    }
    out
}
