//! A family that is not a bijection of N(0, I), for tests only: two mean-field Gaussians with
//! weights π₁ = sigmoid(a), π₂ = 1 − π₁,
//!
//!   q(z) = Σₖ πₖ N(z; μₖ, diag σₖ²),  φ = (μ₁, ln σ₁, μ₂, ln σ₂, a)  (9 numbers).
//!
//! It implements only what every family has ([`Family`]), so that a test can show that an
//! objective fits a mixture without a line of the objectives changed (issue 15's "families by
//! capability"). Its derivatives, by hand:
//! - ∂ln q/∂μₖᵢ = rₖ (zᵢ − μₖᵢ)/σₖᵢ², ∂ln q/∂ln σₖᵢ = rₖ ((zᵢ − μₖᵢ)²/σₖᵢ² − 1), ∂ln q/∂a = r₁ − π₁,
//!   with rₖ = πₖ Nₖ(z)/q(z) the responsibilities;
//! - ∇_z ln q = −Σₖ rₖ (z − μₖ)/σₖ²;
//! - zₖ(ε) = μₖ + σₖ ⊙ ε, so ∂z/∂μₖᵢ = eᵢ and ∂z/∂ln σₖᵢ = σₖᵢ εᵢ eᵢ;
//! - ∂ln π₁/∂a = 1 − π₁, ∂ln π₂/∂a = −π₁.

use vi_playground::engine::family::{Draw, Family};
use vi_playground::engine::math::{exp, ln, ln_1p, log_add_exp, Vec2, LN_2PI};

#[derive(Debug, Clone, PartialEq)]
pub struct TwoGaussians {
    pub phi: [f64; 9],
}

impl TwoGaussians {
    /// Components at `m1` and `m2`, each with sd `sd` on both axes, π₁ = sigmoid(a).
    pub fn new(m1: Vec2, m2: Vec2, sd: f64, a: f64) -> Self {
        let s = ln(sd);
        TwoGaussians { phi: [m1[0], m1[1], s, s, m2[0], m2[1], s, s, a] }
    }

    fn mu(&self, k: usize) -> Vec2 {
        Vec2::new(self.phi[4 * k], self.phi[4 * k + 1])
    }

    fn sd(&self, k: usize) -> Vec2 {
        Vec2::new(exp(self.phi[4 * k + 2]), exp(self.phi[4 * k + 3]))
    }

    /// π₁ = sigmoid(a).
    pub fn pi1(&self) -> f64 {
        1.0 / (1.0 + exp(-self.phi[8]))
    }

    /// ln πₖ + ln Nₖ(z).
    fn joint(&self, k: usize, z: Vec2) -> f64 {
        let (mu, sd) = (self.mu(k), self.sd(k));
        let u = (z - mu).component_div(&sd);
        self.ln_weight(k) - 0.5 * u.norm_squared() - ln(sd[0]) - ln(sd[1]) - LN_2PI
    }

    fn responsibilities(&self, z: Vec2) -> [f64; 2] {
        let lq = self.log_q(z);
        [exp(self.joint(0, z) - lq), exp(self.joint(1, z) - lq)]
    }

    /// Adds `weight`·∂z/∂φ · g to `grad` for z = Tₖ(ε).
    fn backprop_map(&self, k: usize, eps: Vec2, g: Vec2, grad: &mut [f64]) {
        let sd = self.sd(k);
        for i in 0..2 {
            grad[4 * k + i] += g[i];
            grad[4 * k + 2 + i] += g[i] * sd[i] * eps[i];
        }
    }
}

impl Family for TwoGaussians {
    fn name(&self) -> &'static str {
        "two-gaussians"
    }

    fn params(&self) -> &[f64] {
        &self.phi
    }

    fn set_params(&mut self, phi: &[f64]) {
        self.phi.copy_from_slice(phi);
    }

    fn log_q(&self, z: Vec2) -> f64 {
        log_add_exp(self.joint(0, z), self.joint(1, z))
    }

    fn score_params(&self, z: Vec2, weight: f64, grad: &mut [f64]) {
        let r = self.responsibilities(z);
        for k in 0..2 {
            let (mu, sd) = (self.mu(k), self.sd(k));
            for i in 0..2 {
                let u = (z[i] - mu[i]) / sd[i];
                grad[4 * k + i] += weight * r[k] * u / sd[i];
                grad[4 * k + 2 + i] += weight * r[k] * (u * u - 1.0);
            }
        }
        grad[8] += weight * (r[0] - self.pi1());
    }

    fn score_z(&self, z: Vec2) -> Vec2 {
        let r = self.responsibilities(z);
        (0..2).fold(Vec2::zeros(), |acc, k| {
            let sd = self.sd(k);
            acc - r[k] * (z - self.mu(k)).component_div(&sd.component_mul(&sd))
        })
    }

    fn strata(&self) -> usize {
        2
    }

    fn ln_weight(&self, k: usize) -> f64 {
        // ln sigmoid(±a) = −ln(1 + e^∓a).
        let a = self.phi[8];
        let x = if k == 0 { -a } else { a };
        -ln_1p(exp(x))
    }

    fn backprop_ln_weight(&self, k: usize, g: f64, grad: &mut [f64]) {
        let pi1 = self.pi1();
        grad[8] += g * if k == 0 { 1.0 - pi1 } else { -pi1 };
    }

    fn draw(&self, k: usize, eps: Vec2) -> Draw {
        let z = self.mu(k) + self.sd(k).component_mul(&eps);
        Draw { z, log_q: self.log_q(z) }
    }

    fn backprop_draw(&self, k: usize, eps: Vec2, g_z: Vec2, g_log_q: f64, grad: &mut [f64]) {
        let z = self.draw(k, eps).z;
        let through_z = g_z + g_log_q * self.score_z(z);
        self.backprop_map(k, eps, through_z, grad);
        self.score_params(z, g_log_q, grad);
    }

    fn box_clone(&self) -> Box<dyn Family> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        "two mean-field Gaussians with weights sigmoid(a) and 1 − sigmoid(a) (9 parameters)".into()
    }
}
