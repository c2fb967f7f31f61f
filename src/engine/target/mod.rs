//! Target posteriors: unnormalised 2-D log densities with analytic gradients.
//!
//! Adding a target is one file here (the density and its `INFO`), its `pub mod` line and its name
//! in `registry!` (CONTRIBUTING.md).

pub use banana::Banana;
pub use bimodal::Bimodal;
pub use correlated::Correlated;
pub use funnel::Funnel;

use super::error::EngineError;
use super::math::{Mat2, Vec2};
use super::registry::{self, Explanation, Named};
use super::settings::{Options, Setting};

/// An axis-aligned rectangle [x0, x1] × [y0, y1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Box2 {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// What is known in closed form about a target (science.md's table); `None` where only
/// quadrature knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exact {
    pub log_z: Option<f64>,
    pub mean: Option<Vec2>,
    pub cov: Option<Mat2>,
}

/// An unnormalised target density p̃ on ℝ².
pub trait Target: Send + Sync {
    /// ln p̃(z) and ∇_z ln p̃(z). The one method a target must get right.
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2);

    /// ln p̃(z) alone (override when it is much cheaper than the gradient).
    fn log_density(&self, z: Vec2) -> f64 {
        self.log_density_and_grad(z).0
    }

    /// A box outside which p has a negligible mass (≲ 1e-10): the integrals over p are taken over
    /// it (unless the target has its own chart), so what lies outside is an error no estimate sees.
    fn mass_box(&self) -> Box2;

    /// Where p's integrals are taken (ln Z, p's moments, KL(p‖q)): a box of chart coordinates u,
    /// mapped onto the plane by [`Target::from_chart`]. The mass box by default; a target whose
    /// mass no box fits well (the funnel's neck and mouth) maps a space where it is smooth.
    fn chart_box(&self) -> Box2 {
        self.mass_box()
    }

    /// z = T(u) and ln|det ∂T/∂u| at chart coordinates u: the identity by default.
    fn from_chart(&self, u: Vec2) -> (Vec2, f64) {
        (u, 0.0)
    }

    /// The box a plot shows by default: where the eye should look.
    fn view_box(&self) -> Box2 {
        self.mass_box()
    }

    /// Closed-form log Z and moments, where known.
    fn exact(&self) -> Exact;

    /// What the two coordinates are called on the plots: x and y unless the target says
    /// otherwise (the funnel's v, the logistic regression's α and β).
    fn axis_names(&self) -> [&'static str; 2] {
        ["x", "y"]
    }
}

/// A registry entry: how to name, describe and build a target.
pub struct TargetInfo {
    pub name: &'static str,
    pub label: &'static str,
    /// Its parameters, rows of the settings table (link key and flag `--key`, range, default).
    pub inputs: &'static [Setting],
    pub explain: Explanation,
    /// Builds the target from inputs each already checked against its row; a target whose
    /// inputs need more (a formula that must parse) refuses here, in words.
    pub build: fn(&Options) -> Result<Box<dyn Target>, EngineError>,
}

impl Named for TargetInfo {
    fn name(&self) -> &'static str {
        self.name
    }
}

impl TargetInfo {
    /// Builds the target, checking each input against its row.
    pub fn build(&self, inputs: &Options) -> Result<Box<dyn Target>, EngineError> {
        for row in self.inputs {
            row.check(inputs.get(row))?;
        }
        (self.build)(inputs)
    }

    /// The inputs the tests and `vi-mcmc --check-defaults` sweep: each number input across its
    /// range ([`Setting::sweep`], the others at their defaults), labelled `key=value`; the
    /// defaults alone, labelled "", for a target without number inputs.
    pub fn sweep(&self) -> Vec<(String, Options)> {
        let mut out = Vec::new();
        for row in self.inputs {
            for x in row.sweep() {
                let mut o = Options::default();
                o.set(row, crate::engine::settings::Value::Number(x));
                out.push((format!("{}={x}", row.key), o));
            }
        }
        if out.is_empty() {
            out.push((String::new(), Options::default()));
        }
        out
    }

    /// The target at its default inputs (which every target accepts: `tests/structure.rs`).
    pub fn build_default(&self) -> Box<dyn Target> {
        (self.build)(&Options::default()).expect("a target's defaults build")
    }
}

pub mod banana;
pub mod bimodal;
pub mod correlated;
pub mod donut;
pub mod formula;
pub mod funnel;
pub mod logistic;
mod rezende;
pub mod ring;
pub mod squiggle;
pub mod u1;
pub mod u2;
pub mod u3;
pub mod u4;

crate::registry!(TargetInfo, TARGETS: banana, bimodal, correlated, donut, funnel, squiggle, ring, u1, u2, u3, u4, logistic, formula);

/// Looks a target up by name.
pub fn find(name: &str) -> Result<&'static TargetInfo, EngineError> {
    registry::find(TARGETS, "target", name)
}
