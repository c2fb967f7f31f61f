//! The typed formula (science.md, "More targets": `formula`): the parser against hand-written
//! Rust for the same expressions, its exact gradients against central differences, its refusals
//! (each with its position), and the target's ln Z and moments over the box against closed forms.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use vi_playground::engine::formula::{Formula, FUNCTIONS};
use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
use vi_playground::engine::settings::{Options, Value};
use vi_playground::engine::target::{self, Target};
use vi_playground::engine::Vec2;

type Reference = fn(f64, f64) -> f64;

fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}

/// Formulas and the same written in Rust: precedence, associativity, constants, every function.
const CASES: &[(&str, Reference)] = &[
    ("-x^2", |x, _| -(x * x)),
    ("2^3^2", |_, _| 512.0),
    ("1 - 2 - 3", |_, _| -4.0),
    ("8 / 4 / 2", |_, _| 1.0),
    ("x - -y", |x, y| x + y),
    ("2*x + 3*y*x", |x, y| 2.0 * x + 3.0 * y * x),
    ("-(x^2 + y^2)/2", |x, y| -(x * x + y * y) / 2.0),
    ("(x + y)^2 / (1 + y^2)", |x, y| (x + y).powi(2) / (1.0 + y * y)),
    ("x^y", |x, y| x.abs().powf(y)),
    ("pi * e + 1.5e-1 - 2E+0", |_, _| std::f64::consts::PI * std::f64::consts::E + 0.15 - 2.0),
    ("exp(x) + log(y^2 + 1) + ln(2)", |x, y| x.exp() + (y * y + 1.0).ln() + 2f64.ln()),
    ("sqrt(x^2 + y^2) + abs(x - y)", |x, y| (x * x + y * y).sqrt() + (x - y).abs()),
    ("sin(x)*cos(y) + tan(x/3)", |x, y| x.sin() * y.cos() + (x / 3.0).tan()),
    ("tanh(x*y) + sigmoid(x - y)", |x, y| (x * y).tanh() + sigmoid(x - y)),
    ("softplus(3*x) + log1p(y^2)", |x, y| (1.0 + (3.0 * x).exp()).ln() + (y * y).ln_1p()),
    ("logsumexp(x, y, -x*y)", |x, y| (x.exp() + y.exp() + (-x * y).exp()).ln()),
    ("−x · y × 2", |x, y| -x * y * 2.0),
];

#[test]
fn formulas_evaluate_as_written() {
    for &(text, reference) in CASES {
        let f = Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        for (x, y) in [(0.3f64, -1.2), (1.7, 0.4), (-2.1, 2.5)] {
            // x^y only where it is real.
            let x = if text == "x^y" { x.abs() } else { x };
            let (got, want) = (f.value(x, y), reference(x, y));
            assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "{text} at ({x}, {y}): {got} vs {want}");
        }
    }
    // Every function is exercised above.
    for (name, _) in FUNCTIONS {
        assert!(CASES.iter().any(|(t, _)| t.contains(&format!("{name}("))), "{name} untested");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Oracle 7 for the formula: its forward-mode gradient matches central differences.
    #[test]
    fn formula_gradients_match_finite_differences(case in 0..CASES.len(), x in 0.1..2.0f64, y in -2.0..2.0f64) {
        let f = Formula::parse(CASES[case].0).unwrap();
        let d = f.eval(x, y);
        let h = 1e-6;
        let nx = (f.value(x + h, y) - f.value(x - h, y)) / (2.0 * h);
        let ny = (f.value(x, y + h) - f.value(x, y - h)) / (2.0 * h);
        for (a, n) in [(d.dx, nx), (d.dy, ny)] {
            prop_assert!((a - n).abs() <= 1e-5 * (1.0 + n.abs()), "{}: {a} vs {n}", CASES[case].0);
        }
    }

    /// Any text: a formula or a refusal with a position inside it (or just past its end), never
    /// a panic.
    #[test]
    fn any_text_parses_or_is_refused_with_its_position(text in "[-+*/^(),.0-9xyepi a-z]{0,40}") {
        match Formula::parse(&text) {
            Ok(f) => { let _ = f.eval(0.5, -0.5); }
            Err(e) => prop_assert!(e.at >= 1 && e.at <= text.chars().count() + 1, "{text:?}: {e}"),
        }
    }
}

#[test]
fn bad_formulas_say_where_and_why() {
    for (text, at, words) in [
        ("", 1, "empty"),
        ("x +", 4, "ends"),
        ("foo(x) + 1", 1, "unknown name 'foo'"),
        ("x + yy", 5, "unknown name 'yy'"),
        ("2x", 2, "operator before 'x'"),
        ("(x + 1", 7, "closing ')'"),
        ("sin x", 5, "parentheses"),
        ("logsumexp(x)", 1, "two or more"),
        ("exp(x, y)", 1, "one argument"),
        ("x $ y", 3, "'$'"),
        ("1.2.3", 4, "'.'"),
    ] {
        let e = Formula::parse(text).expect_err(text);
        assert_eq!(e.at, at, "{text:?}: {e}");
        assert!(e.message.contains(words), "{text:?}: {e}");
    }
    let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
    assert!(Formula::parse(&deep).unwrap_err().message.contains("nested"));
    let minus = format!("{}x", "-".repeat(200));
    assert!(Formula::parse(&minus).unwrap_err().message.contains("nested"));
    assert!(Formula::parse(&"x+".repeat(200)).unwrap_err().message.contains("at most"));
}

