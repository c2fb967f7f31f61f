//! The numbers the page shows of a fit, and what its pane is called.

use crate::engine::fit::{Diagnostics, Fit, Status};
use crate::engine::objective;
use crate::engine::sandwich::Sandwich;

/// What a pane of the side-by-side view is: "A: full-rank, forward KL" (the caption over the fit
/// and the ELBO chart's key).
pub fn pane_caption(pane: &str, family: &str, objective: &str) -> String {
    let label = objective::find(objective).map_or(objective, |o| o.short);
    format!("{pane}: {family}, {label}")
}

/// What the page calls the fits side by side.
pub const PANE_NAMES: [&str; 2] = ["A", "B"];

/// The numbers the page shows, refreshed every frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Readout {
    pub step: u64,
    pub elbo: f64,
    pub elbo_avg: f64,
    pub ess: Option<f64>,
    pub samples: usize,
    pub diverged: Option<(u64, String)>,
    /// What the step's estimate bounds: "ELBO", "L_α", "L_K" (the objective's `bound`).
    pub bound: &'static str,
}

impl Default for Readout {
    /// Before any fit: nothing stepped, and the bound called the ELBO.
    fn default() -> Self {
        Readout { step: 0, elbo: f64::NAN, elbo_avg: f64::NAN, ess: None, samples: 0, diverged: None, bound: "ELBO" }
    }
}

impl Readout {
    /// What the page shows of `fit` every frame (cheap: no integral).
    pub fn of(fit: &Fit) -> Readout {
        let (elbo, elbo_avg, ess) = fit.progress();
        Readout {
            step: fit.step_count(),
            elbo,
            elbo_avg,
            ess,
            samples: fit.settings().samples,
            bound: objective::find(&fit.settings().objective).map_or("ELBO", |o| o.bound),
            diverged: match fit.status() {
                Status::Running => None,
                Status::Diverged { step, what } => Some((*step, what.clone())),
            },
        }
    }

    /// Equality that counts NaN (the ELBO before the first step) as equal to itself, so an
    /// unchanged readout is not published again.
    pub fn same(&self, other: &Readout) -> bool {
        self.step == other.step
            && self.elbo.to_bits() == other.elbo.to_bits()
            && self.elbo_avg.to_bits() == other.elbo_avg.to_bits()
            && self.ess.map(f64::to_bits) == other.ess.map(f64::to_bits)
            && self.samples == other.samples
            && self.bound == other.bound
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
    /// Rényi's D_α(q‖p), for an objective with an α.
    pub d_alpha: Option<f64>,
    /// The exact CUBO₂ and the estimates ELBO ≤ ln Z ≤ CUBO₂ (and L_K with its K for IWAE).
    pub sandwich: Sandwich,
}

impl Exact {
    pub fn of(d: &Diagnostics) -> Exact {
        Exact {
            log_z: d.log_z,
            kl_qp: d.kl.kl_qp,
            kl_pq: d.kl.kl_pq,
            k_hat: d.k_hat,
            d_alpha: d.d_alpha,
            sandwich: d.sandwich,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fit::Settings;

    #[test]
    fn a_readout_follows_the_fit_and_counts_nan_as_unchanged() {
        let mut fit = Fit::new(Settings::default()).unwrap();
        let before = Readout::of(&fit);
        assert_eq!((before.step, before.samples, before.diverged.clone()), (0, 8, None));
        assert!(before.elbo.is_nan() && before.same(&Readout::of(&fit)), "NaN before the first step is no change");
        fit.step(3);
        let after = Readout::of(&fit);
        assert_eq!(after.step, 3);
        assert!(after.elbo.is_finite() && !after.same(&before));
        // An absurd rate diverges: the readout says where and why.
        let mut wild = Fit::new(Settings { lr: 100.0, family: "full-rank".into(), ..Settings::default() }).unwrap();
        wild.step(10_000);
        let (step, what) = Readout::of(&wild).diverged.expect("diverged");
        assert_eq!(step, wild.step_count() + 1);
        assert!(what.contains("infinite or NaN"), "{what}");
        let d = fit.diagnostics();
        let e = Exact::of(&d);
        assert_eq!((e.log_z, e.kl_qp, e.kl_pq, e.k_hat), (d.log_z, d.kl.kl_qp, d.kl.kl_pq, d.k_hat));
    }
}
