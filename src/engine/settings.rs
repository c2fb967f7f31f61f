//! One table of settings: every setting's key (its name on the command line, in JSON and in the
//! engine), its link key, label, range and default, written once. The fixed rows ([`FIXED`]) belong
//! to every run; a target's inputs, a family's and an objective's options are rows of their
//! registry entries, kept in [`Options`] by key. The link, the command line, the page's controls
//! and the explanations read these rows; values are checked by them, once. What a run holds across
//! the registries is [`crate::engine::run::Settings`].

use std::collections::BTreeMap;

use super::error::EngineError;
use super::optim::Schedule;

/// A setting's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Name(&'static str),
    /// Points (x, y), e.g. the data a posterior is conditioned on.
    Points(Vec<[f64; 2]>),
    /// Text, e.g. a formula.
    Text(String),
}

impl Value {
    /// The number (NaN for another kind of value, which a row of numbers never holds).
    pub fn number(&self) -> f64 {
        match self {
            Value::Number(x) => *x,
            _ => f64::NAN,
        }
    }

    /// The name ("" for another kind of value).
    pub fn name(&self) -> &'static str {
        match self {
            Value::Name(n) => n,
            _ => "",
        }
    }

    /// The points (none for another kind of value).
    pub fn points(&self) -> &[[f64; 2]] {
        match self {
            Value::Points(p) => p,
            _ => &[],
        }
    }

    /// The text ("" for another kind of value).
    pub fn text(&self) -> &str {
        match self {
            Value::Text(t) => t,
            _ => "",
        }
    }
}

/// The values of the options rows (target inputs, family and objective options) that differ from
/// their default, by key: a missing key is its row's default, so two equal settings compare equal
/// however they were reached.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options(BTreeMap<&'static str, Value>);

impl Options {
    /// The row's value here, or its default.
    pub fn get(&self, row: &Setting) -> Value {
        self.0.get(row.key).cloned().unwrap_or_else(|| row.default())
    }

    pub fn number(&self, row: &Setting) -> f64 {
        self.get(row).number()
    }

    pub fn name(&self, row: &Setting) -> &'static str {
        self.get(row).name()
    }

    /// Sets a row's value (unchecked: [`Setting::parse`] or the engine's check does that).
    pub fn set(&mut self, row: &Setting, v: Value) {
        if v == row.default() {
            self.0.remove(row.key);
        } else {
            self.0.insert(row.key, v);
        }
    }

    /// Back to the row's default.
    pub fn reset(&mut self, row: &Setting) {
        self.0.remove(row.key);
    }

    /// The keys set away from their default.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.keys().copied()
    }
}

/// A list of named entries a row chooses from (an objective's gradients), as names and labels.
pub trait NamedList: Sync + std::fmt::Debug {
    fn names(&self) -> Vec<(&'static str, &'static str)>;
}

