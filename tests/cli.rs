//! The command-line tools as a user runs them (the built binaries, through the shell's arguments):
//! every flag takes effect in the JSON, every refusal exits with code 2 and says what was wrong on
//! stderr, and a seed gives the same numbers twice.

#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

use serde_json::Value;
use vi_playground::engine::family::FAMILIES;
use vi_playground::engine::objective::OBJECTIVES;
use vi_playground::engine::run::all_rows;
use vi_playground::engine::target::TARGETS;
use vi_playground::engine::NEVER_A_NAME;

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin).args(args).output().expect("the binary runs")
}

fn vi_fit(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_vi-fit"), args)
}

fn vi_mcmc(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_vi-mcmc"), args)
}

/// The JSON of a run that must succeed.
fn json(out: Output) -> Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A run that must be refused: exit code 2, nothing on stdout, the message and the hint on stderr.
fn refused(tool: &str, out: Output, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{tool}: expected a refusal, got {:?}: {err}", out.status);
    assert!(out.stdout.is_empty(), "{tool}: printed on stdout although refused");
    assert!(err.starts_with(&format!("{tool}: {says}")), "{tool}: stderr {err:?} does not start with {says:?}");
    assert!(err.contains(&format!("Run `{tool} --help`")), "{tool}: no hint in {err:?}");
}

#[test]
fn vi_fit_flags_take_effect() {
    let j = json(vi_fit(&[
        "--target",
        "correlated",
        "--rho",
        "0.5",
        "--family",
        "full-rank",
        "--samples",
        "4",
        "--lr",
        "0.02",
        "--schedule",
        "constant",
        "--steps",
        "300",
        "--seed",
        "7",
        "--stl",
    ]));
    assert_eq!(j["target"], "correlated");
    assert_eq!(j["target_param"]["rho"], 0.5);
    assert_eq!(j["family"], "full-rank");
    assert_eq!(j["samples"], 4);
    assert_eq!(j["lr"], 0.02);
    assert_eq!(j["steps"], 300);
    assert_eq!(j["seed"], 7);
    assert_eq!(j["options"]["estimator"], "stl");
    assert_eq!(j["divergence"], "reverse");
    assert_eq!(j["params_count"], 5);

    let f = json(vi_fit(&["--family", "flow", "--depth", "2", "--width", "8", "--steps", "10", "--b", "0.5"]));
    assert_eq!(
        (f["options"]["depth"].as_f64(), f["options"]["width"].as_f64()),
        (Some(2.0), Some(8.0)),
        "the flow's options"
    );
    assert_eq!(j["options"].as_object().unwrap().len(), 1, "only the rows in use: {j}");
    assert_eq!(f["target"], "banana");
    assert_eq!(f["target_param"]["b"], 0.5);
    assert_eq!(f["lr"], 0.01, "the flow's default learning rate");

    let fw = json(vi_fit(&["--divergence", "forward", "--proposal", "q", "--steps", "10"]));
    assert_eq!(fw["divergence"], "forward");
    assert_eq!(fw["samples"], 32, "forward KL's own sample count, as on the page");
    assert_eq!(fw["options"]["proposal"], "snis");
    assert!(fw["ess"].as_f64().is_some_and(|e| e > 0.0), "forward KL by SNIS reports its ESS: {}", fw["ess"]);
    let sc = json(vi_fit(&["--estimator", "score", "--steps", "10", "--w", "0.3", "--target", "bimodal"]));
    assert_eq!(sc["options"]["estimator"], "score");
    assert_eq!(sc["target_param"]["w"], 0.3);

    // --until-kl stops early, at a multiple of 100 steps, once the exact KL is below the goal.
    let u =
        json(vi_fit(&["--target", "correlated", "--family", "full-rank", "--until-kl", "0.05", "--steps", "20000"]));
    let steps = u["steps"].as_u64().unwrap();
    assert!(steps < 20_000 && steps % 100 == 0, "stopped after {steps} steps");
    assert!(u["kl_qp"].as_f64().unwrap() < 0.05, "{}", u["kl_qp"]);
    assert!(u["until_kl"]["reached_after_sec"].as_f64().is_some());

    // Every exact number carries its error estimate.
    for key in ["log_z_error", "kl_qp_error", "kl_pq_error"] {
        let e = j[key].as_f64().unwrap_or_else(|| panic!("{key} missing"));
        assert!((0.0..1e-3).contains(&e), "{key} = {e}");
    }
}

