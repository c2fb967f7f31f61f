//! `vi-mcmc`: the MCMC reference on the command line. Prints one JSON object with the moments and
//! the diagnostics of Vehtari et al. (2021); `--draws-out FILE` writes every kept draw as CSV
//! (`chain,draw,x,y`) so other tools (ArviZ, posterior) can check the diagnostics.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use super::{number, settings_from, split_setting_flags};
use crate::engine::mcmc::{Mcmc, McmcSettings, SamplerKind};
use crate::engine::target;

fn help() -> String {
    let targets: Vec<&str> = target::TARGETS.iter().map(|t| t.name).collect();
    format!(
        "\
vi-mcmc: sample a 2-D target with MCMC and print moments and diagnostics as JSON.

USAGE: vi-mcmc [OPTIONS]

OPTIONS (defaults in brackets):
  --target NAME        {}  [banana]
  --KEY V              the target's inputs, e.g. --rho 0.5 (see vi-fit --help) [their defaults]
  --sampler NAME       nuts | rwmh                               [nuts]
  --chains N           chains, started dispersed over the target's box [4]
  --warmup N           warm-up iterations per chain (adaptation) [2000]
  --draws N            kept draws per chain                      [4000]
  --target-accept D    NUTS: target acceptance statistic         [0.99]
  --seed N             RNG seed                                  [1]
  --draws-out FILE     write every kept draw as CSV: chain,draw,x,y
  --check-defaults     instead: run the given settings (the defaults unless set) on every target
                       (or the one --target names) at five values of each of its inputs, over seeds 1..N, and print how often each
                       moment lies within 3 MCSE of the exact one, and how often the reference
                       says it cannot be trusted
  --seeds N            with --check-defaults: seeds per target and value   [20]
  -h, --help           this text",
        targets.join(" | ")
    )
}

pub fn main(args: Vec<String>) -> ExitCode {
    super::finish("vi-mcmc", run(args))
}

fn run(args: Vec<String>) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(help());
    }
    let (given, rest) = split_setting_flags(&args)?;
    let mut settings = McmcSettings::default();
    let mut draws_out = None;
    let mut check = false;
    let mut seeds = 20u64;
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sampler" => settings.sampler = SamplerKind::parse(value()?).map_err(|e| e.to_string())?,
            "--chains" => settings.chains = number(flag, value()?)?,
            "--warmup" => settings.warmup = number(flag, value()?)?,
            "--draws" => settings.draws = number(flag, value()?)?,
            "--target-accept" => settings.target_accept = number(flag, value()?)?,
            "--draws-out" => draws_out = Some(value()?.clone()),
            "--check-defaults" => check = true,
            "--seeds" => seeds = number(flag, value()?)?,
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    // The target, its inputs and the seed are rows of the settings table, read as vi-fit reads them.
    let run = settings_from(&given, |s, row| {
        let inputs = target::find(&s.target).map_or(&[][..], |t| t.inputs);
        if ["target", "seed"].contains(&row.key) || inputs.iter().any(|r| r.key == row.key) {
            return Ok(());
        }
        let takes: Vec<String> = inputs.iter().map(|r| format!("--{}", r.key)).collect();
        Err(format!("--{} does not apply to target '{}' (it takes {})", row.key, s.target, takes.join(", ")))
    })?;
    settings.seed = run.seed;
    if !(settings.target_accept > 0.0 && settings.target_accept < 1.0) {
        return Err(format!("--target-accept {} must lie in (0, 1)", settings.target_accept));
    }
    if check {
        let only = given.iter().any(|(r, _)| r.key == "target").then_some(run.target.as_str());
        return Ok(check_defaults(&settings, seeds, only));
    }
    let info = target::find(&run.target).map_err(|e| e.to_string())?;
    let options = run.options;
    let target = info.build(&options).map_err(|e| e.to_string())?;
    let mut mcmc = Mcmc::new(target, settings.clone()).map_err(|e| e.to_string())?;
    let start = Instant::now();
    while mcmc.run(500) > 0 {}
    let secs = start.elapsed().as_secs_f64();
    let s = mcmc.summary().ok_or("too few draws for a summary")?;

    if let Some(path) = &draws_out {
        let mut csv = String::from("chain,draw,x,y\n");
        for (c, chain) in mcmc.draws().iter().enumerate() {
            for (i, d) in chain.iter().enumerate() {
                let _ = writeln!(csv, "{c},{i},{:?},{:?}", d[0], d[1]);
            }
        }
        std::fs::write(path, csv).map_err(|e| format!("--draws-out {path}: {e}"))?;
    }

    let total_iters = (settings.warmup + settings.draws) * settings.chains;
    let out = json!({
        "target": info.name,
        "target_param": crate::report::values(info.inputs, &options),
        "sampler": settings.sampler.name(),
        "chains": settings.chains,
        "warmup": settings.warmup,
        "draws": settings.draws,
        "seed": settings.seed,
        "mean": [s.mean[0], s.mean[1]],
        "cov": [[s.cov[(0, 0)], s.cov[(0, 1)]], [s.cov[(1, 0)], s.cov[(1, 1)]]],
        "sd": [s.sd[0], s.sd[1]],
        "corr": s.corr,
        "exact": exact_json(mcmc.target().exact()),
        "rhat": s.rhat,
        "ess_bulk": s.ess_bulk,
        "ess_tail": s.ess_tail,
        "mcse_mean": s.mcse_mean,
        "mcse_sd": s.mcse_sd,
        "accept_rate": s.accept_rate,
        "divergences": s.divergences,
        "e_bfmi": s.e_bfmi,
        "concerns": s.concerns(),
        "mean_tree_depth": s.mean_tree_depth,
        "leapfrogs_per_draw": s.leapfrogs_per_draw,
        "step_size": s.step_size,
        "draws_per_sec": (settings.draws * settings.chains) as f64 / secs,
        "iterations_per_sec": total_iters as f64 / secs,
        "draws_out": draws_out,
    });
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

