//! Variational families q_φ: a base ε ~ N(0, I₂) pushed through an invertible map z = T_φ(ε).
//!
//! Every family is a flow (NumPyro's autoguides, Distrax's bijectors): the Gaussians are one affine
//! layer, the normalizing flow stacks coupling layers on top. Densities follow from the change of
//! variables, ln q(z) = ln N(ε) − ln|det ∂T/∂ε|, so a family supplies the map both ways and the
//! vector–Jacobian products the objectives need. Adding a family is one file (its `INFO`) plus one
//! word in [`FAMILIES`].

mod affine;
pub mod flow;
mod gaussian;

pub use affine::Affine;
pub use flow::Flow;
pub use gaussian::{Gaussian, Structure};

use super::cubature::{expect_base_within, moment_tolerances};
use super::error::EngineError;
use super::math::{std_normal_log_pdf, Mat2, Vec2};
use super::objective::Needs;
use super::registry::{self, Explanation, Named};
use super::settings::{Options, Setting};

/// A variational family with its current parameters φ.
pub trait Family: Send {
    /// The registry name, e.g. `mean-field`.
    fn name(&self) -> &'static str;

    /// φ, flat.
    fn params(&self) -> &[f64];

    /// Sets φ (as many values as [`Family::params`] has), and whatever is derived from it.
    fn set_params(&mut self, phi: &[f64]);

    /// z = T_φ(ε) and ln|det ∂T_φ/∂ε|.
    fn forward(&self, eps: Vec2) -> (Vec2, f64);

    /// ε = T_φ⁻¹(z) and ln|det ∂T_φ/∂ε| at that ε; closed form, so q can be evaluated anywhere.
    fn inverse(&self, z: Vec2) -> (Vec2, f64);

    /// Adds to `grad` the gradient in φ, at fixed ε, of  g_z·T_φ(ε) + g_ld·ln|det ∂T_φ/∂ε| :
    /// the vector–Jacobian product behind every reparameterisation gradient.
    fn backprop_forward(&self, eps: Vec2, g_z: Vec2, g_ld: f64, grad: &mut [f64]);

    /// Adds `weight`·∇_φ ln q_φ(z), at fixed z, to `grad`: the score, used by the score-function
    /// estimator and by forward KL.
    fn score_params(&self, z: Vec2, weight: f64, grad: &mut [f64]);

    /// ∇_z ln q_φ(z), used by sticking-the-landing.
    fn score_z(&self, z: Vec2) -> Vec2;

    /// Where μ of the last layer z = μ + Lv sits in φ: adding δ there moves q by δ (the student
    /// dragging q's mean).
    fn location_index(&self) -> usize {
        0
    }

    /// For a Gaussian q: its mean and Cholesky factor L (Σ = LLᵀ). `None` for other families.
    fn gaussian(&self) -> Option<(Vec2, Mat2)> {
        None
    }

    /// For a Gaussian q: which covariances it can express. `None` for other families.
    fn structure(&self) -> Option<Structure> {
        None
    }

    fn box_clone(&self) -> Box<dyn Family>;

    /// What q is made of, in a sentence for the student.
    fn describe(&self) -> String;

    /// z ~ q from ε, with ln q(z).
    fn sample(&self, eps: Vec2) -> (Vec2, f64) {
        let (z, log_det) = self.forward(eps);
        (z, std_normal_log_pdf(eps) - log_det)
    }

    /// ln q_φ(z).
    fn log_q(&self, z: Vec2) -> f64 {
        let (eps, log_det) = self.inverse(z);
        std_normal_log_pdf(eps) - log_det
    }

    /// Mean and covariance of q: exact for a Gaussian; otherwise E[T(ε)] and E[T(ε)T(ε)ᵀ] by
    /// adaptive cubature in the base space ([`crate::engine::cubature`]). Gauss–Hermite, used
    /// before, is exact only for T polynomial of low degree: a forward-KL flow on `bimodal` got a
    /// mean of 0.023 where a fine grid gives 0.088.
    fn moments(&self) -> (Vec2, Mat2) {
        self.moments_within(crate::engine::cubature::MAX_CELLS)
    }

