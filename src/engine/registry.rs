//! What every registry has: entries that describe themselves (a name for links, flags and JSON, a
//! label for menus, an explanation for the page), looked up by name with an error that lists the
//! names known. Each axis (targets, families, objectives) is a `static` slice of `&'static` entries
//! written by [`registry!`]: adding an entry is its file, its `pub mod` line and its name there.

use super::error::EngineError;

/// What the page says about an entry: a title, two or three plain sentences, and a formula as
/// presentation MathML (which browsers render natively).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Explanation {
    pub title: &'static str,
    pub text: &'static str,
    pub formula: &'static str,
}

/// An entry of a registry, known by its name.
pub trait Named: 'static {
    fn name(&self) -> &'static str;
}

/// The entry named `name`, or an error naming `what` was asked for and every name known.
pub fn find<T: Named>(all: &'static [&'static T], what: &'static str, name: &str) -> Result<&'static T, EngineError> {
    all.iter().copied().find(|e| e.name() == name).ok_or_else(|| EngineError::Unknown {
        what,
        name: name.to_string(),
        known: all.iter().map(|e| e.name()).collect(),
    })
}

/// `registry!(TargetInfo, TARGETS: banana, bimodal)` declares `pub static TARGETS: &[&TargetInfo]`
/// of the modules' `INFO`s, in that (menu) order. The modules themselves are declared beside it with
/// plain `pub mod banana;` lines: rustfmt and cargo-mutants do not follow modules a macro declares.
#[macro_export]
#[doc(hidden)]
macro_rules! registry {
    ($ty:ty, $all:ident: $($m:ident),+ $(,)?) => {
        /// Every entry, in menu order.
        pub static $all: &[&$ty] = &[$(&$m::INFO),+];
    };
}
pub use registry;
