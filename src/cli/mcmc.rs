//! `vi-mcmc`: the MCMC reference on the command line. Prints one JSON object with the moments and
//! the diagnostics of Vehtari et al. (2021); `--draws-out FILE` writes every kept draw as CSV
//! (`chain,draw,x,y`) so other tools (ArviZ, posterior) can check the diagnostics.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use super::{number, resolve_target_param, target_param_flag};
use crate::engine::mcmc::{Mcmc, McmcSettings, SamplerKind};
use crate::engine::target;

const HELP: &str = "\
vi-mcmc: sample a 2-D target with MCMC and print moments and diagnostics as JSON.

USAGE: vi-mcmc [OPTIONS]

OPTIONS (defaults in brackets):
  --target NAME        banana | bimodal | correlated            [banana]
  --rho R | --b B | --w W   the target's parameter (see vi-fit --help) [its default]
  --sampler NAME       nuts | rwmh                               [nuts]
  --chains N           chains, started dispersed over the target's box [4]
  --warmup N           warm-up iterations per chain (adaptation) [1000]
  --draws N            kept draws per chain                      [2000]
  --target-accept D    NUTS: target acceptance statistic         [0.95]
  --seed N             RNG seed                                  [1]
  --draws-out FILE     write every kept draw as CSV: chain,draw,x,y
  -h, --help           this text
";

pub fn main(args: Vec<String>) -> ExitCode {
    super::finish("vi-mcmc", run(args))
}

fn run(args: Vec<String>) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(HELP.trim_end().to_string());
    }
    let mut settings = McmcSettings::default();
    let mut target_name = "banana".to_string();
    let mut param = None;
    let mut draws_out = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--target" => target_name = value()?.clone(),
            "--sampler" => settings.sampler = SamplerKind::parse(value()?).map_err(|e| e.to_string())?,
            "--chains" => settings.chains = number(flag, value()?)?,
            "--warmup" => settings.warmup = number(flag, value()?)?,
            "--draws" => settings.draws = number(flag, value()?)?,
            "--target-accept" => settings.target_accept = number(flag, value()?)?,
            "--seed" => settings.seed = number(flag, value()?)?,
            "--draws-out" => draws_out = Some(value()?.clone()),
            other => match target_param_flag(other) {
                Some(key) => param = Some((key, number(flag, value()?)?)),
                None => return Err(format!("unknown option '{other}'")),
            },
        }
    }
    if !(settings.target_accept > 0.0 && settings.target_accept < 1.0) {
        return Err(format!("--target-accept {} must lie in (0, 1)", settings.target_accept));
    }
    let value = resolve_target_param(&target_name, param)?;
    let info = target::find(&target_name).map_err(|e| e.to_string())?;
    let target = info.build(value).map_err(|e| e.to_string())?;
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
        "target_param": { info.param.key: value },
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
