//! Random-walk Metropolis: z' = z + s·√M⁻¹ ⊙ ε, accepted with probability min(1, p̃(z')/p̃(z)).
//! In warm-up the scale s follows a Robbins–Monro recursion towards the acceptance rate 0.35
//! (near-optimal in two dimensions; Gelman, Roberts & Gilks 1996), and the diagonal M⁻¹ is the
//! windowed variance NUTS uses.

use rand::Rng as _;

use super::Point;
use crate::engine::math::{exp, ln, std_normal2, Rng, Vec2};
use crate::engine::target::Target;

pub const TARGET_ACCEPT: f64 = 0.35;

#[derive(Debug, Clone)]
pub struct Rwmh {
    pub scale: f64,
    pub inv_metric: Vec2,
}

impl Rwmh {
    pub fn new() -> Self {
        Rwmh { scale: 1.0, inv_metric: Vec2::repeat(1.0) }
    }

    /// One transition; returns the acceptance probability.
    pub fn transition(&self, target: &dyn Target, at: &mut Point, rng: &mut Rng) -> f64 {
        let e = std_normal2(rng);
        let step = Vec2::new(e[0] * self.inv_metric[0].sqrt(), e[1] * self.inv_metric[1].sqrt()) * self.scale;
        let log_p = target.log_density(at.q + step);
        let accept = if log_p.is_finite() { exp(log_p - at.log_p).min(1.0) } else { 0.0 };
        if rng.random::<f64>() < accept {
            *at = Point { q: at.q + step, log_p, grad: Vec2::zeros() };
        }
        accept
    }

    /// Robbins–Monro step on ln s after warm-up iteration `i` (0-based).
    pub fn adapt_scale(&mut self, i: usize, accept: f64) {
        let gain = ((i + 1) as f64).powf(-0.6);
        self.scale = exp(ln(self.scale) + gain * (accept - TARGET_ACCEPT)).clamp(1e-4, 1e3);
    }
}

impl Default for Rwmh {
    fn default() -> Self {
        Rwmh::new()
    }
}
