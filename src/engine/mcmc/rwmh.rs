//! Random-walk Metropolis: z' = z + s·√M⁻¹ ⊙ ε, accepted with probability min(1, p̃(z')/p̃(z)).
//! In warm-up a Robbins–Monro recursion on ln s (Andrieu & Thoms 2008, §5) drives the acceptance
//! probability towards 0.35 (near-optimal in two dimensions; Gelman, Roberts & Gilks 1996); its
//! gain k^−0.6 restarts at every metric update (the diagonal M⁻¹ is the windowed variance NUTS
//! uses), and the scale kept after warm-up is the Polyak average of ln s after the first 50
//! iterations since the last restart. (With one gain over the whole warm-up and the last iterate,
//! used before, the acceptance ended at 0.22–0.31.)

use rand::Rng as _;

use super::Point;
use crate::engine::math::{exp, ln, std_normal2, Rng, Vec2};
use crate::engine::target::Target;

pub const TARGET_ACCEPT: f64 = 0.35;

#[derive(Debug, Clone)]
pub struct Rwmh {
    pub scale: f64,
    pub inv_metric: Vec2,
    /// Iterations since the adaptation (re)started, and the sum and count of ln s averaged.
    k: usize,
    log_sum: f64,
    averaged: usize,
}

/// Iterations after a restart before ln s enters the average.
const AVERAGE_AFTER: usize = 50;

impl Rwmh {
    pub fn new() -> Self {
        Rwmh { scale: 1.0, inv_metric: Vec2::repeat(1.0), k: 0, log_sum: 0.0, averaged: 0 }
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

    /// One warm-up step of the scale's adaptation from an acceptance probability.
    pub fn adapt_scale(&mut self, accept: f64) {
        self.k += 1;
        let gain = (self.k as f64).powf(-0.6);
        let accept = if accept.is_finite() { accept } else { 0.0 };
        let log_s = (ln(self.scale) + gain * (accept - TARGET_ACCEPT)).clamp(ln(1e-4), ln(1e3));
        self.scale = exp(log_s);
        if self.k > AVERAGE_AFTER {
            self.log_sum += log_s;
            self.averaged += 1;
        }
    }

    /// A new metric: the scale's adaptation starts again from the current scale.
    pub fn restart(&mut self, inv_metric: Vec2) {
        self.inv_metric = inv_metric;
        (self.k, self.log_sum, self.averaged) = (0, 0.0, 0);
    }

    /// The end of warm-up: the averaged scale.
    pub fn finish_warmup(&mut self) {
        if self.averaged > 0 {
            self.scale = exp(self.log_sum / self.averaged as f64);
        }
    }
}

impl Default for Rwmh {
    fn default() -> Self {
        Rwmh::new()
    }
}
