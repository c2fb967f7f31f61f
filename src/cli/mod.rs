//! The native command-line tools over the engine (`src/bin/` holds only their entry points).

pub mod fit;
pub mod mcmc;

use std::process::ExitCode;

use crate::engine::target::{self, TARGETS};

/// Runs a tool's `run` and turns its result into output and an exit code: JSON or help on stdout,
/// a one-line error and a hint on stderr with exit code 2.
pub fn finish(tool: &str, result: Result<String, String>) -> ExitCode {
    match result {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("{tool}: {msg}\nRun `{tool} --help` for the options.");
            ExitCode::from(2)
        }
    }
}

/// A number from a flag's value, or an error naming the flag.
pub fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{flag}: '{v}' is not a valid number"))
}

/// `--rho`, `--b`, `--w`, …: the key of some target's parameter, if `flag` is one.
pub fn target_param_flag(flag: &str) -> Option<String> {
    flag.strip_prefix("--").filter(|k| TARGETS.iter().any(|t| t.param.key == *k)).map(str::to_string)
}

/// The parameter value for `target`: the one given (which must be that target's), or its default.
pub fn resolve_target_param(target_name: &str, given: Option<(String, f64)>) -> Result<f64, String> {
    let info = target::find(target_name).map_err(|e| e.to_string())?;
    match given {
        Some((key, v)) if key == info.param.key => Ok(v),
        Some((key, _)) => {
            Err(format!("--{key} does not apply to target '{}' (its parameter is --{})", info.name, info.param.key))
        }
        None => Ok(info.param.default),
    }
}
