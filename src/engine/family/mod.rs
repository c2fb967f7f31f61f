//! Variational families q_φ, by capability: what every family has ([`Family`]: draws with ln q,
//! ln q anywhere, the score, moments by cubature) apart from what a bijection of N(0, I₂) adds
//! ([`Bijection`]: the map z = T_φ(ε) both ways).
//!
//! The families so far are bijections (NumPyro's autoguides, Distrax's bijectors): the Gaussians are
//! one affine layer, the normalizing flow stacks coupling layers on top. Densities follow from the
//! change of variables, ln q(z) = ln N(ε) − ln|det ∂T/∂ε|.
//!
//! Adding a family is its file (its `INFO`), its `pub mod` line and its name in [`FAMILIES`]'s
//! `registry!` (CONTRIBUTING.md).

mod affine;
mod gaussian;

pub use affine::Affine;
pub use flow::Flow;
pub use gaussian::{Gaussian, Structure};

use rand::Rng as _;

use super::cubature::{expect_base_sliced, moment_tolerances, Integral};
use super::error::EngineError;
use super::math::{exp, std_normal2, Mat2, Rng, Vec2};
use super::registry::{self, Explanation, Named};
use super::settings::{Options, Setting};
use super::slice::{block_on, Budget};

/// A variational family with its current parameters φ: what every family has.
///
/// q is a weighted sum of K strata, q = Σₖ πₖ (Tₖ)#N(0, I): one stratum with π = 1 for a bijection
/// of N(0, I) (the Gaussians, the flow), K for a mixture. An objective samples and differentiates
/// through [`Family::draw`] and [`Family::backprop_draw`] stratum by stratum (Roeder, Wu & Duvenaud
/// 2017, §5, for mixtures), so a family that is not one bijection fits without touching the
/// objectives. What a bijection adds (the map both ways) is [`Bijection`].
pub trait Family: Send {
    /// The registry name, e.g. `mean-field`.
    fn name(&self) -> &'static str;

    /// φ, flat.
    fn params(&self) -> &[f64];

    /// Sets φ (as many values as [`Family::params`] has), and whatever is derived from it.
    fn set_params(&mut self, phi: &[f64]);

    /// ln q_φ(z), anywhere.
    fn log_q(&self, z: Vec2) -> f64;

    /// Adds `weight`·∇_φ ln q_φ(z), at fixed z, to `grad`: the score, used by the score-function
    /// estimator and by forward KL.
    fn score_params(&self, z: Vec2, weight: f64, grad: &mut [f64]);

    /// ∇_z ln q_φ(z), used by sticking-the-landing.
    fn score_z(&self, z: Vec2) -> Vec2;

    /// How many strata q has (1 unless it is a mixture).
    fn strata(&self) -> usize {
        1
    }

    /// ln πₖ, stratum k's weight.
    fn ln_weight(&self, _k: usize) -> f64 {
        0.0
    }

    /// Adds `g`·∇_φ ln πₖ to `grad` (nothing for one stratum: its weight is 1).
    fn backprop_ln_weight(&self, _k: usize, _g: f64, _grad: &mut [f64]) {}

    /// A draw of stratum k from base noise ε: z = Tₖ(ε) and ln q(z) (q's, not the stratum's).
    fn draw(&self, k: usize, eps: Vec2) -> Draw;

    /// Adds to `grad` the gradient in φ, at fixed ε, of  g_z·Tₖ(ε) + g_log_q·ln q(Tₖ(ε))  (the total
    /// derivative: through z and through q's parameters): the vector–Jacobian product behind every
    /// reparameterisation gradient.
    fn backprop_draw(&self, k: usize, eps: Vec2, g_z: Vec2, g_log_q: f64, grad: &mut [f64]);

    /// [`Family::draw`], then [`Family::backprop_draw`] with the (g_z, g_log_q) that `loss` gives
    /// for the draw: the same numbers, for a family that can share work between the two (a
    /// mixture's components are evaluated once instead of twice). Returns the draw.
    fn draw_and_backprop(
        &self,
        k: usize,
        eps: Vec2,
        grad: &mut [f64],
        loss: &mut dyn FnMut(Draw) -> (Vec2, f64),
    ) -> Draw {
        let d = self.draw(k, eps);
        let (g_z, g_log_q) = loss(d);
        self.backprop_draw(k, eps, g_z, g_log_q, grad);
        d
    }

    /// The map both ways, for a family that is one bijection of N(0, I).
    fn bijection(&self) -> Option<&dyn Bijection> {
        None
    }

    /// Where each stratum's location sits in φ (μ of the last layer z = μ + Lv; a mixture's
    /// component means, in stratum order): adding δ at all of them moves q by δ, at one of them
    /// moves that stratum (the student dragging q's mean, or one component's centre).
    fn locations(&self) -> Vec<usize> {
        vec![0]
    }

    /// For a Gaussian q: its mean and Cholesky factor L (Σ = LLᵀ). `None` for other families.
    fn gaussian(&self) -> Option<(Vec2, Mat2)> {
        None
    }