fn formula(text: &str, b: &str) -> Result<Box<dyn Target>, String> {
    let info = target::find("formula").unwrap();
    let mut o = Options::default();
    o.set(&info.inputs[0], Value::Text(text.into()));
    o.set(&info.inputs[1], Value::Text(b.into()));
    info.build(&o).map_err(|e| e.to_string())
}

#[test]
fn the_target_refuses_what_it_cannot_integrate() {
    for (text, b, words) in [
        ("log(-1 - x^2)", "-4,4,-4,4", "not a finite number anywhere"),
        ("800 + x", "-4,4,-4,4", "overflows"),
        ("x +", "-4,4,-4,4", "formula at character 4"),
        ("x", "-4,4,-4", "four numbers"),
        ("x", "4,-4,-4,4", "x0 < x1"),
        ("x", "-4,4,-4,1e9", "[−100, 100]"),
        ("x", "a,b,c,d", "four numbers"),
    ] {
        let e = formula(text, b).err().unwrap_or_else(|| panic!("{text} on {b} accepted"));
        assert!(e.contains(words), "{text} on {b}: {e}");
    }
    // A box may reach ±100 exactly.
    assert!(formula("-(x^2 + y^2)/2", "-100,100,-4,4").is_ok());
    // Non-finite in part of the box is p̃ = 0 there.
    let t = formula("log(x)", "-4,4,-4,4").unwrap();
    assert_eq!(t.log_density(Vec2::new(-1.0, 0.0)), f64::NEG_INFINITY);
}

/// ln Z and the moments over the box by the engine's integrator against closed forms: a standard
/// normal cut to [−4, 4]² (Z = 2π(Φ(4) − Φ(−4))², Var = 1 − 2·4φ(4)/(Φ(4) − Φ(−4))) and a
/// constant on an off-centre box (Z = its area, uniform moments).
#[test]
fn log_z_and_moments_over_the_box_match_closed_forms() {
    let (phi4, cdf4) = ((-8.0f64).exp() / (2.0 * std::f64::consts::PI).sqrt(), 0.999_968_328_758_166_9);
    let mass = 2.0 * cdf4 - 1.0;
    let var = 1.0 - 2.0 * 4.0 * phi4 / mass;
    let cases = [
        ("-(x^2 + y^2)/2", "-4,4,-4,4", (2.0 * std::f64::consts::PI).ln() + 2.0 * mass.ln(), [0.0, 0.0], [var, var]),
        ("0", "-1,2,0,3", 9f64.ln(), [0.5, 1.5], [0.75, 0.75]),
        ("2.5", "-1,2,0,3", 9f64.ln() + 2.5, [0.5, 1.5], [0.75, 0.75]),
    ];
    for (text, b, log_z, mean, var) in cases {
        let t = formula(text, b).unwrap();
        let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
        println!("{text} on {b}: ln Z {:.9} vs {log_z:.9}, mean {:?}, cov {:?}", p.log_z, p.mean, p.cov);
        assert!((p.log_z - log_z).abs() < 1e-7, "{text}: ln Z {} vs {log_z}", p.log_z);
        for k in 0..2 {
            assert!((p.mean[k] - mean[k]).abs() < 1e-7, "{text}: mean {:?}", p.mean);
            assert!((p.cov[(k, k)] - var[k]).abs() < 1e-7, "{text}: cov {:?}", p.cov);
        }
        assert!(p.cov[(0, 1)].abs() < 1e-7);
    }
}

/// Outside the box the fit sees a wall that pulls back in: ln p̃ falls and its gradient points
/// back towards the box, continuously at the edge.
#[test]
fn outside_the_box_a_wall_pulls_back_in() {
    let t = formula("-(x^2 + y^2)/2", "-4,4,-4,4").unwrap();
    let (edge, _) = t.log_density_and_grad(Vec2::new(4.0, 1.0));
    let (just, _) = t.log_density_and_grad(Vec2::new(4.0 + 1e-9, 1.0));
    assert!((edge - just).abs() < 1e-6);
    let (out, g) = t.log_density_and_grad(Vec2::new(4.5, 1.0));
    assert!(out < edge - 1.0, "{out} vs {edge}");
    assert!(g[0] < 0.0 && (g[1] + 1.0).abs() < 1e-12, "{g:?}");
    // Beyond a corner: f at the corner minus d²/(2w²), w = 8/40, and the gradient pulls back on both axes.
    let (corner, g) = t.log_density_and_grad(Vec2::new(4.5, -4.3));
    let w2 = 0.2f64 * 0.2;
    let want = -(16.0 + 16.0) / 2.0 - (0.25 + 0.09) / (2.0 * w2);
    assert!((corner - want).abs() < 1e-9, "{corner} vs {want}");
    assert!((g[0] + 0.5 / w2).abs() < 1e-9 && (g[1] - 0.3 / w2).abs() < 1e-9, "{g:?}");
}

/// Through the one way to set a row from text (links, flags and fields): a formula its target
/// refuses is refused with its position and the old one kept.
#[test]
fn settings_refuse_a_bad_formula_and_keep_the_old_one() {
    use vi_playground::engine::fit::Settings;
    use vi_playground::engine::target::formula::TEXT;
    let mut s = Settings::default();
    s.set_target("formula").unwrap();
    s.set_text(&TEXT, "-(x^2 + y^2)/2").unwrap();
    let e = s.set_text(&TEXT, "x +").unwrap_err().to_string();
    assert!(e.contains("formula at character 4"), "{e}");
    assert_eq!(s.text(&TEXT), "-(x^2 + y^2)/2");
}