    /// [`Family::moments`] with the cubature held to `max_cells` cells (the page's budget).
    fn moments_within(&self, max_cells: usize) -> (Vec2, Mat2) {
        if let Some((mean, l)) = self.gaussian() {
            return (mean, l * l.transpose());
        }
        // Moments about T(0), so the covariance is not the small difference of two large raw
        // moments; each held to 1e-7 of its own scale (mass, sd, second moment).
        let centre = self.forward(Vec2::zeros()).0;
        let e = expect_base_within(max_cells, moment_tolerances(1e-7), |eps| {
            let d = self.forward(eps).0 - centre;
            [1.0, d[0], d[1], d[0] * d[0], d[0] * d[1], d[1] * d[1]]
        });
        let [w, mx, my, xx, xy, yy] = e.value;
        let d = Vec2::new(mx / w, my / w);
        (centre + d, Mat2::new(xx / w, xy / w, xy / w, yy / w) - d * d.transpose())
    }
}

impl Clone for Box<dyn Family> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// A registry entry: how to name, describe and build a family.
pub struct FamilyInfo {
    pub name: &'static str,
    pub label: &'static str,
    /// A learning rate that fits every target well (measured with `vi-fit`).
    pub default_lr: f64,
    /// What the family offers the objectives' gradients (see [`Needs`]).
    pub offers: Needs,
    /// Its own settings (the flow's depth and width), rows of the settings table.
    pub options: &'static [Setting],
    pub explain: Explanation,
    /// Builds the family at its initialisation from its options. `seed` drives any random initial
    /// weights.
    pub build: fn(&Options, u64) -> Result<Box<dyn Family>, EngineError>,
}

impl Named for FamilyInfo {
    fn name(&self) -> &'static str {
        self.name
    }
}

pub static MEAN_FIELD: FamilyInfo = FamilyInfo {
    name: "mean-field",
    label: "Mean-field Gaussian",
    default_lr: 0.05,
    offers: Needs::Reparam,
    options: &[],
    explain: Explanation {
        title: "Mean-field Gaussian",
        text: "Each coordinate gets its own mean and sd, and q treats them as independent. \
               On a Gaussian target, reverse KL then matches the diagonal of the precision Λ = Σ⁻¹ (here 1 − ρ², far below the true variance 1): mean-field is overconfident. Forward KL matches the true marginals instead.",
        formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>σ</mi><mo>⊙</mo><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>ε</mi><mo>∼</mo><mi mathvariant="script">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo><mo>,</mo><mspace width="1em"/><msubsup><mi>σ</mi><mi>i</mi><mn>2</mn></msubsup><mo>=</mo><mfrac><mn>1</mn><msub><mi>Λ</mi><mi>ii</mi></msub></mfrac><mspace width="0.5em"/><mtext>(reverse KL, Gaussian p)</mtext></math>"#,
    },
    build: |_, _| Ok(Box::new(Gaussian::standard(Structure::MeanField))),
};

pub static FULL_RANK: FamilyInfo = FamilyInfo {
    name: "full-rank",
    label: "Full-rank Gaussian",
    default_lr: 0.05,
    offers: Needs::Reparam,
    options: &[],
    explain: Explanation {
        title: "Full-rank Gaussian",
        text: "A mean and a lower-triangular factor L of the covariance LLᵀ: every 2-D Gaussian, tilted ellipses included. \
               It fits a correlated Gaussian exactly, but it is still one ellipse, so curves and second modes stay out of reach.",
        formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>L</mi><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>q</mi><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>μ</mi><mo>,</mo><mi>L</mi><msup><mi>L</mi><mo>⊤</mo></msup><mo>)</mo></math>"#,
    },
    build: |_, _| Ok(Box::new(Gaussian::standard(Structure::FullRank))),
};

/// Every family the playground offers, in menu order.
pub static FAMILIES: &[&FamilyInfo] = &[&MEAN_FIELD, &FULL_RANK, &flow::INFO];

/// Looks a family up by name.
pub fn find(name: &str) -> Result<&'static FamilyInfo, EngineError> {
    registry::find(FAMILIES, "family", name)
}