    /// For a mixture: each component's mean, Cholesky factor and weight. `None` for other
    /// families.
    fn components(&self) -> Option<Vec<(Vec2, Mat2, f64)>> {
        None
    }

    /// For a Gaussian q: which covariances it can express. `None` for other families.
    fn structure(&self) -> Option<Structure> {
        None
    }

    fn box_clone(&self) -> Box<dyn Family>;

    /// What q is made of, in a sentence for the student.
    fn describe(&self) -> String;

    /// Mean and covariance of q: exact for a Gaussian; otherwise E[z] and E[zzᵀ] by adaptive
    /// cubature in the base space over every stratum ([`expect`]). Gauss–Hermite, used before, is
    /// exact only for T polynomial of low degree: a forward-KL flow on `bimodal` got a mean of 0.023
    /// where a fine grid gives 0.088.
    fn moments(&self) -> (Vec2, Mat2) {
        self.moments_within(crate::engine::cubature::MAX_CELLS)
    }

    /// [`Family::moments`] with the cubature held to `max_cells` cells (the page's budget).
    fn moments_within(&self, max_cells: usize) -> (Vec2, Mat2) {
        block_on(moments_sliced(self, max_cells, &Budget::never()))
    }
}

/// [`Family::moments_within`] in slices (see [`crate::engine::slice`]).
pub async fn moments_sliced(q: &(impl Family + ?Sized), max_cells: usize, budget: &Budget) -> (Vec2, Mat2) {
    if let Some((mean, l)) = q.gaussian() {
        return (mean, l * l.transpose());
    }
    // Moments about the first stratum's T(0), so the covariance is not the small difference of
    // two large raw moments; each held to 1e-7 of its own scale (mass, sd, second moment).
    let centre = q.draw(0, Vec2::zeros()).z;
    let e = expect_sliced(
        q,
        max_cells,
        moment_tolerances(1e-7),
        |d| {
            let d = d.z - centre;
            [1.0, d[0], d[1], d[0] * d[0], d[0] * d[1], d[1] * d[1]]
        },
        budget,
    )
    .await;
    let [w, mx, my, xx, xy, yy] = e.value;
    let d = Vec2::new(mx / w, my / w);
    (centre + d, Mat2::new(xx / w, xy / w, xy / w, yy / w) - d * d.transpose())
}

/// A draw of q: the point and ln q there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draw {
    pub z: Vec2,
    pub log_q: f64,
}

/// What a family that is one bijection z = T_φ(ε) of N(0, I) adds: the map both ways and its
/// vector–Jacobian product. ln q(z) = ln N(ε) − ln|det ∂T/∂ε| follows from the change of variables.
pub trait Bijection {
    /// z = T_φ(ε) and ln|det ∂T_φ/∂ε|.
    fn forward(&self, eps: Vec2) -> (Vec2, f64);

    /// ε = T_φ⁻¹(z) and ln|det ∂T_φ/∂ε| at that ε; closed form, so q can be evaluated anywhere.
    fn inverse(&self, z: Vec2) -> (Vec2, f64);

    /// Adds to `grad` the gradient in φ, at fixed ε, of  g_z·T_φ(ε) + g_ld·ln|det ∂T_φ/∂ε|.
    fn backprop_forward(&self, eps: Vec2, g_z: Vec2, g_ld: f64, grad: &mut [f64]);
}

/// The [`Family`] methods of a bijection, written once: `bijective_family!();` inside
/// `impl Family for X` where `X: Bijection`.
macro_rules! bijective_family {
    () => {
        fn log_q(&self, z: Vec2) -> f64 {
            let (eps, log_det) = $crate::engine::family::Bijection::inverse(self, z);
            $crate::engine::math::std_normal_log_pdf(eps) - log_det
        }

        fn draw(&self, _k: usize, eps: Vec2) -> $crate::engine::family::Draw {
            let (z, log_det) = $crate::engine::family::Bijection::forward(self, eps);
            $crate::engine::family::Draw { z, log_q: $crate::engine::math::std_normal_log_pdf(eps) - log_det }
        }

        /// ln q(T(ε)) = ln N(ε) − ln|det|, and ln N(ε) does not depend on φ.
        fn backprop_draw(&self, _k: usize, eps: Vec2, g_z: Vec2, g_log_q: f64, grad: &mut [f64]) {
            $crate::engine::family::Bijection::backprop_forward(self, eps, g_z, -g_log_q, grad)
        }

        fn bijection(&self) -> Option<&dyn $crate::engine::family::Bijection> {
            Some(self)
        }
    };
}
pub(crate) use bijective_family;

/// E_q[f] = Σₖ πₖ E_ε[f(drawₖ(ε))], by adaptive cubature in the base space, to `tol` (as
/// [`crate::engine::cubature::expect_base_within`]).
pub fn expect<const M: usize>(
    q: &(impl Family + ?Sized),
    max_cells: usize,
    tol: impl Fn(&[f64; M]) -> [f64; M],
    f: impl FnMut(Draw) -> [f64; M],
) -> Integral<M> {
    block_on(expect_sliced(q, max_cells, tol, f, &Budget::never()))
}