fn exact_json(e: target::Exact) -> serde_json::Value {
    json!({
        "mean": e.mean.map(|m| [m[0], m[1]]),
        "cov": e.cov.map(|c| [[c[(0, 0)], c[(0, 1)]], [c[(1, 0)], c[(1, 1)]]]),
    })
}

/// The reference against the exact moments over every target (or `only`), five values of each of its inputs and
/// `seeds` seeds: per quantity, the share of seeds within 3 MCSE of the exact value; the share of
/// runs whose summary raises a concern; and the share within 3 MCSE among the runs it trusts.
fn check_defaults(settings: &McmcSettings, seeds: u64, only: Option<&str>) -> String {
    use crate::engine::quadrature::{Precision, TargetIntegrals};
    let mut out = format!(
        "NUTS reference at chains {}, warm-up {}, draws {}, target acceptance {}; {seeds} seeds each.\n\
         Share of seeds whose estimate lies within 3 MCSE of the exact value (mean x, mean y, sd x, sd y, corr),\n\
         all five at once, runs with a concern (divergences, R-hat, ESS, E-BFMI), all five among the trusted:\n",
        settings.chains, settings.warmup, settings.draws, settings.target_accept
    );
    out += &format!(
        "{:<11} {:>10} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>8} {:>8}  {}\n",
        "target", "input", "mx", "my", "sdx", "sdy", "corr", "all", "concern", "trusted", "divergences (max)"
    );
    let chosen = target::TARGETS.iter().filter(|t| only.is_none_or(|name| t.name == name));
    let cases = chosen.flat_map(|info| info.sweep().into_iter().map(move |(at, o)| (info, at, o)));
    for (info, at, inputs) in cases {
        let t = info.build(&inputs).expect("in range");
        let exact = TargetIntegrals::new(t.as_ref(), Precision::Full).exact(t.as_ref());
        let want = crate::engine::bias::quantities(exact.mean.unwrap(), &exact.cov.unwrap());
        let (mut within, mut all, mut concern, mut trusted_all, mut trusted, mut div_max) = ([0u64; 5], 0, 0, 0, 0, 0);
        for seed in 1..=seeds {
            let mut m = Mcmc::new(info.build(&inputs).unwrap(), McmcSettings { seed, ..settings.clone() }).unwrap();
            while m.run(1000) > 0 {}
            let s = m.summary().unwrap();
            let ok: Vec<bool> = s.estimates().iter().zip(want).map(|((v, e), w)| (v - w).abs() <= 3.0 * e).collect();
            for k in 0..5 {
                within[k] += u64::from(ok[k]);
            }
            let every = ok.iter().all(|&o| o);
            all += u64::from(every);
            div_max = div_max.max(s.divergences);
            if s.concerns().is_empty() {
                trusted += 1;
                trusted_all += u64::from(every);
            } else {
                concern += 1;
            }
        }
        let pc = |k: u64, n: u64| if n == 0 { "-".to_string() } else { format!("{:.0}%", 100.0 * k as f64 / n as f64) };
        out += &format!("{:<11} {at:>10}", info.name);
        for w in within {
            out += &format!(" {:>6}", pc(w, seeds));
        }
        out +=
            &format!(" {:>7} {:>8} {:>8}  {div_max}\n", pc(all, seeds), pc(concern, seeds), pc(trusted_all, trusted));
    }
    out.trim_end().to_string()
}
