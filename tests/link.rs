//! The link table: every setting round-trips through the URL, keys apply in the table's order, and
//! no query string (property-tested with garbage) panics or yields a state the engine refuses.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use vi_playground::engine::fit::Fit;
use vi_playground::engine::mcmc::SamplerKind;
use vi_playground::engine::objective::OBJECTIVES;
use vi_playground::engine::run::all_rows;
use vi_playground::engine::settings::{Kind, Value, FIXED};
use vi_playground::engine::target::TARGETS;
use vi_playground::link::{self, all_keys, parse, to_query, PageState, Part, Second, MAX_LINK_STEP, SPEEDS};

/// A value other than the default for the fixed settings and the page's keys (hand-picked: they
/// have meanings a generated value would miss, e.g. the seed's full 64 bits).
const NON_DEFAULT: &[(&str, &str)] = &[
    ("target", "correlated"),
    ("family", "flow"),
    ("div", "forward"),
    ("samples", "17"),
    ("lr", "0.0125"),
    ("sched", "constant"),
    ("seed", "18446744073709551615"),
    ("param", "-0.5"),
    ("speed", "1000"),
    ("step", "4321"),
    ("play", "1"),
    ("sampler", "rwmh"),
    ("compare", "1"),
    ("family2", "full-rank"),
    ("div2", "reverse"),
    ("presenter", "1"),
];

/// A value other than the default for every row of every registry entry, from the row itself (so
/// a new target's input or a new option is tested here with no line added): a number between the
/// default and the top of its range, the next whole number, the first other name a link may carry
/// (not a gradient that needs MCMC draws), a point, a word.
fn generated() -> Vec<(&'static str, String)> {
    let fixed: Vec<&str> = FIXED.iter().map(|r| r.url).collect();
    let needs_draws =
        |name: &str| OBJECTIVES.iter().flat_map(|o| o.gradients()).any(|g| g.name == name && g.needs_draws);
    all_rows()
        .into_iter()
        .filter(|r| !fixed.contains(&r.url) && !single_choice(r))
        .map(|row| {
            let v = match row.kind {
                Kind::Number { max, default, step, .. } => {
                    let x = default + ((max - default) / 2.0 / step).round().max(1.0) * step;
                    Value::Number((x * 1e6).round() / 1e6)
                }
                Kind::Whole { max, default, .. } => Value::Number((default + 1).min(max) as f64),
                Kind::Named(_) | Kind::Choice(_) => {
                    let other =
                        row.choices().into_iter().skip(1).find(|(n, _)| !needs_draws(n)).expect("another choice");
                    Value::Name(other.0)
                }
                Kind::Points { .. } => Value::Points(vec![[0.5, 1.0]]),
                // Text the target accepts: a box is four numbers; any other text is a formula.
                Kind::Text { .. } => Value::Text(if row.key == "box" { "-3,3,-2,2" } else { "x" }.into()),
            };
            assert_ne!(v, row.default(), "{}", row.key);
            (row.url, row.show(&v))
        })
        .collect()
}

/// A row of names with one name only (an objective with one gradient) has no other value.
fn single_choice(row: &vi_playground::engine::settings::Setting) -> bool {
    matches!(row.kind, Kind::Named(_) | Kind::Choice(_)) && row.choices().len() == 1
}

/// Every key with its non-default value.
fn non_default() -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> = NON_DEFAULT.iter().map(|(k, v)| (*k, v.to_string())).collect();
    all.extend(generated());
    all
}

/// The target a key's value needs (a target's input is read only for that target).
fn needs_target(key: &str) -> Option<&'static str> {
    if key == "param" {
        return Some("correlated");
    }
    TARGETS.iter().find(|t| t.inputs.iter().any(|r| r.url == key)).map(|t| t.name)
}

#[test]
fn the_test_tables_cover_every_key() {
    let single: Vec<&str> = all_rows().into_iter().filter(|r| single_choice(r)).map(|r| r.url).collect();
    let mut names: Vec<&str> = all_keys().into_iter().filter(|k| !single.contains(k)).collect();
    let mut tested: Vec<&str> = non_default().iter().map(|(k, _)| *k).collect();
    names.sort();
    tested.sort();
    assert_eq!(names, tested);
}

