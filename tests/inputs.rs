//! Targets with any inputs (issue 15): a target names its inputs as rows of the settings table —
//! numbers, points (data) and text (a formula) — and everything that reads a row (the link, the
//! command line, the controls, the JSON) reads them the same way. A test-only target with two
//! numbers, points and text shows the path: each value written and read back through its row, a
//! bad value refused in words naming the row, and the target built from the values.

#![cfg(not(target_arch = "wasm32"))]

use vi_playground::engine::registry::Explanation;
use vi_playground::engine::settings::{Kind, Options, Setting, Value};
use vi_playground::engine::target::{Box2, Exact, Target, TargetInfo};
use vi_playground::engine::{Mat2, Vec2};

const A: Setting = Setting {
    key: "a",
    url: "a",
    label: "Centre a",
    help: "the centre's x",
    kind: Kind::Number { min: -2.0, max: 2.0, step: 0.1, default: 0.0, symbol: "a" },
    aliases: &[],
};
const B: Setting = Setting {
    key: "b",
    url: "b",
    label: "Scale b",
    help: "the sd",
    kind: Kind::Number { min: 0.5, max: 3.0, step: 0.1, default: 1.0, symbol: "b" },
    aliases: &[],
};
const DATA: Setting = Setting {
    key: "data",
    url: "data",
    label: "Data",
    help: "points",
    kind: Kind::Points { max: 4, default: &[] },
    aliases: &[],
};
const NOTE: Setting = Setting {
    key: "note",
    url: "note",
    label: "Note",
    help: "text",
    kind: Kind::Text { max_len: 12, default: "" },
    aliases: &[],
};

/// N((a + mean x of the data, mean y of the data), b² I): every input changes the density.
struct Shifted {
    mean: Vec2,
    sd: f64,
}

impl Target for Shifted {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let d = (z - self.mean) / self.sd;
        (-0.5 * d.norm_squared(), -d / self.sd)
    }
    fn mass_box(&self) -> Box2 {
        let r = 7.0 * self.sd;
        Box2 { x: (self.mean[0] - r, self.mean[0] + r), y: (self.mean[1] - r, self.mean[1] + r) }
    }
    fn exact(&self) -> Exact {
        Exact { log_z: None, mean: Some(self.mean), cov: Some(Mat2::identity() * self.sd * self.sd) }
    }
}

static INFO: TargetInfo = TargetInfo {
    name: "shifted",
    label: "Shifted Gaussian",
    inputs: &[A, B, DATA, NOTE],
    explain: Explanation { title: "", text: "", formula: "" },
    build: |o| {
        let data = o.get(&DATA);
        let n = data.points().len().max(1) as f64;
        let shift = data.points().iter().fold(Vec2::zeros(), |s, p| s + Vec2::new(p[0], p[1]) / n);
        Ok(Box::new(Shifted { mean: Vec2::new(o.number(&A), 0.0) + shift, sd: o.number(&B) }))
    },
};

#[test]
fn every_kind_of_input_round_trips_through_its_row() {
    let values = [
        (A, Value::Number(-1.5)),
        (B, Value::Number(2.5)),
        (DATA, Value::Points(vec![[0.5, -1.0], [1e-3, 2.25]])),
        (NOTE, Value::Text("x^2 + y".into())),
    ];
    for (row, v) in values {
        let text = row.show(&v);
        assert_eq!(row.parse(&text).unwrap(), v, "{} written as {text:?}", row.key);
    }
    assert_eq!(DATA.show(&Value::Points(vec![[0.5, -1.0], [2.0, 3.0]])), "0.5:-1,2:3");
    assert_eq!(DATA.parse("").unwrap(), Value::Points(vec![]), "no points: the default");
    assert_eq!(DATA.default(), Value::Points(vec![]));
    assert_eq!(NOTE.default(), Value::Text(String::new()));
}

#[test]
fn a_bad_input_is_refused_naming_the_row_and_the_item() {
    let said = |row: &Setting, text: &str| row.parse(text).unwrap_err().to_string();
    assert_eq!(said(&A, "3"), "a = 3 is out of range: it must lie in [-2, 2]");
    assert_eq!(said(&DATA, "1:2,3"), "data point 2 '3': write it x:y");
    assert_eq!(said(&DATA, "1:2,nan:1"), "data point 2 'nan:1': x and y must be finite numbers");
    assert_eq!(said(&DATA, "0:0,1:1,2:2,3:3,4:4"), "data holds at most 4 points, not 5");
    assert_eq!(DATA.parse("0:0,1:1,2:2,3:3").unwrap().points().len(), 4, "as many as allowed");
    assert_eq!(said(&NOTE, "thirteen char"), "note holds at most 12 characters, not 13");
    assert_eq!(NOTE.parse("twelve chars").unwrap().text(), "twelve chars", "as long as allowed");
    // A value of the wrong kind, as a hand-made Options can hold, is refused by the build.
    let mut o = Options::default();
    o.set(&B, Value::Text("wide".into()));
    let err = INFO.build(&o).err().expect("refused").to_string();
    assert!(err.starts_with("b cannot be"), "{err}");
}

#[test]
fn the_target_is_built_from_all_its_inputs() {
    let mut o = Options::default();
    for (row, text) in [(&A, "1"), (&B, "2"), (&DATA, "1:1,3:-1"), (&NOTE, "hello")] {
        o.set(row, row.parse(text).unwrap());
    }
    assert_eq!(o.get(&NOTE).text(), "hello");
    let t = INFO.build(&o).unwrap();
    let e = t.exact();
    assert_eq!(e.mean, Some(Vec2::new(3.0, 0.0)), "a + the data's mean x, the data's mean y");
    assert_eq!(e.cov, Some(Mat2::identity() * 4.0));
    // Defaults: a = 0, b = 1, no data.
    assert_eq!(INFO.build_default().exact().mean, Some(Vec2::zeros()));
    // Options keep only what differs from the default, so equal inputs compare equal.
    let mut back = o.clone();
    back.set(&A, Value::Number(0.0));
    back.set(&A, Value::Number(1.0));
    assert_eq!(back, o);
    back.reset(&DATA);
    assert_ne!(back, o);
}