#[test]
fn vi_fit_gives_the_same_numbers_for_the_same_seed() {
    let args = ["--target", "bimodal", "--family", "flow", "--steps", "200", "--seed", "3"];
    let (mut a, mut b) = (json(vi_fit(&args)), json(vi_fit(&args)));
    for j in [&mut a, &mut b] {
        j.as_object_mut().unwrap().remove("steps_per_sec");
    }
    assert_eq!(a, b);
    let c = json(vi_fit(&["--target", "bimodal", "--family", "flow", "--steps", "200", "--seed", "4"]));
    assert_ne!(a["params"], c["params"], "another seed, other numbers");
}

#[test]
fn vi_fit_refuses_bad_input_in_words() {
    let t = "vi-fit";
    refused(t, vi_fit(&["--frobnicate"]), "unknown option '--frobnicate'");
    refused(t, vi_fit(&["--lr"]), "--lr needs a value");
    refused(t, vi_fit(&["--samples", "lots"]), "samples 'lots' is not a whole number (it must lie in [1, 1024])");
    refused(t, vi_fit(&["--samples", "0"]), "samples = 0 is out of range: it must lie in [1, 1024]");
    refused(t, vi_fit(&["--b", "3"]), "b = 3 is out of range: it must lie in [0, 2]");
    refused(
        t,
        vi_fit(&["--rho", "0.5"]),
        "--rho does not apply to target 'banana', family 'mean-field' and divergence 'reverse' (they take --b, --estimator)",
    );
    refused(t, vi_fit(&["--depth", "3"]), "--depth does not apply to target 'banana', family 'mean-field'");
    refused(t, vi_fit(&["--divergence", "forward", "--estimator", "stl"]), "--estimator does not apply");
    refused(
        t,
        vi_fit(&["--divergence", "forward", "--proposal", "draws"]),
        "Forward KL from mcmc draws of p needs draws of p",
    );
    let known: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    refused(t, vi_fit(&["--target", NEVER_A_NAME]), &format!("unknown target '_never'; known: {}", known.join(", ")));
    refused(t, vi_fit(&["--family", NEVER_A_NAME]), "unknown family '_never'");
    refused(t, vi_fit(&["--divergence", "chi"]), "unknown divergence 'chi'");
    refused(
        t,
        vi_fit(&["--divergence", "forward", "--proposal", "p"]),
        "unknown proposal 'p'; known: snis-defensive, snis, draws",
    );
    refused(t, vi_fit(&["--schedule", "cosine"]), "unknown schedule 'cosine'; known: decay, constant");
    refused(t, vi_fit(&["--until-kl", "-1"]), "--until-kl must be a positive number");
    refused(t, vi_fit(&["--bench", "--seconds", "0"]), "--seconds 0 must lie in (0, 60]");
    refused(t, vi_fit(&["--lr", "1e9"]), "lr = 1000000000 is out of range");
    let help = vi_fit(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    // Every row of the settings table, from the registries, and the tool's own flags.
    let mut flags: Vec<String> = all_rows().iter().map(|r| format!("--{}", r.key)).collect();
    flags.extend(["--stl", "--steps", "--until-kl", "--list", "--bench", "--seconds"].map(String::from));
    for flag in flags {
        assert!(text.contains(&format!("  {flag} ")), "--help does not document {flag}");
    }
    let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    names.extend(FAMILIES.iter().map(|f| f.name));
    names.extend(OBJECTIVES.iter().flat_map(|o| std::iter::once(o.name).chain(o.gradients().iter().map(|g| g.name))));
    for name in names {
        assert!(text.contains(name), "--help does not name {name}");
    }
}

#[test]
fn vi_mcmc_flags_take_effect_and_bad_input_is_refused() {
    let csv = std::env::temp_dir().join(format!("vi-mcmc-test-{}.csv", std::process::id()));
    let path = csv.to_str().unwrap();
    let j = json(vi_mcmc(&[
        "--target",
        "correlated",
        "--rho",
        "-0.3",
        "--sampler",
        "rwmh",
        "--chains",
        "2",
        "--warmup",
        "100",
        "--draws",
        "200",
        "--seed",
        "3",
        "--draws-out",
        path,
    ]));
    assert_eq!((j["target"].as_str(), j["target_param"]["rho"].as_f64()), (Some("correlated"), Some(-0.3)));
    assert_eq!((j["sampler"].as_str(), j["chains"].as_u64()), (Some("rwmh"), Some(2)));
    assert_eq!((j["warmup"].as_u64(), j["draws"].as_u64(), j["seed"].as_u64()), (Some(100), Some(200), Some(3)));
    assert!(j["e_bfmi"].is_null(), "RWMH has no energy");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::remove_file(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "chain,draw,x,y");
    assert_eq!(lines.len(), 1 + 2 * 200);
    assert!(lines[1].starts_with("0,0,") && lines[400].starts_with("1,199,"), "{} … {}", lines[1], lines[400]);

    let n = json(vi_mcmc(&["--warmup", "200", "--draws", "200", "--target-accept", "0.9"]));
    assert_eq!(n["sampler"], "nuts");
    assert!(n["e_bfmi"].as_f64().is_some_and(|e| e > 0.0));
    assert!(n["concerns"].is_array());

    let t = "vi-mcmc";
    refused(t, vi_mcmc(&["--target-accept", "1.5"]), "--target-accept 1.5 must lie in (0, 1)");
    refused(t, vi_mcmc(&["--chains", "0"]), "chains = 0 is out of range: it must lie in [1, 64]");
    refused(t, vi_mcmc(&["--draws", "3"]), "draws = 3 is out of range");
    refused(t, vi_mcmc(&["--sampler", "gibbs"]), "unknown sampler 'gibbs'; known: nuts, rwmh");
    refused(t, vi_mcmc(&["--w", "0.5"]), "--w does not apply to target 'banana' (it takes --b)");
    refused(
        t,
        vi_mcmc(&["--seed", "-1"]),
        "seed '-1' is not a whole number (it must lie in [0, 18446744073709551615])",
    );
    refused(t, vi_mcmc(&["--family", "flow"]), "--family does not apply to target 'banana' (it takes --b)");
    refused(
        t,
        vi_mcmc(&["--draws-out", "/nonexistent-dir/x.csv", "--draws", "10", "--warmup", "10"]),
        "--draws-out /nonexistent-dir/x.csv:",
    );
    refused(t, vi_mcmc(&["--bogus"]), "unknown option '--bogus'");
}

/// One schema: `vi-fit`'s JSON is a [`FitReport`] (the page's export holds one per fit) plus only
/// what the command line knows (its speed); reading it and writing it back keeps every key.
#[test]
fn vi_fit_prints_the_one_schema() {
    for args in [
        &["--steps", "50"][..],
        &["--family", "flow", "--divergence", "forward", "--steps", "20", "--target", "correlated"],
    ] {
        let j = json(vi_fit(args));
        let report: vi_playground::report::FitReport = serde_json::from_value(j.clone()).expect("the report's schema");
        let back = serde_json::to_value(&report).unwrap();
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<std::collections::BTreeSet<String>>();
        let mut printed = keys(&j);
        assert!(printed.remove("steps_per_sec"));
        assert_eq!(printed, keys(&back), "{args:?}");
        assert_eq!(back, {
            let mut j = j.clone();
            j.as_object_mut().unwrap().remove("steps_per_sec");
            j
        });
    }
}

/// `vi-fit --list` names every registry entry, in menu order (the end-to-end tests check the page's
/// menus against it).
#[test]
fn vi_fit_lists_the_registries() {
    let j = json(vi_fit(&["--list"]));
    let names = |v: &Value| v.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(names(&j["targets"]), TARGETS.iter().map(|t| t.name.to_string()).collect::<Vec<_>>());
    assert_eq!(names(&j["families"]), FAMILIES.iter().map(|f| f.name.to_string()).collect::<Vec<_>>());
    assert_eq!(names(&j["divergences"]), OBJECTIVES.iter().map(|o| o.name.to_string()).collect::<Vec<_>>());
}

/// Issue 16: `vi-fit --target NAME` and `vi-mcmc --target NAME` work for every target with its
/// own flags (a number input at the middle of its range: `--r`, `--tau`, `--omega`, `--modes`;
/// the logistic data from a file, `--data FILE` with lines x,y; a formula and its box), and the
/// JSON carries the inputs back.
#[test]
fn every_target_runs_with_its_flags_in_both_tools() {
    use vi_playground::engine::settings::Kind;
    let dir = std::env::temp_dir().join(format!("vi-cli-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("points.csv");
    std::fs::write(&data, "# x,y\n-1.5,0\n\n0.5,1\n2,1\n").unwrap();
    let data = data.to_str().unwrap().to_string();
    for info in TARGETS {
        let mut args: Vec<String> = vec!["--target".into(), info.name.into()];
        for row in info.inputs {
            let value = match row.kind {
                Kind::Number { min, max, .. } => format!("{}", 0.5 * (min + max)),
                Kind::Whole { min, max, .. } => format!("{}", (min + max) / 2),
                Kind::Points { .. } => data.clone(),
                Kind::Text { .. } if row.key == "box" => "-3,3,-2,2".into(),
                Kind::Text { .. } => "-(x^2 + 2*y^2)/2".into(),
                _ => continue,
            };
            args.extend([format!("--{}", row.key), value]);
        }
        let fit: Vec<&str> = args.iter().map(String::as_str).chain(["--steps", "200"]).collect();
        let j = json(vi_fit(&fit));
        let mcmc: Vec<&str> = args.iter().map(String::as_str).chain(["--warmup", "100", "--draws", "100"]).collect();
        let m = json(vi_mcmc(&mcmc));
        for out in [&j, &m] {
            assert_eq!(out["target"], info.name);
            for row in info.inputs {
                let v = &out["target_param"][row.key];
                match row.kind {
                    Kind::Number { min, max, .. } => assert_eq!(v.as_f64(), Some(0.5 * (min + max)), "{}", info.name),
                    Kind::Points { .. } => assert_eq!(v.to_string(), "[[-1.5,0.0],[0.5,1.0],[2.0,1.0]]"),
                    Kind::Text { .. } => assert!(v.as_str().is_some_and(|t| t.contains(['x', ','])), "{v}"),
                    _ => assert!(!v.is_null(), "{}: {}", info.name, row.key),
                }
            }
        }
        assert!(j["kl_qp"].as_f64().is_some_and(f64::is_finite), "{}: {j}", info.name);
    }
    // A bad data file is named with its line; a bad formula with its position; a bad box in words.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "0.5,1\n\n2;1\n").unwrap();
    let bad = bad.to_str().unwrap();
    refused(
        "vi-fit",
        vi_fit(&["--target", "logistic", "--data", bad]),
        &format!("--data {bad} line 3 '2;1': write x,y"),
    );
    let out_of_range = dir.join("far.csv");
    std::fs::write(&out_of_range, "0.5,1\n4,0\n").unwrap();
    refused(
        "vi-mcmc",
        vi_mcmc(&["--target", "logistic", "--data", out_of_range.to_str().unwrap()]),
        "data point 2 (4, 0): x must lie in [−3, 3]",
    );
    refused(
        "vi-fit",
        vi_fit(&["--target", "logistic", "--data", "/nonexistent/points.csv"]),
        "--data /nonexistent/points.csv:",
    );
    refused("vi-fit", vi_fit(&["--target", "formula", "--formula", "x + sin"]), "formula at character 8: sin needs");
    refused("vi-fit", vi_fit(&["--target", "formula", "--box", "1,2,3"]), "box '1,2,3': write four numbers");
    refused(
        "vi-fit",
        vi_fit(&["--target", "formula", "--formula", "log(-1-x^2)"]),
        "formula: it is not a finite number",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 17's flags as the issue spells them: the mixture's `--components K [--diagonal]`, Rényi's
/// `--alpha A` (down to −1), IWAE's `--k K [--estimator dreg]` (`--estimator` names the chosen
/// divergence's gradient), and the JSON's new readouts: `d_alpha` for Rényi, `cubo2` (null where
/// infinite) and its estimate for every fit, `iwae_bound` for IWAE.
#[test]
fn the_mixture_renyi_and_iwae_flags_take_effect() {
    let j = json(vi_fit(&[
        "--target",
        "ring",
        "--modes",
        "4",
        "--family",
        "mixture",
        "--components",
        "4",
        "--diagonal",
        "--steps",
        "200",
    ]));
    assert_eq!(
        (j["options"]["components"].as_f64(), j["options"]["covariance"].as_str()),
        (Some(4.0), Some("diagonal"))
    );
    assert_eq!(j["params_count"], 4 * 4 + 4);
    let j = json(vi_fit(&["--target", "bimodal", "--divergence", "renyi", "--alpha", "-1", "--steps", "300"]));
    assert_eq!(j["options"]["alpha"].as_f64(), Some(-1.0));
    assert_eq!(j["options"]["renyi-estimator"], "renyi-defensive");
    // Below α = 0, D_α ≤ 0 and CUBO₂ ≥ ln Z.
    let (d, cubo, log_z) = (j["d_alpha"].as_f64().unwrap(), j["cubo2"].as_f64().unwrap(), j["log_z"].as_f64().unwrap());
    assert!(d < 0.0 && cubo > log_z, "D₋₁ {d}, CUBO₂ {cubo}, ln Z {log_z}");
    assert!(j["cubo2_estimate"].as_f64().unwrap() > log_z && j["iwae_bound"].is_null());
    let j = json(vi_fit(&[
        "--target",
        "banana",
        "--family",
        "full-rank",
        "--divergence",
        "iwae",
        "--k",
        "16",
        "--estimator",
        "dreg",
        "--steps",
        "300",
    ]));
    assert_eq!((j["options"]["k"].as_f64(), j["options"]["iwae-estimator"].as_str()), (Some(16.0), Some("dreg")));
    let (bound, elbo, log_z) =
        (j["iwae_bound"].as_f64().unwrap(), j["elbo"].as_f64().unwrap(), j["log_z"].as_f64().unwrap());
    assert!(
        elbo < bound && bound < log_z + 3.0 * j["iwae_bound_se"].as_f64().unwrap(),
        "ELBO {elbo}, L_16 {bound}, ln Z {log_z}"
    );
    // The banana's tails: CUBO₂ is infinite for a Gaussian, null in JSON.
    assert!(j["cubo2"].is_null(), "{}", j["cubo2"]);
    refused("vi-fit", vi_fit(&["--divergence", "renyi", "--alpha", "-1.5"]), "alpha = -1.5 is out of range");
    refused("vi-fit", vi_fit(&["--divergence", "iwae", "--estimator", "renyi-defensive"]), "--estimator");
}
