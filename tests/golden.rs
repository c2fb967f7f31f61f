//! The golden set: what today's settings, flags and links give, bit for bit, recorded once and
//! compared on every run, so a refactor of how settings are said (registries, one settings table,
//! one schema) cannot change a single number or a link that people already share.
//!
//! - `tests/golden/fit.txt`: `vi-fit` with its flags, over every target × family × gradient, 200
//!   steps; every number of its JSON as an f64 bit pattern (steps per second dropped).
//! - `tests/golden/links.txt`: links in the format they have been written in (the lessons, every
//!   key, old spellings): what each opens, as a projection defined here, and the bits of both fits
//!   after 200 steps (the link's own step is in the projection).
//!
//! Regenerate (only when a change of numbers is intended, and say so in the commit):
//! `VI_GOLDEN=write cargo test --test golden`.

#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::process::Command;

use serde_json::Value;
use vi_playground::engine::fit::{Fit, Settings};
use vi_playground::engine::target;
use vi_playground::explain::LESSONS;
use vi_playground::link::{self, PageState};

const FIT_STEPS: &str = "200";
const LINK_STEPS: u64 = 200;

/// Compares `got` with the file, or writes it when `VI_GOLDEN=write`.
fn golden(file: &str, got: &str) {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("VI_GOLDEN").as_deref() == Ok("write") {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).expect("the golden file (VI_GOLDEN=write to record it)");
    let (mut differ, mut lines) = (0, 0);
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        lines += 1;
        if g != w {
            differ += 1;
            if differ <= 5 {
                eprintln!("line {}:\n  want {w}\n  got  {g}", i + 1);
            }
        }
    }
    assert_eq!(got.lines().count(), want.lines().count(), "{file}: a different number of lines");
    assert_eq!(differ, 0, "{file}: {differ} of {lines} lines differ from the golden set");
}

/// Every number in a JSON value, depth first, as `path=bits` (strings as they are).
fn leaves(v: &Value, path: &str, out: &mut String) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k != "steps_per_sec" {
                    leaves(v, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            write!(out, " {path}={:016x}", x.to_bits()).unwrap();
        }
        Value::String(s) => write!(out, " {path}={s:?}").unwrap(),
        Value::Bool(b) => write!(out, " {path}={b}").unwrap(),
        Value::Null => write!(out, " {path}=null").unwrap(),
    }
}

/// Only the numbers the fit computed: the settings it echoes are projected separately, so that a
/// renamed key of the echo does not hide a changed number.
const NUMBERS: &[&str] = &[
    "steps",
    "params_count",
    "structure",
    "elbo",
    "elbo_last",
    "log_z",
    "log_z_error",
    "kl_qp",
    "kl_qp_error",
    "kl_pq",
    "kl_pq_error",
    "k_hat",
    "ess",
    "mean",
    "cov",
    "params",
    "diverged",
    "lr",
    "samples",
];

#[test]
fn vi_fit_gives_the_same_numbers() {
    let gradients: &[&[&str]] = &[
        &["--estimator", "reparam"],
        &["--stl"],
        &["--estimator", "score"],
        &["--divergence", "forward", "--proposal", "q"],
        &["--divergence", "forward", "--proposal", "defensive"],
    ];
    let mut out = String::new();
    for target in ["banana", "bimodal", "correlated"] {
        for family in ["mean-field", "full-rank", "flow"] {
            for (i, g) in gradients.iter().enumerate() {
                for seed in ["1", "7"] {
                    // Seed 7 for the first gradient only: a second stream without doubling the time.
                    if seed == "7" && i > 0 {
                        continue;
                    }
                    let mut args = vec!["--target", target, "--family", family, "--steps", FIT_STEPS, "--seed", seed];
                    args.extend_from_slice(g);
                    if family == "flow" {
                        args.extend_from_slice(&["--depth", "2", "--width", "8"]);
                    }
                    let run = Command::new(env!("CARGO_BIN_EXE_vi-fit")).args(&args).output().unwrap();
                    assert!(run.status.success(), "{args:?}: {}", String::from_utf8_lossy(&run.stderr));
                    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
                    write!(out, "{}:", args.join(" ")).unwrap();
                    for key in NUMBERS {
                        leaves(&json[key], key, &mut out);
                    }
                    out.push('\n');
                }
            }
        }
    }
    golden("fit.txt", &out);
}