#[test]
fn every_key_round_trips_alone() {
    let default = PageState::default();
    for (key, value) in non_default() {
        let query = match needs_target(key) {
            Some(t) => format!("target={t}&{key}={value}"),
            None => format!("{key}={value}"),
        };
        let parsed = parse(&query);
        assert!(parsed.ignored.is_empty(), "{query}: {:?}", parsed.ignored);
        assert_eq!(link::value(&parsed.state, key).unwrap(), value, "{key} reads back");
        assert_ne!(parsed.state, default, "{key}={value} changed the state");
        let again = parse(&to_query(&parsed.state));
        assert!(again.ignored.is_empty());
        assert_eq!(again.state, parsed.state, "{key} round-trips");
    }
}

#[test]
fn a_whole_state_round_trips() {
    // The correlated target's inputs, not the other targets', nor `param` (an older spelling of ρ).
    let whole = non_default()
        .into_iter()
        .filter(|(k, _)| !["param", "rho"].contains(k) && needs_target(k).is_none_or(|t| t == "correlated"))
        .chain([("rho", "-0.5".to_string())]);
    let query: Vec<String> = whole.map(|(k, v)| format!("{k}={v}")).collect();
    let parsed = parse(&format!("?{}&mcmc_hide=1&target_hide=true&lr_hide=0", query.join("&")));
    assert!(parsed.ignored.is_empty(), "{:?}", parsed.ignored);
    let s = &parsed.state;
    assert_eq!(s.controls.settings.target, "correlated");
    let get = |key: &str| link::value(s, key).unwrap();
    assert_eq!(get("rho"), "-0.5");
    assert_eq!(s.controls.settings.family, "flow");
    assert_eq!((get("depth"), get("width")), ("5".into(), "17".into()), "the generated values");
    assert_eq!(s.controls.settings.objective, "forward");
    assert_eq!((get("est"), get("fwd")), ("stl".into(), "snis".into()), "each objective keeps its gradient");
    assert_eq!(s.controls.settings.gradient_name(), "snis");
    assert_eq!((s.controls.settings.samples, s.controls.settings.lr, s.controls.settings.seed), (17, 0.0125, u64::MAX));
    assert_eq!(s.controls.settings.schedule, vi_playground::engine::optim::Schedule::Constant);
    assert_eq!((s.controls.steps_per_frame, s.step, s.playing, s.sampler), (1000, 4321, true, SamplerKind::Rwmh));
    assert_eq!(s.second, Second { family: "full-rank".into(), objective: "reverse".into() });
    assert!(s.compare && s.presenter);
    assert_eq!(s.hidden.iter().copied().collect::<Vec<_>>(), vec![Part::Target, Part::Mcmc]);
    assert_eq!(parse(&to_query(s)).state, *s);
}

#[test]
fn keys_apply_in_the_tables_order_not_the_links() {
    // The family brings its learning rate and the divergence its sample count; explicit values win.
    let s = parse("lr=0.2&samples=3&div=forward&family=flow").state;
    assert_eq!((s.controls.settings.lr, s.controls.settings.samples), (0.2, 3));
    let s = parse("family=flow&div=forward").state;
    assert_eq!((s.controls.settings.lr, s.controls.settings.samples), (0.01, 32));
    // A parameter is checked against its own target's range: ρ = −0.5 is fine, b = −0.5 is not.
    assert!(parse("param=-0.5&target=correlated").ignored.is_empty());
    assert_eq!(parse("param=-0.5&target=banana").ignored.len(), 1);
}

#[test]
fn bad_values_keep_their_default_and_are_reported() {
    let default = PageState::default();
    for key in all_keys() {
        for bad in ["", "abc", "-1", "1e999", "NaN", "%ZZ", "99999999999999999999999"] {
            let parsed = parse(&format!("{key}={bad}"));
            if parsed.ignored.is_empty() {
                // Some garbage is a fine value for some keys ("-1" for the parameter ρ is not: it is
                // outside (−0.99, 0.99)); then it must be what the key reads back.
                assert_eq!(link::value(&parsed.state, key).unwrap(), bad, "{key}={bad}");
                continue;
            }
            assert_eq!(parsed.state, default, "{key}={bad} left the defaults");
            assert_eq!(parsed.ignored.len(), 1);
            assert!(parsed.ignored[0].starts_with(key), "{:?}", parsed.ignored);
            assert!(parsed.message().unwrap().contains(key));
        }
    }
    let p = parse("nonsense=1&seed=2&seed=3&fwd=draws&step=5000001&speed=7");
    assert_eq!(p.state.controls.settings.seed, 3, "the last of a repeated key is used");
    assert_eq!(link::value(&p.state, "fwd").unwrap(), "snis-defensive", "draws need MCMC first");
    assert_eq!((p.state.step, p.state.controls.steps_per_frame), (0, 100));
    assert_eq!(p.ignored.len(), 5, "{:?}", p.ignored);
    assert_eq!(parse("").ignored, Vec::<String>::new());
    assert_eq!(parse("?").state, default);
}