/// What values a row takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A real number in [min, max], offered in steps of `step`; `symbol` is how the maths writes it.
    Number { min: f64, max: f64, step: f64, default: f64, symbol: &'static str },
    /// A whole number in [min, max].
    Whole { min: u64, max: u64, default: u64 },
    /// One of a list of entries that name themselves, e.g. an objective's gradients (the first is
    /// the default).
    Named(&'static dyn NamedList),
    /// One of a fixed list of names (the first is the default), with their labels.
    Choice(&'static [(&'static str, &'static str)]),
    /// At most `max` points (x, y), `default` unless set; written `x:y,x:y,…` in a link and a flag.
    Points { max: usize, default: &'static [[f64; 2]] },
    /// Text of at most `max_len` characters, `default` unless set.
    Text { max_len: usize, default: &'static str },
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Engine name, JSON key and command-line flag (`--key`), e.g. `samples`, `rho`, `proposal`.
    pub key: &'static str,
    /// Link key, kept as links have always spelled it, e.g. `est` for `estimator`.
    pub url: &'static str,
    /// What a person calls it, e.g. "Gradient estimator".
    pub label: &'static str,
    /// One line for `--help` and the link's documentation.
    pub help: &'static str,
    pub kind: Kind,
    /// Older spellings of values, read as the value they name: `("q", "snis")`.
    pub aliases: &'static [(&'static str, &'static str)],
}

impl Setting {
    pub fn default(&self) -> Value {
        match self.kind {
            Kind::Number { default, .. } => Value::Number(default),
            Kind::Whole { default, .. } => Value::Number(default as f64),
            // The fixed rows that choose from a registry list no names here: "" (never a panic).
            Kind::Named(all) => Value::Name(all.names().first().map_or("", |n| n.0)),
            Kind::Choice(all) => Value::Name(all.first().map_or("", |n| n.0)),
            Kind::Points { default, .. } => Value::Points(default.to_vec()),
            Kind::Text { default, .. } => Value::Text(default.to_string()),
        }
    }

    /// The names this row can take, with their labels (empty for numbers).
    pub fn choices(&self) -> Vec<(&'static str, &'static str)> {
        match self.kind {
            Kind::Named(all) => all.names(),
            Kind::Choice(all) => all.to_vec(),
            _ => Vec::new(),
        }
    }

    /// A value written as text (a link, a flag, a field), checked: THE check of every value.
    pub fn parse(&self, text: &str) -> Result<Value, EngineError> {
        let text = self.aliases.iter().find(|(old, _)| *old == text).map_or(text, |(_, new)| new);
        match self.kind {
            Kind::Number { .. } => match text.parse::<f64>() {
                Ok(x) => self.check(Value::Number(x)),
                Err(_) => Err(self.not_a_number(text)),
            },
            Kind::Whole { .. } => match text.parse::<u64>() {
                Ok(x) => self.check(Value::Number(x as f64)),
                Err(_) => Err(self.not_a_number(text)),
            },
            Kind::Named(_) | Kind::Choice(_) => {
                let all = self.choices();
                all.iter().find(|(n, _)| *n == text).map(|(n, _)| Value::Name(n)).ok_or_else(|| EngineError::Unknown {
                    what: self.key,
                    name: text.to_string(),
                    known: all.iter().map(|(n, _)| *n).collect(),
                })
            }
            Kind::Points { .. } => self.check(Value::Points(self.parse_points(text)?)),
            Kind::Text { .. } => self.check(Value::Text(text.to_string())),
        }
    }

    /// `x:y,x:y,…` (empty: no points), saying which point is wrong and why.
    fn parse_points(&self, text: &str) -> Result<Vec<[f64; 2]>, EngineError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        text.split(',')
            .enumerate()
            .map(|(i, item)| {
                let bad = |why: &str| EngineError::Invalid(format!("{} point {} '{item}': {why}", self.key, i + 1));
                let (x, y) = item.split_once(':').ok_or_else(|| bad("write it x:y"))?;
                let number = |v: &str| v.trim().parse::<f64>().ok().filter(|v| v.is_finite());
                match (number(x), number(y)) {
                    (Some(x), Some(y)) => Ok([x, y]),
                    _ => Err(bad("x and y must be finite numbers")),
                }
            })
            .collect()
    }

    /// A whole-number row's value as text, exactly (a seed needs all 64 bits, which an f64 lacks).
    pub fn parse_whole(&self, text: &str) -> Result<u64, EngineError> {
        let (min, max) = match self.kind {
            Kind::Whole { min, max, .. } => (min, max),
            _ => return Err(EngineError::Invalid(format!("{} is not a whole number", self.key))),
        };
        match text.parse::<u64>() {
            Ok(x) if (min..=max).contains(&x) => Ok(x),
            Ok(x) => Err(EngineError::OutOfRange { name: self.key, value: x as f64, min: min as f64, max: max as f64 }),
            Err(_) => Err(self.not_a_number(text)),
        }
    }

    fn not_a_number(&self, text: &str) -> EngineError {
        // A whole row's bounds as whole numbers: u64::MAX has no exact f64.
        let (what, range) = match self.kind {
            Kind::Whole { min, max, .. } => ("a whole number", format!("[{min}, {max}]")),
            _ => ("a number", format!("[{}, {}]", self.range().0, self.range().1)),
        };
        EngineError::Invalid(format!("{} '{text}' is not {what} (it must lie in {range})", self.key))
    }

    /// The range of a numeric row (−∞..∞ for names).
    pub fn range(&self) -> (f64, f64) {
        match self.kind {
            Kind::Number { min, max, .. } => (min, max),
            Kind::Whole { min, max, .. } => (min as f64, max as f64),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Five values across a number's range: its ends, its default and the midpoints between
    /// (whole where whole); none for rows of other kinds.
    pub fn sweep(&self) -> Vec<f64> {
        let whole = matches!(self.kind, Kind::Whole { .. });
        let (default, (min, max)) = match self.kind {
            Kind::Number { default, .. } => (default, self.range()),
            Kind::Whole { default, .. } => (default as f64, self.range()),
            _ => return Vec::new(),
        };
        let mut v: Vec<f64> = [min, 0.5 * (min + default), default, 0.5 * (default + max), max]
            .into_iter()
            .map(|x| if whole { x.round() } else { x })
            .collect();
        v.dedup();
        v
    }

    /// Checks a value against the row: in range (whole where whole), one of the names, at most so
    /// many finite points, text at most so long.
    pub fn check(&self, v: Value) -> Result<Value, EngineError> {
        match (self.kind, &v) {
            (Kind::Number { min, max, .. }, &Value::Number(x)) => {
                crate::engine::error::check_range(self.key, x, min, max).map(Value::Number)
            }
            (Kind::Whole { min, max, .. }, &Value::Number(x)) if x.fract() == 0.0 || !x.is_finite() => {
                crate::engine::error::check_range(self.key, x, min as f64, max as f64).map(Value::Number)
            }
            (Kind::Named(_) | Kind::Choice(_), Value::Name(n)) if self.choices().iter().any(|(c, _)| c == n) => Ok(v),
            (Kind::Points { max, .. }, Value::Points(p)) => {
                if p.len() > max {
                    Err(EngineError::Invalid(format!("{} holds at most {max} points, not {}", self.key, p.len())))
                } else if p.iter().flatten().any(|c| !c.is_finite()) {
                    Err(EngineError::Invalid(format!("{}: every point must be finite", self.key)))
                } else {
                    Ok(v)
                }
            }
            (Kind::Text { max_len, .. }, Value::Text(t)) => {
                let n = t.chars().count();
                if n > max_len {
                    Err(EngineError::Invalid(format!("{} holds at most {max_len} characters, not {n}", self.key)))
                } else {
                    Ok(v)
                }
            }
            _ => Err(EngineError::Invalid(format!("{} cannot be {v:?}", self.key))),
        }
    }

    /// A value as a link, a flag and a field write it ([`Setting::parse`] reads it back).
    pub fn show(&self, v: &Value) -> String {
        match v {
            Value::Number(x) => x.to_string(),
            Value::Name(n) => n.to_string(),
            Value::Points(p) => p.iter().map(|[x, y]| format!("{x}:{y}")).collect::<Vec<_>>().join(","),
            Value::Text(t) => t.clone(),
        }
    }
}

/// Monte Carlo samples per step: at least one, at most this many.
pub const MAX_SAMPLES: usize = 1024;
/// Learning rates outside this range are refused (an absurd but allowed rate shows divergence).
pub const LR_RANGE: (f64, f64) = (1e-5, 100.0);

pub const TARGET: Setting = Setting {
    key: "target",
    url: "target",
    label: "Target",
    help: "the target posterior",
    kind: Kind::Choice(&[]),
    aliases: &[],
};
pub const FAMILY: Setting = Setting {
    key: "family",
    url: "family",
    label: "Variational family",
    help: "the variational family",
    kind: Kind::Choice(&[]),
    aliases: &[],
};
pub const OBJECTIVE: Setting = Setting {
    key: "divergence",
    url: "div",
    label: "Divergence",
    help: "the divergence the fit minimises",
    kind: Kind::Choice(&[]),
    aliases: &[],
};
pub const SAMPLES: Setting = Setting {
    key: "samples",
    url: "samples",
    label: "Samples S",
    help: "Monte Carlo samples per step",
    kind: Kind::Whole { min: 1, max: MAX_SAMPLES as u64, default: 8 },
    aliases: &[],
};
pub const LR: Setting = Setting {
    key: "lr",
    url: "lr",
    label: "Learning rate",
    help: "Adam's learning rate",
    kind: Kind::Number { min: LR_RANGE.0, max: LR_RANGE.1, step: 0.001, default: 0.05, symbol: "lr" },
    aliases: &[],
};
pub const SCHEDULE: Setting = Setting {
    key: "schedule",
    url: "sched",
    label: "Learning rate over time",
    help: "the learning-rate schedule: decay (q settles) or constant (q jitters)",
    kind: Kind::Choice(Schedule::CHOICES),
    aliases: &[],
};
pub const SEED: Setting = Setting {
    key: "seed",
    url: "seed",
    label: "Seed",
    help: "the random seed: the same seed gives the same numbers",
    kind: Kind::Whole { min: 0, max: u64::MAX, default: 1 },
    aliases: &[],
};

/// The rows every run has, in the order a link applies them. The target, family and objective
/// choose from their registries (their `Choice` lists are empty here: the link, the command line
/// and the controls list the registries' names).
pub const FIXED: &[Setting] = &[TARGET, FAMILY, OBJECTIVE, SAMPLES, LR, SCHEDULE, SEED];