/// Links as they have been shared: every lesson, every key alone, and old spellings.
fn links() -> Vec<String> {
    let mut all: Vec<String> = LESSONS.iter().map(|l| l.query.to_string()).collect();
    let by_hand = [
        "",
        "target=correlated&param=-0.5",
        "target=banana&param=1.7&family=full-rank",
        "target=bimodal&param=0.2&family=flow&depth=3&width=24&seed=9&step=150",
        "param=2&target=banana",
        "target=correlated&param=0.99&div=forward&fwd=snis&samples=17&step=40",
        "target=banana&div=forward&fwd=snis-defensive&step=120",
        "target=bimodal&div=reverse&est=score&samples=3&step=77",
        "target=banana&family=full-rank&est=stl&lr=0.0125&sched=constant&step=250",
        "family=flow&lr=0.003&seed=18446744073709551615&step=60",
        "div=forward&fwd=draws",
        "target=_never&family=_never&div=_never",
        "target=correlated&param=7",
        "samples=0&lr=1000&seed=-1&speed=7",
        "compare=1&family2=full-rank&div2=forward&step=90",
        "compare=1&family2=flow&div2=reverse&target=bimodal&step=30",
        "compare=1&div2=forward&family=full-rank&family2=mean-field&div=forward&samples=5&step=20",
        "presenter=1&play=1&speed=10000&sampler=rwmh",
        "readouts_hide=1&chart_hide=1&mcmc_hide=0&explain_hide=true",
        "target=banana&target=bimodal&step=10",
        "depth=9&width=1&family=flow",
        "sched=nope&est=nope&fwd=nope&div=nope&family=nope",
        "?target=correlated&param=0.3&family=mean-field&div=forward&step=100",
        "target=correlated&param=%2D0.25&family=full-rank&step=10",
        "play=yes&compare=2&presenter=x&step=5000001",
    ];
    all.extend(by_hand.iter().map(|s| s.to_string()));
    all
}

/// What a link opens, said in the settings' meaning rather than their layout (the one function to
/// update when the layout changes; its output must not).
fn projection(s: &PageState) -> String {
    let c = &s.controls.settings;
    let flow = vi_playground::engine::family::find("flow").unwrap();
    let value = |key: &str| {
        let row = vi_playground::engine::run::all_rows().into_iter().find(|r| r.key == key).unwrap();
        c.options.get(row)
    };
    let input = target::find(&c.target).unwrap().inputs[0];
    let mut hidden: Vec<&str> = s.hidden.iter().map(|p| p.name()).collect();
    hidden.sort();
    format!(
        "target={} values=[{:016x}] family={} depth={} width={} objective={} estimator={} proposal={} samples={} \
         lr={:016x} sched={} seed={} speed={} step={} play={} sampler={} compare={} family2={} div2={} presenter={} \
         hidden={hidden:?}",
        c.target,
        c.options.number(&input).to_bits(),
        c.family,
        c.options.number(&flow.options[0]),
        c.options.number(&flow.options[1]),
        c.objective,
        value("estimator").name(),
        value("proposal").name(),
        c.samples,
        c.lr.to_bits(),
        c.schedule.name(),
        c.seed,
        s.controls.steps_per_frame,
        s.step,
        s.playing,
        s.sampler.name(),
        s.compare,
        s.second.family,
        s.second.objective,
        s.presenter,
    )
}

/// The second fit's settings as the page derives them.
fn second(s: &PageState) -> Settings {
    s.second.controls(&s.controls).settings
}

fn fit_bits(settings: Settings, steps: u64) -> String {
    match Fit::new(settings) {
        Err(e) => format!("refused: {e}"),
        Ok(mut fit) => {
            fit.step(steps);
            let snap = fit.snapshot();
            let bits: Vec<String> = snap.params.iter().map(|p| format!("{:016x}", p.to_bits())).collect();
            format!("elbo={:016x} params={}", snap.elbo_avg.to_bits(), bits.join(","))
        }
    }
}

#[test]
fn old_links_open_the_same_settings_and_numbers() {
    let mut out = String::new();
    for query in links() {
        let parsed = link::parse(&query);
        let s = &parsed.state;
        writeln!(out, "{query}\n  opens {}\n  ignored {}", projection(s), parsed.ignored.len()).unwrap();
        writeln!(out, "  A {}", fit_bits(s.controls.settings.clone(), LINK_STEPS)).unwrap();
        if s.compare {
            writeln!(out, "  B {}", fit_bits(second(s), LINK_STEPS)).unwrap();
        }
    }
    golden("links.txt", &out);
}