/// A target's input that the target refuses as a whole (data out of its range, a formula that does
/// not parse, a box turned inside out) is ignored with the target's own sentence; data and a
/// formula with every awkward character travel and come back.
#[test]
fn inputs_their_target_refuses_are_ignored_in_words_and_good_ones_travel() {
    for (query, key, says) in [
        ("target=logistic&data=0.5:1,4:0", "data", "data point 2 (4, 0): x must lie in [−3, 3]"),
        ("target=logistic&data=0.5:2", "data", "its class y must be 0 or 1"),
        ("target=formula&formula=x%20%2B%20foo", "formula", "formula at character 5: unknown name 'foo'"),
        ("target=formula&box=4,-4,-4,4", "box", "x0 < x1"),
    ] {
        let p = parse(query);
        assert_eq!(p.ignored.len(), 1, "{query}: {:?}", p.ignored);
        assert!(p.ignored[0].starts_with(key) && p.ignored[0].contains(says), "{query}: {:?}", p.ignored);
        assert_usable(&p.state);
    }
    let formula = "logsumexp(-((x-1)^2 + y^2)/0.5, -((x+1)^2+y^2)/0.5) - abs(x)*1e-1 & #?=+%";
    let mut s = PageState::default();
    s.controls.settings.set_target("formula").unwrap();
    let row = vi_playground::engine::target::formula::TEXT;
    s.controls.settings.set_text(&row, formula.trim_end_matches(" & #?=+%")).unwrap();
    let back = parse(&to_query(&s));
    assert!(back.ignored.is_empty(), "{:?}", back.ignored);
    assert_eq!(back.state, s);
    let data = "target=logistic&data=-1.5:0,-0.25:1,2.75:1";
    let p = parse(data);
    assert!(p.ignored.is_empty());
    assert!(to_query(&p.state).contains("data=-1.5:0,-0.25:1,2.75:1"), "written compactly: {}", to_query(&p.state));
}

#[test]
fn values_are_percent_encoded_and_decoded() {
    let s = parse("target=corr%65lated&family=mean%2Dfield&lr=1e-2").state;
    assert_eq!((s.controls.settings.target.as_str(), s.controls.settings.lr), ("correlated", 0.01));
    let p = parse("target=%E2%80%AE%FF%&family=%");
    assert_eq!(p.ignored.len(), 2, "{:?}", p.ignored);
}

/// A state the engine must accept: the fit can be built and the link's extra numbers are in range.
fn assert_usable(s: &PageState) {
    Fit::new(s.controls.settings.clone()).expect("a parsed link always gives settings the engine accepts");
    Fit::new(s.second.controls(&s.controls).settings).expect("so does the second fit");
    assert!(s.step <= MAX_LINK_STEP);
    assert!(SPEEDS.contains(&s.controls.steps_per_frame));
}

fn key_name() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = all_keys().iter().map(|k| k.to_string()).collect();
    names.extend(Part::ALL.iter().map(|p| format!("{}_hide", p.name())));
    names.push("x".into());
    proptest::sample::select(names)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[-+0-9.eE%a-z]{0,12}",
        any::<f64>().prop_map(|x| x.to_string()),
        any::<i64>().prop_map(|x| x.to_string()),
        proptest::sample::select(vec![
            "banana",
            "bimodal",
            "correlated",
            "flow",
            "full-rank",
            "mean-field",
            "forward",
            "reverse",
            "stl",
            "score",
            "snis",
            "draws",
            "rwmh",
            "1",
            "0",
            "true",
        ])
        .prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_string_is_a_usable_link(query in any::<String>()) {
        assert_usable(&parse(&query).state);
    }

    #[test]
    fn known_keys_with_garbage_are_applied_or_reported(pairs in proptest::collection::vec((key_name(), value()), 0..8)) {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let parsed = parse(&query.join("&"));
        assert_usable(&parsed.state);
        // What was not reported was applied: writing the state and reading it back changes nothing.
        let again = parse(&to_query(&parsed.state));
        prop_assert!(again.ignored.is_empty(), "{:?}", again.ignored);
        prop_assert_eq!(&again.state, &parsed.state);
    }
}

