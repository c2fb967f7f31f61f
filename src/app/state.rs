//! The page's state as plain values: the signals hold these, the logic lives in their methods.

use crate::engine::target::{self, Target, TargetInfo, TARGETS};
use crate::engine::EngineError;

/// The chosen target and its parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetChoice {
    pub name: &'static str,
    pub param: f64,
}

impl Default for TargetChoice {
    fn default() -> Self {
        TargetChoice::named("correlated").unwrap_or_else(|| TargetChoice::of(&TARGETS[0]))
    }
}

impl TargetChoice {
    /// The registry entry at its default parameter.
    pub fn of(info: &'static TargetInfo) -> Self {
        TargetChoice { name: info.name, param: info.param.default }
    }

    pub fn named(name: &str) -> Option<Self> {
        target::find(name).ok().map(TargetChoice::of)
    }

    pub fn info(&self) -> &'static TargetInfo {
        target::find(self.name).unwrap_or(&TARGETS[0])
    }

    /// The same target with a new parameter, clamped to its range (a slider cannot leave it, a
    /// typed or linked value can).
    pub fn with_param(self, value: f64) -> Self {
        let p = self.info().param;
        let param = if value.is_finite() { value.clamp(p.min, p.max) } else { p.default };
        TargetChoice { param, ..self }
    }

    pub fn build(&self) -> Result<Box<dyn Target>, EngineError> {
        self.info().build(self.param)
    }
}
