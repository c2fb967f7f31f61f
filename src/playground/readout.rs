//! The numbers the page shows of a fit, and what its pane is called.

use crate::engine::objective;

/// What a pane of the side-by-side view is: "A: full-rank, forward KL" (the caption over the fit
/// and the ELBO chart's key).
pub fn pane_caption(pane: &str, family: &str, objective: &str) -> String {
    let label = objective::find(objective).map_or(objective, |o| o.short);
    format!("{pane}: {family}, {label}")
}

/// What the page calls the fits side by side.
pub const PANE_NAMES: [&str; 2] = ["A", "B"];

/// The numbers the page shows, refreshed every frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Readout {
    pub step: u64,
    pub elbo: f64,
    pub elbo_avg: f64,
    pub ess: Option<f64>,
    pub samples: usize,
    pub diverged: Option<(u64, String)>,
}

impl Readout {
    /// Equality that counts NaN (the ELBO before the first step) as equal to itself, so an
    /// unchanged readout is not published again.
    pub fn same(&self, other: &Readout) -> bool {
        self.step == other.step
            && self.elbo.to_bits() == other.elbo.to_bits()
            && self.elbo_avg.to_bits() == other.elbo_avg.to_bits()
            && self.ess.map(f64::to_bits) == other.ess.map(f64::to_bits)
            && self.samples == other.samples
            && self.diverged == other.diverged
    }
}

/// The exact numbers, refreshed a few times a second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Exact {
    pub log_z: f64,
    pub kl_qp: f64,
    pub kl_pq: f64,
    pub k_hat: f64,
}
