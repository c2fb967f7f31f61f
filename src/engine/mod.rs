//! The numerical engine: targets, variational families, divergences, the optimizer, exact
//! diagnostics and the fit object the page drives. No web crates; every random number comes from
//! an explicit seeded RNG, so a seed reproduces a run natively and in wasm.

pub mod bench;
pub mod bias;
pub mod cubature;
pub mod error;
pub mod family;
pub mod fit;
pub mod formula;
pub mod math;
pub mod mcmc;
pub mod objective;
pub mod optim;
pub mod psis;
pub mod quadrature;
pub mod refresh;
pub mod registry;
pub mod run;
pub mod sandwich;
pub mod settings;
pub mod slice;
pub mod target;

pub use error::EngineError;

/// A name no registry entry can have: entries are named in `[a-z0-9-]+` (a test checks every
/// registry), so tests of "unknown name" use this and never break when an entry is added.
pub const NEVER_A_NAME: &str = "_never";
pub use math::{Mat2, Vec2};
