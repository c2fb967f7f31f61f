//! A mixture of K Gaussians (science.md, "Variational families"):
//!
//!   q(z) = Σₖ πₖ N(z; μₖ, LₖLₖᵀ),  π = softmax(a),  zₖ(ε) = μₖ + Lₖε,
//!
//! each component the affine map of [`Affine`] (full-rank: φₖ = (μₖ, ln Lₖ₀₀, Lₖ₁₀, ln Lₖ₁₁);
//! diagonal: φₖ = (μₖ, ln σₖ)), then the K logits a. Not a bijection of N(0, I): the objectives
//! draw it stratum by stratum (S draws per component, the weights differentiated exactly; Roeder
//! et al. 2017 §5). Its derivatives, with the responsibilities rₖ(z) = πₖNₖ(z)/q(z):
//! - ∇_φₖ ln q = rₖ ∇_φₖ ln Nₖ (the affine score), ∂ln q/∂aⱼ = rⱼ − πⱼ;
//! - ∇_z ln q = Σₖ rₖ ∇_z ln Nₖ;
//! - ∂ln πₖ/∂aⱼ = [j = k] − πⱼ.
//!
//! Components start apart, on a circle of radius 1.5 at a seeded angle (identical starts would stay
//! identical under any symmetric gradient); K = 1 starts at N(0, I) and is the full-rank Gaussian.

use super::affine::{Affine, AffineGrad};
use super::{Draw, Family, FamilyInfo, Needs};
use crate::engine::error::EngineError;
use crate::engine::math::{cos, exp, ln, log_sum_exp, rng_from_seed, sin, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};
use rand::Rng as _;

/// Most components.
pub const MAX_COMPONENTS: usize = 10;
/// Where the components start: on a circle this wide, each N(μₖ, START_SD² I).
const START_RADIUS: f64 = 1.5;
const START_SD: f64 = 1.0;

pub const COMPONENTS: Setting = Setting {
    key: "components",
    url: "k",
    label: "Components K",
    help: "mixture: how many Gaussians",
    kind: Kind::Whole { min: 1, max: MAX_COMPONENTS as u64, default: 2 },
    aliases: &[],
};

pub const COVARIANCE: Setting = Setting {
    key: "covariance",
    url: "cov",
    label: "Each component",
    help: "mixture: full-rank or diagonal components",
    kind: Kind::Choice(&[("full", "Full-rank"), ("diagonal", "Diagonal (mean-field)")]),
    aliases: &[],
};

pub static INFO: FamilyInfo = FamilyInfo {
    name: "mixture",
    label: "Mixture of Gaussians",
    default_lr: 0.05,
    offers: Needs::Reparam,
    options: &[COMPONENTS, COVARIANCE],
    explain: Explanation {
        title: "A mixture of Gaussians",
        text: "K Gaussians, each with its own mean, covariance and weight. Unlike one Gaussian or a flow it can put mass on several separate modes, with nothing between them. \
               Reverse KL still decides which modes get a component: try the ring with K from 1 up to its number of modes, and the bimodal target with K = 2.",
        formula: r#"<math display="block"><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><msub><mi>π</mi><mi>k</mi></msub><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><msub><mi>μ</mi><mi>k</mi></msub><mo>,</mo><msub><mi>L</mi><mi>k</mi></msub><msubsup><mi>L</mi><mi>k</mi><mo>⊤</mo></msubsup><mo>)</mo><mo>,</mo><mspace width="0.5em"/><mi>π</mi><mo>=</mo><mi>softmax</mi><mo>(</mo><mi>a</mi><mo>)</mo></math>"#,
    },
    build: |o, seed| {
        let k = o.number(&COMPONENTS) as usize;
        Ok(Box::new(Mixture::new(k, o.name(&COVARIANCE) == "diagonal", seed)?))
    },
};

#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    k: usize,
    diagonal: bool,
    phi: Vec<f64>,
    comps: Vec<Affine>,
    /// ln πₖ.
    ln_pi: Vec<f64>,
    /// πₖ.
    pi: Vec<f64>,
    /// ln πₖ − ln 2π − ln|det Lₖ|: the constant part of ln πₖNₖ(z), kept so that the hot loop
    /// takes no logarithm.
    log_norm: Vec<f64>,
}

