//! A run's settings, across the registries: which target, family and objective, and the value of
//! every row of the settings table they use ([`crate::engine::settings`]), checked once
//! ([`Settings::check`]).

use super::error::EngineError;
use super::family::{self, FamilyInfo};
use super::objective::{self, Gradient, ObjectiveInfo};
use super::optim::Schedule;
use super::settings::{Options, Setting, Value, FIXED, LR, SAMPLES, SEED};
use super::target::{self, TargetInfo};

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
    /// (the family's learning rate, the objective's samples; the rows' defaults for names not
    /// known, which [`Settings::check`] then refuses).
    pub fn of(target: &str, family: &str, objective: &str) -> Settings {
        Settings {
            target: target.into(),
            family: family.into(),
            objective: objective.into(),
            options: Options::default(),
            samples: objective::find(objective).map_or(SAMPLES.default().number() as usize, |o| o.default_samples),
            lr: family::find(family).map_or(LR.default().number(), |f| f.default_lr),
            schedule: Schedule::default(),
            seed: SEED.default().number() as u64,
        }
    }

    /// A new target, at its default inputs (no other target's input is kept).
    pub fn set_target(&mut self, name: &str) -> Result<(), EngineError> {
        self.target = target::find(name)?.name.into();
        for row in target::TARGETS.iter().flat_map(|t| t.inputs) {
            self.options.reset(row);
        }
        Ok(())
    }

    /// A new family brings its own learning rate (the same family keeps the one set, so a second
    /// fit of the same family side by side runs at the first's rate), and a choice of gradient it
    /// cannot take moves to one it can.
    pub fn set_family(&mut self, name: &str) -> Result<(), EngineError> {
        let f = family::find(name)?;
        if f.name != self.family {
            self.lr = f.default_lr;
        }
        if let Ok(from) = family::find(&self.family) {
            objective::restore_defaults(&mut self.options, from, f);
        }
        self.family = f.name.into();
        objective::fit_to_family(&mut self.options, f);
        Ok(())
    }

    /// A new objective brings its own sample count (forward KL wants more); each objective keeps
    /// its own choice of gradient.
    pub fn set_objective(&mut self, name: &str) -> Result<(), EngineError> {
        let o = objective::find(name)?;
        self.objective = o.name.into();
        self.samples = o.default_samples;
        Ok(())
    }

    /// Any row's value as text, as a link, a flag and a field write it: the fixed rows from their
    /// fields, the others from `options`.
    pub fn text(&self, row: &Setting) -> String {
        match row.key {
            "target" => self.target.clone(),
            "family" => self.family.clone(),
            "divergence" => self.objective.clone(),
            "samples" => self.samples.to_string(),
            "lr" => self.lr.to_string(),
            "schedule" => self.schedule.name().into(),
            "seed" => self.seed.to_string(),
            _ => row.show(&self.options.get(row)),
        }
    }

    /// Sets any row from text, checked by the row (or its registry) and, for a target's input, by
    /// the target: the one way a link, a flag and a typed field change a setting. A new target,
    /// family or objective brings its defaults ([`Settings::set_target`], [`Settings::set_family`],
    /// [`Settings::set_objective`]).
    pub fn set_text(&mut self, row: &Setting, text: &str) -> Result<(), EngineError> {
        match row.key {
            "target" => self.set_target(text)?,
            "family" => self.set_family(text)?,
            "divergence" => self.set_objective(text)?,
            "samples" => self.samples = row.parse_whole(text)? as usize,
            "lr" => self.lr = row.parse(text)?.number(),
            "schedule" => self.schedule = Schedule::parse(row.parse(text)?.name())?,
            "seed" => self.seed = row.parse_whole(text)?,
            _ => {
                let before = self.options.get(row);
                self.options.set(row, row.parse(text)?);
                // An input its target refuses as a whole (a formula that does not parse, data
                // out of range) is refused here, in the target's words, and the old value kept.
                let target = target::find(&self.target)?;
                if target.inputs.iter().any(|r| r.key == row.key) {
                    if let Err(e) = target.build(&self.options) {
                        self.options.set(row, before);
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
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
    /// The first target, family and objective with their defaults.
    fn default() -> Self {
        Settings::of(target::TARGETS[0].name, family::FAMILIES[0].name, objective::OBJECTIVES[0].name)
    }
}

/// Every row a run can hold: the fixed rows, then every target's inputs and every family's and
/// objective's options, each key once, in registry order.
pub fn all_rows() -> Vec<&'static Setting> {
    let mut rows: Vec<&'static Setting> = FIXED.iter().collect();
    let targets = target::TARGETS.iter().flat_map(|t| t.inputs.iter());
    let families = family::FAMILIES.iter().flat_map(|f| f.options.iter());
    let objectives = objective::OBJECTIVES.iter().flat_map(|o| o.rows());
    for row in targets.chain(families).chain(objectives) {
        if !rows.iter().any(|r| r.key == row.key) {
            rows.push(row);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rho() -> &'static Setting {
        &target::find("correlated").unwrap().inputs[0]
    }

    #[test]
    fn settings_of_an_entry_triple_take_its_family_rate_and_objective_samples() {
        let s = Settings::of("correlated", "flow", "forward");
        assert_eq!((s.target.as_str(), s.family.as_str(), s.objective.as_str()), ("correlated", "flow", "forward"));
        assert_eq!((s.lr, s.samples), (0.01, 32));
        assert_eq!(
            Settings { target: "correlated".into(), ..Settings::of("banana", "mean-field", "reverse") }.samples,
            8
        );
        let unknown = Settings::of(crate::engine::NEVER_A_NAME, "flow", "reverse");
        assert_eq!(unknown.target, crate::engine::NEVER_A_NAME, "kept as given, refused by check");
        assert!(unknown.check(false).is_err());
    }

    #[test]
    fn a_value_is_set_only_within_its_row() {
        let mut s = Settings::of("correlated", "mean-field", "reverse");
        s.set(rho(), Value::Number(-0.5)).unwrap();
        assert_eq!(s.get(rho()), Value::Number(-0.5));
        let err = s.set(rho(), Value::Number(1.5)).unwrap_err().to_string();
        assert_eq!(err, "rho = 1.5 is out of range: it must lie in [-0.99, 0.99]");
        assert_eq!(s.get(rho()), Value::Number(-0.5), "a refused value leaves the old one");
    }

    /// Draws of p are draws of one target with its inputs; without them, every objective's choice
    /// of a gradient that needs them falls back to its default, and the label of the gradient now
    /// in use is what the page says.
    #[test]
    fn draws_belong_to_one_target_and_their_gradient_falls_back_without_them() {
        let a = Settings::of("correlated", "mean-field", "forward");
        assert!(a.same_target(&Settings { seed: 5, family: "flow".into(), ..a.clone() }));
        let mut other = a.clone();
        other.set(rho(), Value::Number(0.5)).unwrap();
        assert!(!a.same_target(&other), "another ρ");
        assert!(!a.same_target(&Settings { target: "banana".into(), options: Options::default(), ..a.clone() }));
        assert!(!Settings { target: crate::engine::NEVER_A_NAME.into(), ..a.clone() }.same_target(&a));
        let forward = objective::find("forward").unwrap();
        let mut s = a.clone();
        s.set(&forward.gradient, Value::Name("draws")).unwrap();
        assert_eq!(s.without_draws(), Some("Importance sampling, defensive"));
        assert_eq!(s.gradient_name(), "snis-defensive");
        assert_eq!(s.without_draws(), None, "nothing left to change");
        // A reverse-KL run keeps its gradient; forward KL's choice of draws is reset all the same.
        let mut r = a;
        r.set(&forward.gradient, Value::Name("draws")).unwrap();
        r.objective = "reverse".into();
        assert_eq!(r.without_draws(), None);
        r.objective = "forward".into();
        assert_eq!(r.gradient_name(), "snis-defensive");
    }
}
