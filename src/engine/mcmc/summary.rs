//! What the reference says of its draws: moments, diagnostics and the concerns that say when not to
//! trust it.

use crate::engine::math::{Mat2, Vec2};

/// Moments and diagnostics of the draws (per coordinate [x, y] where paired).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub chains: usize,
    pub draws: usize,
    pub mean: Vec2,
    pub cov: Mat2,
    pub sd: Vec2,
    pub corr: f64,
    pub rhat: [f64; 2],
    pub ess_bulk: [f64; 2],
    pub ess_tail: [f64; 2],
    pub ess_mean: [f64; 2],
    pub mcse_mean: [f64; 2],
    pub mcse_sd: [f64; 2],
    pub mcse_corr: f64,
    /// Mean acceptance statistic after warm-up (NUTS: Stan's accept_stat; RWMH: acceptance probability).
    pub accept_rate: f64,
    pub divergences: usize,
    pub mean_tree_depth: Option<f64>,
    pub leapfrogs_per_draw: Option<f64>,
    /// NUTS: the lowest E-BFMI of the chains (Betancourt 2016); below [`MIN_E_BFMI`] the momentum
    /// resampling explores the energy too slowly for the draws to be trusted (heavy tails, a funnel).
    pub e_bfmi: Option<f64>,
    /// Per chain: NUTS step size, or RWMH proposal scale, after warm-up.
    pub step_size: Vec<f64>,
}

/// Thresholds under which the reference is not trusted (Vehtari et al. 2021 for R̂ and ESS; Stan's
/// warning for E-BFMI).
pub const MAX_RHAT: f64 = 1.01;
pub const MIN_ESS_PER_CHAIN: f64 = 100.0;
pub const MIN_E_BFMI: f64 = 0.3;

impl Summary {
    /// The five estimates the bias table compares (mean x, mean y, sd x, sd y, correlation), each
    /// with its MCSE.
    pub fn estimates(&self) -> [(f64, f64); 5] {
        [
            (self.mean[0], self.mcse_mean[0]),
            (self.mean[1], self.mcse_mean[1]),
            (self.sd[0], self.mcse_sd[0]),
            (self.sd[1], self.mcse_sd[1]),
            (self.corr, self.mcse_corr),
        ]
    }

    /// Why the draws cannot be trusted as a reference, in words for the student; empty when they
    /// can. Any divergent transition, an R̂ above 1.01, fewer than 100 effective draws per chain
    /// (bulk or tail) or an E-BFMI below 0.3.
    pub fn concerns(&self) -> Vec<String> {
        let mut out = Vec::new();
        // Written so that a NaN raises the concern (f64::max would drop it).
        let rhat = if self.rhat[0] <= self.rhat[1] || self.rhat[0].is_nan() { self.rhat[1] } else { self.rhat[0] };
        let rhat = if self.rhat.iter().any(|r| r.is_nan()) { f64::NAN } else { rhat };
        if !(rhat <= MAX_RHAT) {
            out.push(format!("R̂ is {rhat:.3}, above {MAX_RHAT}: the chains have not mixed"));
        }
        if self.divergences > 0 {
            out.push(format!(
                "{} divergent transition{}: NUTS could not follow the target's curvature, so the draws may miss part of it",
                self.divergences,
                if self.divergences == 1 { "" } else { "s" }
            ));
        }
        let ess = self.ess_bulk.iter().chain(&self.ess_tail).copied().fold(f64::INFINITY, |a, b| {
            if b < a || b.is_nan() {
                b
            } else {
                a
            }
        });
        let need = MIN_ESS_PER_CHAIN * self.chains as f64;
        if !(ess >= need) {
            out.push(format!("only {ess:.0} effective draws (fewer than {need:.0})"));
        }
        if let Some(e) = self.e_bfmi {
            if !(e >= MIN_E_BFMI) {
                out.push(format!(
                    "E-BFMI is {e:.2}, below {MIN_E_BFMI}: the sampler moves too slowly between energy levels"
                ));
            }
        }
        out
    }
}
