//! The table: what values each setting takes, its keys and words, and the fixed rows.

use super::Value;
use crate::engine::error::EngineError;
use crate::engine::objective::Gradient;
use crate::engine::optim::Schedule;

/// What values a row takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A real number in [min, max], offered in steps of `step`; `symbol` is how the maths writes it.
    Number { min: f64, max: f64, step: f64, default: f64, symbol: &'static str },
    /// A whole number in [min, max].
    Whole { min: u64, max: u64, default: u64 },
    /// One of an objective's gradients (the first is the default).
    Gradient(&'static [Gradient]),
    /// One of a fixed list of names (the first is the default), with their labels.
    Choice(&'static [(&'static str, &'static str)]),
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
            Kind::Gradient(all) => Value::Name(all[0].name),
            Kind::Choice(all) => Value::Name(all[0].0),
        }
    }

    /// The names this row can take, with their labels (empty for numbers).
    pub fn choices(&self) -> Vec<(&'static str, &'static str)> {
        match self.kind {
            Kind::Gradient(all) => all.iter().map(|g| (g.name, g.label)).collect(),
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
            Kind::Gradient(_) | Kind::Choice(_) => {
                let all = self.choices();
                all.iter().find(|(n, _)| *n == text).map(|(n, _)| Value::Name(n)).ok_or_else(|| EngineError::Unknown {
                    what: self.key,
                    name: text.to_string(),
                    known: all.iter().map(|(n, _)| *n).collect(),
                })
            }
        }
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
        let (min, max) = self.range();
        let whole = if matches!(self.kind, Kind::Whole { .. }) { "a whole number" } else { "a number" };
        EngineError::Invalid(format!("{} '{text}' is not {whole} (it must lie in [{min}, {max}])", self.key))
    }

    /// The range of a numeric row (−∞..∞ for names).
    pub fn range(&self) -> (f64, f64) {
        match self.kind {
            Kind::Number { min, max, .. } => (min, max),
            Kind::Whole { min, max, .. } => (min as f64, max as f64),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Checks a value against the row: in range (whole where whole), or one of the names.
    pub fn check(&self, v: Value) -> Result<Value, EngineError> {
        match (self.kind, v) {
            (Kind::Number { min, max, .. }, Value::Number(x)) => {
                crate::engine::error::check_range(self.key, x, min, max).map(Value::Number)
            }
            (Kind::Whole { min, max, .. }, Value::Number(x)) if x.fract() == 0.0 || !x.is_finite() => {
                crate::engine::error::check_range(self.key, x, min as f64, max as f64).map(Value::Number)
            }
            (Kind::Gradient(_) | Kind::Choice(_), Value::Name(n)) if self.choices().iter().any(|(c, _)| *c == n) => Ok(v),
            _ => Err(EngineError::Invalid(format!("{} cannot be {v:?}", self.key))),
        }
    }

    /// A value as a link, a flag and a field write it.
    pub fn show(&self, v: Value) -> String {
        match v {
            Value::Number(x) => x.to_string(),
            Value::Name(n) => n.to_string(),
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
/// choose from their registries (their `Choice` lists are empty here; see [`choices_of`]).
pub const FIXED: &[Setting] = &[TARGET, FAMILY, OBJECTIVE, SAMPLES, LR, SCHEDULE, SEED];

/// The names a fixed choice row takes: from the registries for target, family and objective.
pub fn choices_of(row: &Setting) -> Vec<(&'static str, &'static str)> {
    match row.key {
        "target" => super::target::TARGETS.iter().map(|t| (t.name, t.label)).collect(),
        "family" => super::family::FAMILIES.iter().map(|f| (f.name, f.label)).collect(),
        "divergence" => super::objective::OBJECTIVES.iter().map(|o| (o.name, o.label)).collect(),
        _ => row.choices(),
    }
}

/// Every row a run can hold: the fixed rows, then every target's inputs and every family's and
/// objective's options, each key once, in registry order.
pub fn all_rows() -> Vec<&'static Setting> {
    let mut rows: Vec<&'static Setting> = FIXED.iter().collect();
    let targets = super::target::TARGETS.iter().flat_map(|t| t.inputs.iter());
    let families = super::family::FAMILIES.iter().flat_map(|f| f.options.iter());
    let objectives = super::objective::OBJECTIVES.iter().flat_map(|o| o.rows());
    for row in targets.chain(families).chain(objectives) {
        if !rows.iter().any(|r| r.key == row.key) {
            rows.push(row);
        }
    }
    rows
}
