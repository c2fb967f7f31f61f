//! A run's settings and the one table they are said in. [`table`] holds every setting's key, link
//! key, label, range and default, written once: the fixed rows ([`FIXED`]) belong to every run; a
//! target's inputs, a family's and an objective's options are rows of their registry entries. The
//! link, the command line, the page's controls and the explanations read these rows, and values
//! are checked here, once ([`Settings::check`]).

use std::collections::BTreeMap;

use super::error::EngineError;
use super::family::{self, FamilyInfo};
use super::objective::{self, Gradient, ObjectiveInfo};
use super::optim::Schedule;
use super::target::{self, TargetInfo};

mod table;

pub use table::*;

/// A setting's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Name(&'static str),
}

impl Value {
    /// The number (NaN for a name, which a row of numbers never holds).
    pub fn number(self) -> f64 {
        match self {
            Value::Number(x) => x,
            Value::Name(_) => f64::NAN,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Value::Name(n) => n,
            Value::Number(_) => "",
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
        self.0.get(row.key).copied().unwrap_or_else(|| row.default())
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

/// Everything that defines a run. Together with the step count it reproduces every number.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub target: String,
    pub family: String,
    /// The objective's name (`reverse`, `forward`): see [`objective::OBJECTIVES`].
    pub objective: String,
    /// The target's inputs, the family's and the objective's options (the gradient among them),
    /// by key; a key not there is its row's default.
    pub options: Options,
    pub samples: usize,
    pub lr: f64,
    /// How the learning rate moves over the run, and whether the q shown is the iterate or its
    /// recent average (see [`Schedule`]).
    pub schedule: Schedule,
    pub seed: u64,
}

/// The registry entries a run's settings name.
#[derive(Clone, Copy)]
pub struct Entries {
    pub target: &'static TargetInfo,
    pub family: &'static FamilyInfo,
    pub objective: &'static ObjectiveInfo,
    pub gradient: &'static Gradient,
}

impl Settings {
    /// The settings of `target` × `family` × `objective` with everything else at its default
    /// (the family's learning rate, the objective's samples).
    pub fn of(target: &str, family: &str, objective: &str) -> Settings {
        let mut s = Settings { target: target.into(), family: family.into(), objective: objective.into(), ..Settings::default() };
        if let Ok(f) = family::find(family) {
            s.lr = f.default_lr;
        }
        if let Ok(o) = objective::find(objective) {
            s.samples = o.default_samples;
        }
        s
    }

    /// Looks up the entries the settings name (each name checked).
    pub fn entries(&self) -> Result<Entries, EngineError> {
        let objective = objective::find(&self.objective)?;
        Ok(Entries {
            target: target::find(&self.target)?,
            family: family::find(&self.family)?,
            objective,
            gradient: objective.chosen(&self.options),
        })
    }

    /// The name of the gradient in use (e.g. `reparam`, `snis-defensive`).
    pub fn gradient_name(&self) -> &'static str {
        objective::find(&self.objective).map_or("", |o| o.chosen(&self.options).name)
    }

    /// The rows in use beyond the fixed ones: the target's inputs, the family's options, the
    /// objective's gradient and options (names not known contribute none).
    pub fn rows(&self) -> Vec<&'static Setting> {
        let mut rows: Vec<&'static Setting> = Vec::new();
        if let Ok(t) = target::find(&self.target) {
            rows.extend(t.inputs.iter());
        }
        if let Ok(f) = family::find(&self.family) {
            rows.extend(f.options.iter());
        }
        if let Ok(o) = objective::find(&self.objective) {
            rows.extend(o.rows());
        }
        rows
    }

    /// A row's value.
    pub fn get(&self, row: &Setting) -> Value {
        self.options.get(row)
    }

    /// Sets a row's value, checked against the row.
    pub fn set(&mut self, row: &Setting, v: Value) -> Result<(), EngineError> {
        self.options.set(row, row.check(v)?);
        Ok(())
    }

    /// Whether `other` names the same target with the same inputs (so draws of one are draws of
    /// the other).
    pub fn same_target(&self, other: &Settings) -> bool {
        self.target == other.target
            && target::find(&self.target).is_ok_and(|t| t.inputs.iter().all(|r| self.get(r) == other.get(r)))
    }

    /// Without draws of p: every objective's choice of a gradient that needs them goes back to its
    /// default. Returns the label of the objective's gradient now in use if the objective in use
    /// changed, e.g. "Importance sampling, defensive".
    pub fn without_draws(&mut self) -> Option<&'static str> {
        let before = self.gradient_name();
        for o in objective::OBJECTIVES {
            if o.chosen(&self.options).needs_draws {
                self.options.reset(&o.gradient);
            }
        }
        let e = self.entries().ok()?;
        (e.gradient.name != before).then_some(e.gradient.label)
    }

    /// Checks every setting in use (names, ranges, the combination) and returns the entries: the
    /// engine's one check, which the link, the command line and the page report as it words it.
    pub fn check(&self, has_draws: bool) -> Result<Entries, EngineError> {
        let e = self.entries()?;
        SAMPLES.check(Value::Number(self.samples as f64))?;
        LR.check(Value::Number(self.lr))?;
        for row in self.rows() {
            row.check(self.options.get(row))?;
        }
        objective::resolve(e.objective, e.gradient, e.family, has_draws)?;
        Ok(e)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target: "banana".into(),
            family: "mean-field".into(),
            objective: "reverse".into(),
            options: Options::default(),
            samples: 8,
            lr: 0.05,
            schedule: Schedule::default(),
            seed: 1,
        }
    }
}

