//! Target posteriors: unnormalised 2-D log densities with analytic gradients.
//!
//! Adding a target is one file here plus one line in [`TARGETS`].

mod banana;
mod bimodal;
mod correlated;
mod funnel;

pub use banana::Banana;
pub use bimodal::Bimodal;
pub use correlated::Correlated;
pub use funnel::Funnel;

use super::error::{check_range, EngineError};
use super::math::{Mat2, Vec2};

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
}

/// The one tunable parameter of a target (ρ, b, w): its range and default, for sliders and the URL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// Key used on the command line and in the URL, e.g. `rho`.
    pub key: &'static str,
    /// How the maths writes it, e.g. `ρ`.
    pub symbol: &'static str,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    pub step: f64,
}

/// A registry entry: how to name, describe and build a target.
pub struct TargetInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub param: Param,
    build: fn(f64) -> Box<dyn Target>,
}

impl TargetInfo {
    /// Builds the target, checking the parameter against its range.
    pub fn build(&self, value: f64) -> Result<Box<dyn Target>, EngineError> {
        let v = check_range(self.param.key, value, self.param.min, self.param.max)?;
        Ok((self.build)(v))
    }
}

/// Every target the playground offers, in menu order.
pub static TARGETS: &[TargetInfo] = &[
    TargetInfo { name: "banana", label: "Banana", param: banana::PARAM, build: |b| Box::new(Banana::new(b)) },
    TargetInfo { name: "bimodal", label: "Bimodal", param: bimodal::PARAM, build: |w| Box::new(Bimodal::new(w)) },
    TargetInfo {
        name: "correlated",
        label: "Correlated Gaussian",
        param: correlated::PARAM,
        build: |rho| Box::new(Correlated::new(rho)),
    },
];

/// Looks a target up by name.
pub fn find(name: &str) -> Result<&'static TargetInfo, EngineError> {
    TARGETS.iter().find(|t| t.name == name).ok_or_else(|| EngineError::Unknown {
        what: "target",
        name: name.to_string(),
        known: TARGETS.iter().map(|t| t.name).collect(),
    })
}