impl Mixture {
    /// K components started apart at a seeded angle.
    pub fn new(k: usize, diagonal: bool, seed: u64) -> Result<Self, EngineError> {
        if !(1..=MAX_COMPONENTS).contains(&k) {
            return Err(EngineError::OutOfRange {
                name: "components",
                value: k as f64,
                min: 1.0,
                max: MAX_COMPONENTS as f64,
            });
        }
        let per = if diagonal { 4 } else { 5 };
        let mut phi = vec![0.0; k * per + k];
        let turn = rng_from_seed(seed ^ 0x3141_5926).random::<f64>() * 2.0 * std::f64::consts::PI;
        for j in 0..k {
            let r = if k == 1 { 0.0 } else { START_RADIUS };
            let t = turn + 2.0 * std::f64::consts::PI * j as f64 / k as f64;
            phi[j * per] = r * cos(t);
            phi[j * per + 1] = r * sin(t);
            phi[j * per + 2] = ln(START_SD);
            phi[j * per + per - 1] = ln(START_SD);
        }
        let mut m = Mixture {
            k,
            diagonal,
            phi: Vec::new(),
            comps: Vec::new(),
            ln_pi: Vec::new(),
            pi: Vec::new(),
            log_norm: Vec::new(),
        };
        m.set_params(&phi);
        Ok(m)
    }

    fn per(&self) -> usize {
        if self.diagonal {
            4
        } else {
            5
        }
    }

    /// ln πₖ + ln Nₖ(z) for every k (the first K entries).
    fn joints(&self, z: Vec2) -> [f64; MAX_COMPONENTS] {
        let mut t = [f64::NEG_INFINITY; MAX_COMPONENTS];
        for (j, (a, c)) in self.comps.iter().zip(&self.log_norm).enumerate() {
            t[j] = c - 0.5 * a.inverse(z).norm_squared();
        }
        t
    }

    /// Responsibilities rₖ(z) and ln q(z), with one exponential per component.
    fn responsibilities(&self, z: Vec2) -> ([f64; MAX_COMPONENTS], f64) {
        let mut t = self.joints(z);
        let top = t[..self.k].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !top.is_finite() {
            // Far from every component (or a non-finite z): the log-sum-exp's answer, no shares.
            return ([0.0; MAX_COMPONENTS], log_sum_exp(&t[..self.k]));
        }
        let mut sum = 0.0;
        for v in t.iter_mut().take(self.k) {
            *v = exp(*v - top);
            sum += *v;
        }
        for v in t.iter_mut().take(self.k) {
            *v /= sum;
        }
        (t, top + ln(sum))
    }

    /// Adds `weight`·∇_φ ln q(z) at fixed z to `grad` and returns ∇_z ln q(z), given the
    /// responsibilities `r` at z: one pass over the components (ln q = LSE of ln πₖNₖ, so both are
    /// the responsibilities' averages of the components' own, and ∂ ln q/∂aₖ = rₖ − πₖ for the
    /// logits).
    fn add_scores(&self, z: Vec2, r: &[f64; MAX_COMPONENTS], weight: f64, grad: &mut [f64]) -> Vec2 {
        let logits = self.k * self.per();
        let mut score_z = Vec2::zeros();
        for j in 0..self.k {
            let (g, sz) = self.comps[j].score(z);
            score_z += r[j] * sz;
            self.add_affine(j, g, weight * r[j], grad);
            grad[logits + j] += weight * (r[j] - self.pi[j]);
        }
        score_z
    }

    /// [`Family::backprop_draw`] of the draw z = Tₖ(ε) with the responsibilities `r` at z given:
    /// d ln q(z(φ), φ)/dφ = ∂ ln q/∂φ at fixed z + ∇_z ln q · ∂z/∂φ, both from one pass.
    #[allow(clippy::too_many_arguments)]
    fn backprop_at(
        &self,
        k: usize,
        eps: Vec2,
        z: Vec2,
        r: &[f64; MAX_COMPONENTS],
        g_z: Vec2,
        g_log_q: f64,
        grad: &mut [f64],
    ) {
        let score_z = if g_log_q != 0.0 { self.add_scores(z, r, g_log_q, grad) } else { Vec2::zeros() };
        let g = self.comps[k].backprop(eps, g_z + g_log_q * score_z, 0.0);
        self.add_affine(k, g, 1.0, grad);
    }

    /// Adds `w`·g (a gradient in component j's μ, L) to `grad`, in φ's coordinates.
    fn add_affine(&self, j: usize, g: AffineGrad, w: f64, grad: &mut [f64]) {
        let (a, o) = (&self.comps[j], j * self.per());
        grad[o] += w * g.mu[0];
        grad[o + 1] += w * g.mu[1];
        grad[o + 2] += w * g.l00 * a.l00;
        if self.diagonal {
            grad[o + 3] += w * g.l11 * a.l11;
        } else {
            grad[o + 3] += w * g.l10;
            grad[o + 4] += w * g.l11 * a.l11;
        }
    }
}