/// [`expect`] in slices (see [`crate::engine::slice`]).
pub async fn expect_sliced<const M: usize>(
    q: &(impl Family + ?Sized),
    max_cells: usize,
    tol: impl Fn(&[f64; M]) -> [f64; M],
    mut f: impl FnMut(Draw) -> [f64; M],
    budget: &Budget,
) -> Integral<M> {
    // One stratum, or the strata weighed: one integrand either way.
    let weights: Vec<f64> = (0..q.strata()).map(|k| exp(q.ln_weight(k))).collect();
    let mut sum = |eps| {
        if weights.len() == 1 {
            return f(q.draw(0, eps));
        }
        let mut sum = [0.0; M];
        for (k, w) in weights.iter().enumerate() {
            for (s, v) in sum.iter_mut().zip(f(q.draw(k, eps))) {
                *s += w * v;
            }
        }
        sum
    };
    expect_base_sliced(max_cells, &tol, &mut sum, budget).await
}

/// One draw of q: a stratum at random by its weight (none drawn for one stratum, so a bijection's
/// stream is one normal pair per draw), then its base noise.
pub fn sample(q: &dyn Family, rng: &mut Rng) -> Draw {
    let k = if q.strata() == 1 { 0 } else { pick_stratum(q, rng.random::<f64>()) };
    q.draw(k, std_normal2(rng))
}

/// The stratum of `q` whose share of the cumulative weights holds u ∈ [0, 1) (no allocation: a
/// mixture's score and SNIS gradients call this for every draw).
pub(crate) fn pick_stratum(q: &dyn Family, u: f64) -> usize {
    stratum_at((0..q.strata()).map(|k| exp(q.ln_weight(k))), u)
}

/// The index k with w₀ + … + wₖ₋₁ ≤ u < w₀ + … + wₖ; the last if rounding leaves the weights'
/// sum at or below u (they sum to 1 only up to rounding).
fn stratum_at(weights: impl IntoIterator<Item = f64>, u: f64) -> usize {
    let mut total = 0.0;
    let mut last = 0;
    for (k, w) in weights.into_iter().enumerate() {
        total += w;
        if u < total {
            return k;
        }
        last = k;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::stratum_at;

    #[test]
    fn a_uniform_falls_in_the_stratum_that_holds_it() {
        let w = [0.25, 0.5, 0.25];
        assert_eq!(stratum_at(w, 0.0), 0);
        assert_eq!(stratum_at(w, 0.2499), 0);
        assert_eq!(stratum_at(w, 0.25), 1, "a boundary starts the next stratum");
        assert_eq!(stratum_at(w, 0.7499), 1);
        assert_eq!(stratum_at(w, 0.75), 2);
        // Weights that sum to a hair under 1 (rounding): a u above the sum is the last stratum.
        assert_eq!(stratum_at([0.5, 0.5 - 1e-16], 1.0 - 1e-17), 1);
        assert_eq!(stratum_at([1.0], 0.5), 0);
    }
}

/// The points of q for fixed base noise (the sample cloud on the canvas): the i-th of n noises in
/// the stratum that holds (i + ½)/n of the weight, so each stratum gets its share.
pub fn cloud(q: &dyn Family, eps: &[Vec2]) -> Vec<Vec2> {
    let n = eps.len() as f64;
    eps.iter()
        .enumerate()
        .map(|(i, &e)| {
            let k = if q.strata() == 1 { 0 } else { pick_stratum(q, (i as f64 + 0.5) / n) };
            q.draw(k, e).z
        })
        .collect()
}

impl Clone for Box<dyn Family> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// What a gradient asks of the family, weakest first; a family offers one of these and every
/// weaker one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Needs {
    /// Draws z ~ q with ln q(z), ln q anywhere and its score ∇_φ ln q(z).
    Score,
    /// Draws z = Tₖ(ε) stratum by stratum, differentiable in φ at fixed ε (a vector–Jacobian
    /// product), for the reparameterisation gradients. Every family has these.
    Reparam,
    /// q one bijection of N(0, I), the map both ways (the defensive proposal widens its base).
    Bijection,
}

impl Needs {
    /// What lacking it means, for the sentence that refuses a combination.
    pub fn means(self) -> &'static str {
        match self {
            Needs::Score => "draws of q and its score",
            Needs::Reparam => "q to be a differentiable map of fixed noise, z = T_φ(ε)",
            Needs::Bijection => "q to be one invertible map of N(0, I), z = T_φ(ε)",
        }
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

pub mod flow;
pub mod full_rank;
pub mod mean_field;
pub mod mixture;

crate::registry!(FamilyInfo, FAMILIES: mean_field, full_rank, flow, mixture);

/// Looks a family up by name.
pub fn find(name: &str) -> Result<&'static FamilyInfo, EngineError> {
    registry::find(FAMILIES, "family", name)
}
