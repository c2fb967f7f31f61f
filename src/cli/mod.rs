//! The native command-line tools over the engine (`src/bin/` holds only their entry points).

pub mod fit;
pub mod mcmc;

use std::process::ExitCode;

use crate::engine::fit::Settings;
use crate::engine::objective;
use crate::engine::run;
use crate::engine::settings::{self, Kind, Setting};

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

/// The row of the settings table `--flag` names (a fixed setting, a target's input, a family's or
/// an objective's option), if any.
pub fn setting_row(flag: &str) -> Option<&'static Setting> {
    let key = flag.strip_prefix("--")?;
    run::all_rows().into_iter().find(|r| r.key == key)
}

/// Settings from `--key value` flags, as a link applies its keys: in the table's order (a target
/// before its inputs, a family before `--lr`, a divergence before `--samples`), each by the
/// engine's one way to set a row from text ([`Settings::set_text`]), the last of a repeated flag
/// winning. `applies` says whether a row may be set given the settings so far, and if not why.
pub fn settings_from(
    given: &[(&'static Setting, String)],
    applies: impl Fn(&Settings, &Setting) -> Result<(), String>,
) -> Result<Settings, String> {
    let mut s = Settings::default();
    for row in run::all_rows() {
        if let Some((_, text)) = given.iter().rev().find(|(r, _)| r.key == row.key) {
            applies(&s, row)?;
            s.set_text(row, text).map_err(|e| e.to_string())?;
        }
    }
    Ok(s)
}

/// A data file's points as a row's text (`x:y,x:y`): one point `x,y` per line, blank lines and
/// lines starting with `#` skipped; a bad line is named with its number and why.
pub fn points_file(flag: &str, path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{flag} {path}: {e}"))?;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| format!("{flag} {path} line {} '{line}': {why}", i + 1);
        let (x, y) = line.split_once(',').ok_or_else(|| bad("write x,y"))?;
        let number = |v: &str| v.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        match (number(x), number(y)) {
            (Some(x), Some(y)) => points.push(format!("{x}:{y}")),
            _ => return Err(bad("x and y must be finite numbers")),
        }
    }
    Ok(points.join(","))
}

/// `--key value` flags as their rows and texts, the rest of `args` left in order for the tool.
pub fn split_setting_flags(args: &[String]) -> Result<(Vec<(&'static Setting, String)>, Vec<String>), String> {
    let (mut given, mut rest) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match setting_row(flag) {
            Some(row) => {
                let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                let text = match row.kind {
                    Kind::Points { .. } => points_file(flag, value)?,
                    _ => value.clone(),
                };
                given.push((row, text));
            }
            None => rest.push(flag.clone()),
        }
    }
    // `--estimator` also names the gradient of the divergence chosen (`--divergence iwae
    // --estimator dreg`): a name reverse KL's row refuses goes to that divergence's own row.
    let chosen = given.iter().rev().find(|(r, _)| r.key == "divergence").and_then(|(_, t)| objective::find(t).ok());
    if let Some(o) = chosen {
        for (row, text) in given.iter_mut() {
            if row.key == objective::reverse_kl::INFO.gradient.key
                && row.parse(text).is_err()
                && o.gradient.parse(text).is_ok()
            {
                *row = &o.gradient;
            }
        }
    }
    Ok((given, rest))
}

/// The `--help` lines of the option rows, by entry: `  --b B   banana: the curvature in [0, 2] [1]`.
pub fn option_help() -> String {
    let mut out = String::new();
    for row in run::all_rows().into_iter().filter(|r| !settings::FIXED.iter().any(|f| f.key == r.key)) {
        let (arg, range) = match row.kind {
            Kind::Number { min, max, .. } => (row.key.to_uppercase(), format!(" in [{min}, {max}]")),
            Kind::Whole { min, max, .. } => ("N".into(), format!(", {min}..{max}")),
            Kind::Named(_) | Kind::Choice(_) => {
                let names: Vec<&str> = row.choices().iter().map(|c| c.0).collect();
                ("NAME".into(), format!(": {}", names.join(" | ")))
            }
            Kind::Points { max, .. } => ("FILE".into(), format!(": lines x,y, at most {max}")),
            Kind::Text { max_len, .. } => ("TEXT".into(), format!(", at most {max_len} characters")),
        };
        let flag = format!("--{} {arg}", row.key);
        let default = row.show(&row.default());
        out += &format!("  {flag:<20} {}{range}  [{default}]\n", row.help);
    }
    out
}