impl Family for Mixture {
    fn name(&self) -> &'static str {
        "mixture"
    }

    fn params(&self) -> &[f64] {
        &self.phi
    }

    /// Called every step: the buffers are refilled, not reallocated.
    fn set_params(&mut self, phi: &[f64]) {
        let (per, diagonal) = (self.per(), self.diagonal);
        self.phi.clear();
        self.phi.extend_from_slice(phi);
        self.comps.clear();
        self.comps.extend(phi.chunks_exact(per).take(self.k).map(|p| {
            let l10 = if diagonal { 0.0 } else { p[3] };
            Affine { mu: Vec2::new(p[0], p[1]), l00: exp(p[2]), l10, l11: exp(p[per - 1]) }
        }));
        let logits = &phi[self.k * per..];
        let lse = log_sum_exp(logits);
        self.ln_pi.clear();
        self.ln_pi.extend(logits.iter().map(|a| a - lse));
        self.pi.clear();
        self.pi.extend(self.ln_pi.iter().map(|&l| exp(l)));
        // ln|det Lₖ| = ln L₀₀ + ln L₁₁: the log-scale parameters themselves.
        self.log_norm.clear();
        self.log_norm.extend(phi.chunks_exact(per).zip(&self.ln_pi).map(|(p, lp)| lp - LN_2PI - p[2] - p[per - 1]));
    }

    fn log_q(&self, z: Vec2) -> f64 {
        log_sum_exp(&self.joints(z)[..self.k])
    }

    fn score_params(&self, z: Vec2, weight: f64, grad: &mut [f64]) {
        let (r, _) = self.responsibilities(z);
        self.add_scores(z, &r, weight, grad);
    }

    fn score_z(&self, z: Vec2) -> Vec2 {
        let (r, _) = self.responsibilities(z);
        (0..self.k).fold(Vec2::zeros(), |acc, j| acc + r[j] * self.comps[j].score_z(z))
    }

    fn strata(&self) -> usize {
        self.k
    }

    fn locations(&self) -> Vec<usize> {
        (0..self.k).map(|j| j * self.per()).collect()
    }

    fn components(&self) -> Option<Vec<(Vec2, Mat2, f64)>> {
        Some(self.comps.iter().zip(&self.pi).map(|(a, &p)| (a.mu, a.l(), p)).collect())
    }

    fn ln_weight(&self, k: usize) -> f64 {
        self.ln_pi[k]
    }

    fn backprop_ln_weight(&self, k: usize, g: f64, grad: &mut [f64]) {
        let logits = self.k * self.per();
        for j in 0..self.k {
            grad[logits + j] -= g * self.pi[j];
        }
        grad[logits + k] += g;
    }

    fn draw(&self, k: usize, eps: Vec2) -> Draw {
        let z = self.comps[k].forward(eps);
        Draw { z, log_q: self.log_q(z) }
    }

    fn backprop_draw(&self, k: usize, eps: Vec2, g_z: Vec2, g_log_q: f64, grad: &mut [f64]) {
        let z = self.comps[k].forward(eps);
        let r = if g_log_q != 0.0 { self.responsibilities(z).0 } else { [0.0; MAX_COMPONENTS] };
        self.backprop_at(k, eps, z, &r, g_z, g_log_q, grad);
    }

    /// One pass over the components: their responsibilities give ln q for the draw and, with
    /// their scores, the gradient (see [`Mixture::add_scores`]).
    fn draw_and_backprop(
        &self,
        k: usize,
        eps: Vec2,
        grad: &mut [f64],
        loss: &mut dyn FnMut(Draw) -> (Vec2, f64),
    ) -> Draw {
        let z = self.comps[k].forward(eps);
        let (r, log_q) = self.responsibilities(z);
        let d = Draw { z, log_q };
        let (g_z, g_log_q) = loss(d);
        self.backprop_at(k, eps, z, &r, g_z, g_log_q, grad);
        d
    }

    fn box_clone(&self) -> Box<dyn Family> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        let kind = if self.diagonal { "diagonal" } else { "full-rank" };
        format!(
            "{} {kind} Gaussian{}, each with a weight (softmax of {} logits): {} parameters",
            self.k,
            if self.k == 1 { "" } else { "s" },
            self.k,
            self.phi.len()
        )
    }
}
