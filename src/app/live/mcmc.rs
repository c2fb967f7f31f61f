//! The MCMC reference: run a few milliseconds a frame, then the bias table against the fits.

use leptos::prelude::*;

use super::*;

use super::{Live, MCMC_BUDGET_MS};
use crate::engine::bias::{bias_panel, BiasPanel};
use crate::engine::mcmc::{Mcmc, McmcSettings, Summary};

/// The MCMC panel's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct McmcView {
    pub running: bool,
    pub progress: f64,
    pub summary: Option<Summary>,
    pub bias: BiasPanel,
    pub error: Option<String>,
}

impl Live {
    pub fn run_mcmc(self) {
        let s = self.controls.get_untracked().settings;
        let target = crate::engine::target::find(&s.target).and_then(|t| t.build(&s.options));
        let settings = McmcSettings { sampler: self.sampler.get_untracked(), seed: s.seed, ..McmcSettings::default() };
        match target.and_then(|t| Mcmc::new(t, settings)) {
            Ok(m) => {
                self.mcmc.set_value(Some(m));
                self.mcmc_view.set(McmcView { running: true, ..McmcView::default() });
                self.ensure_loop();
            }
            Err(e) => self.mcmc_view.set(McmcView { error: Some(e.to_string()), ..McmcView::default() }),
        }
    }

    pub fn cancel_mcmc(self) {
        self.mcmc_view.update(|v| v.running = false);
        self.finish_mcmc();
    }

    pub(super) fn advance_mcmc(self) {
        let start = now();
        let done = self.mcmc.try_update_value(|m| {
            let m = m.as_mut()?;
            while now() - start < MCMC_BUDGET_MS && m.run(25) > 0 {}
            let (d, t) = m.progress();
            Some((d as f64 / t as f64, m.is_done()))
        });
        match done.flatten() {
            Some((progress, finished)) => {
                self.mcmc_view.update(|v| v.progress = progress);
                if finished {
                    self.mcmc_view.update(|v| v.running = false);
                    self.finish_mcmc();
                }
            }
            None => self.mcmc_view.update(|v| v.running = false),
        }
    }

    pub(super) fn finish_mcmc(self) {
        let summary = self.mcmc.with_value(|m| m.as_ref().and_then(Mcmc::summary));
        self.mcmc_view.update(|v| v.summary = summary);
        self.refresh_bias();
        self.redraw(true);
    }

    /// The bias table for the first q against the MCMC summary.
    pub(super) fn refresh_bias(self) {
        let Some(summary) = self.mcmc_view.with_untracked(|v| v.summary.clone()) else { return };
        let pane = self.first();
        let recent = pane.recent_moments();
        let bias = pane.fit.with_value(|f| f.as_ref().map(|f| bias_panel(&recent, &summary, &f.exact())));
        self.mcmc_view.update(|v| v.bias = bias.unwrap_or_default());
    }
}