#[test]
fn every_lesson_is_a_clean_link() {
    for lesson in vi_playground::explain::LESSONS {
        let parsed = parse(lesson.query);
        assert!(parsed.ignored.is_empty(), "lesson {}: {:?}", lesson.id, parsed.ignored);
        assert_usable(&parsed.state);
    }
}

/// `<part>_hide` works by a rule per part in the stylesheet: a part added to the table without
/// its rule would be accepted by a link and hide nothing.
#[test]
fn the_stylesheet_hides_every_part_a_link_can_hide() {
    let css = include_str!("../style/app.css");
    for part in vi_playground::link::Part::ALL {
        let rule = format!(".app.hide-{0} [data-part=\"{0}\"]", part.name());
        assert!(css.contains(&rule), "style/app.css has no `{rule}`");
    }
}

/// One key, one meaning: every row of the settings table (the fixed rows, every target's inputs,
/// every family's and objective's options) has its own key (its flag and JSON name) and its own
/// link key, and no link key is also one of the page's keys, `param` or a `<part>_hide`. A new
/// entry reusing a name (the ring's `k` and IWAE's `K`) fails here, not in a student's link.
#[test]
fn every_key_and_link_key_is_used_once() {
    use vi_playground::engine::{family::FAMILIES, objective::OBJECTIVES, settings::FIXED, target::TARGETS};
    let mut rows: Vec<&vi_playground::engine::settings::Setting> = FIXED.iter().collect();
    rows.extend(TARGETS.iter().flat_map(|t| t.inputs.iter()));
    rows.extend(FAMILIES.iter().flat_map(|f| f.options.iter()));
    rows.extend(OBJECTIVES.iter().flat_map(|o| o.rows()));
    let unique = |names: Vec<String>, what: &str| {
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a {what} used twice: {names:?}");
    };
    unique(rows.iter().map(|r| r.key.to_string()).collect(), "key");
    let mut links: Vec<String> = rows.iter().map(|r| r.url.to_string()).collect();
    links.push("param".into());
    links.extend(vi_playground::link::KEYS.iter().map(|k| k.name.to_string()));
    links.extend(Part::ALL.iter().map(|p| format!("{}_hide", p.name())));
    unique(links, "link key");
    assert_eq!(all_keys().len(), rows.len() + 1 + vi_playground::link::KEYS.len());
}

/// A link whose divergence the family cannot take at all (IWAE needs one bijection; a mixture is
/// not one) opens with the default divergence and says why, in the engine's words; in pane B too.
#[test]
fn a_divergence_the_family_cannot_take_is_refused_in_words() {
    let p = link::parse("target=ring&modes=6&family=mixture&k=6&div=iwae&iwk=16");
    assert_eq!(
        (p.state.controls.settings.family.as_str(), p.state.controls.settings.objective.as_str()),
        ("mixture", "reverse")
    );
    assert!(p.state.controls.settings.check(false).is_ok());
    let msg = p.message().expect("a sentence");
    assert!(msg.contains("div=iwae") && msg.contains("invertible map"), "{msg}");
    // The mixture's forward KL falls back to importance sampling from q, quietly: it can run.
    let p = link::parse("family=mixture&div=forward");
    assert!(p.ignored.is_empty() && p.state.controls.settings.check(false).is_ok(), "{:?}", p.ignored);
    let p = link::parse("compare=1&family2=mixture&div2=iwae");
    assert_eq!(p.state.second.objective, "reverse");
    assert!(
        p.ignored.len() == 1 && p.ignored[0].starts_with("div2=iwae (") && p.ignored[0].contains("invertible map"),
        "{:?}",
        p.ignored
    );
}
