//! The settings table's rows: parsing, checking and showing values (`src/engine/settings.rs`).

use vi_playground::engine::optim::Schedule;
use vi_playground::engine::settings::{Kind, Setting, Value, LR, LR_RANGE, SAMPLES, SCHEDULE, SEED};

#[test]
fn a_row_of_names_parses_its_own_and_refuses_the_rest() {
    assert_eq!(SCHEDULE.choices(), Schedule::CHOICES.to_vec());
    assert_eq!(SCHEDULE.default(), Value::Name("decay"));
    assert_eq!(SCHEDULE.parse("constant").unwrap(), Value::Name("constant"));
    assert_eq!(SCHEDULE.parse("cosine").unwrap_err().to_string(), "unknown schedule 'cosine'; known: decay, constant");
    assert!(SCHEDULE.check(Value::Name("cosine")).is_err(), "a name not among the choices");
    assert!(SCHEDULE.check(Value::Number(1.0)).is_err(), "a number in a row of names");
    assert_eq!(SCHEDULE.show(&Value::Name("constant")), "constant");
}

#[test]
fn values_say_what_they_hold() {
    assert_eq!(Value::Text("x^2".into()).text(), "x^2");
    assert_eq!(Value::Number(1.0).text(), "");
    assert_eq!(Value::Points(vec![[1.0, 2.0]]).points(), &[[1.0, 2.0]]);
    assert!(Value::Name("a").points().is_empty() && Value::Name("a").number().is_nan());
    assert_eq!(Value::Name("a").name(), "a");
    assert_eq!(Value::Text("a".into()).name(), "");
}

#[test]
fn numbers_are_checked_against_their_range_and_wholeness() {
    assert_eq!(SAMPLES.parse("0").unwrap_err().to_string(), "samples = 0 is out of range: it must lie in [1, 1024]");
    assert_eq!(
        SAMPLES.parse("2.5").unwrap_err().to_string(),
        "samples '2.5' is not a whole number (it must lie in [1, 1024])"
    );
    assert!(SAMPLES.check(Value::Number(2.5)).is_err());
    assert_eq!(SEED.parse_whole("18446744073709551615").unwrap(), u64::MAX, "all 64 bits");
    assert_eq!(
        SEED.parse_whole("-1").unwrap_err().to_string(),
        "seed '-1' is not a whole number (it must lie in [0, 18446744073709551615])"
    );
    assert_eq!(LR.parse("0.01").unwrap(), Value::Number(0.01));
    assert!(LR.parse("NaN").is_err() && LR.parse("inf").is_err());
    assert_eq!(LR.parse("fast").unwrap_err().to_string(), "lr 'fast' is not a number (it must lie in [0.00001, 100])");
    assert_eq!(LR.range(), LR_RANGE);
}

#[test]
fn a_sweep_spans_a_number_row_at_five_values() {
    const R: Setting = Setting {
        key: "r",
        url: "r",
        label: "",
        help: "",
        kind: Kind::Number { min: 0.5, max: 3.0, step: 0.1, default: 2.0, symbol: "r" },
        aliases: &[],
    };
    assert_eq!(R.sweep(), vec![0.5, 1.25, 2.0, 2.5, 3.0]);
    const K: Setting = Setting { kind: Kind::Whole { min: 2, max: 4, default: 2 }, ..R };
    assert_eq!(K.sweep(), vec![2.0, 3.0, 4.0], "whole, without repeats");
    assert!(SCHEDULE.sweep().is_empty());
}
