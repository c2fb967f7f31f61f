//! Errors as values: every constructor a user, a URL or a diverging optimizer can reach returns
//! `Result<_, EngineError>`, and the message is written for the person who caused it.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// A setting outside its allowed range, e.g. ρ = 1.2.
    OutOfRange { name: &'static str, value: f64, min: f64, max: f64 },
    /// A name that no registry knows, e.g. `--target _never`.
    Unknown { what: &'static str, name: String, known: Vec<&'static str> },
    /// A combination that makes no sense, e.g. forward KL from draws with no draws.
    Invalid(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::OutOfRange { name, value, min, max } => {
                write!(f, "{name} = {value} is out of range: it must lie in [{min}, {max}]")
            }
            EngineError::Unknown { what, name, known } => {
                write!(f, "unknown {what} '{name}'; known: {}", known.join(", "))
            }
            EngineError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for EngineError {}

/// Checks `min <= value <= max` (NaN fails), naming the setting in the error.
pub fn check_range(name: &'static str, value: f64, min: f64, max: f64) -> Result<f64, EngineError> {
    if value >= min && value <= max {
        Ok(value)
    } else {
        Err(EngineError::OutOfRange { name, value, min, max })
    }
}
