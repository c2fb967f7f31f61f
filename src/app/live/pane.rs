//! One fit and what the page shows of it: its traces, readouts, exact numbers and canvas.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{AVERAGE_GAP, AVERAGE_WINDOW};
use crate::app::plots;
use crate::engine::fit::Fit;
use crate::engine::math::{Mat2, Vec2};
use crate::playground::{Exact, MomentWindow, Readout, Traces};

/// One fit with what the page shows of it. The page has one, or two side by side.
#[derive(Clone, Copy)]
pub struct Pane {
    pub fit: StoredValue<Option<Fit>, LocalStorage>,
    pub traces: StoredValue<Traces, LocalStorage>,
    pub readout: RwSignal<Readout>,
    /// What q is made of, in words; changes only with a new fit.
    pub structure: RwSignal<String>,
    pub exact: RwSignal<Option<Exact>>,
    pub canvas: StoredValue<Option<HtmlCanvasElement>, LocalStorage>,
    pub base_layer: StoredValue<Option<plots::main::BaseLayer>, LocalStorage>,
    /// q's mean and covariance at recent steps: the bias table compares their average
    /// (Polyak–Ruppert), not the jittering last iterate.
    pub(super) recent_moments: StoredValue<MomentWindow, LocalStorage>,
}

impl Pane {
    pub(super) fn new() -> Self {
        Pane {
            fit: StoredValue::new_local(None),
            traces: StoredValue::new_local(Traces::default()),
            readout: RwSignal::new(Readout::default()),
            structure: RwSignal::new(String::new()),
            exact: RwSignal::new(None),
            canvas: StoredValue::new_local(None),
            base_layer: StoredValue::new_local(None),
            recent_moments: StoredValue::new_local(MomentWindow::new(AVERAGE_WINDOW, AVERAGE_GAP)),
        }
    }

    pub(super) fn install(self, fit: Fit) {
        self.structure.set(fit.family().describe());
        self.fit.set_value(Some(fit));
    }

    pub(super) fn clear(self) {
        self.fit.set_value(None);
        self.readout.set(Readout::default());
        self.exact.set(None);
        self.clear_history();
    }

    /// Traces and averaged moments belong to one run from step 0.
    pub(super) fn clear_history(self) {
        self.traces.update_value(Traces::clear);
        self.recent_moments.update_value(MomentWindow::clear);
    }

    pub(super) fn step_count(self) -> u64 {
        self.fit.with_value(|f| f.as_ref().map_or(0, Fit::step_count))
    }

    pub(super) fn record(self) {
        let point = self.fit.with_value(|f| f.as_ref().map(|f| (f.step_count(), f.progress())));
        if let Some((step, (elbo, elbo_avg, _))) = point {
            self.traces.update_value(|t| {
                t.elbo.push(step, elbo);
                t.elbo_avg.push(step, elbo_avg);
            });
        }
    }

    /// Per-frame readouts from the fit (cheap).
    pub(super) fn publish(self) {
        let r = self.fit.with_value(|f| f.as_ref().map(Readout::of));
        if let Some(r) = r {
            if self.readout.with_untracked(|old| !old.same(&r)) {
                self.readout.set(r);
            }
        }
    }

    /// Exact KLs and k̂ (milliseconds), and their traces.
    pub(super) fn refresh_exact(self) {
        let e = self.fit.with_value(|f| {
            f.as_ref().map(|f| {
                let (d, moments) = f.refresh();
                (f.step_count(), Exact::of(&d), moments)
            })
        });
        if let Some((step, e, moments)) = e {
            self.recent_moments.update_value(|r| r.offer(step, moments));
            self.traces.update_value(|t| {
                t.kl_qp.push(step, e.kl_qp);
                t.kl_pq.push(step, e.kl_pq);
                t.elbo_estimate.push(step, e.sandwich.elbo_estimate.value);
                t.cubo2_estimate.push(step, e.sandwich.cubo2_estimate.value);
            });
            self.exact.set(Some(e));
        }
    }

    /// q's moments at recent steps, or the current ones.
    pub(super) fn recent_moments(self) -> Vec<(Vec2, Mat2)> {
        let recent = self.recent_moments.with_value(MomentWindow::moments);
        if recent.is_empty() {
            self.fit.with_value(|f| {
                f.as_ref().map(|f| vec![f.family().moments_within(f.integrals().cubature_cells)]).unwrap_or_default()
            })
        } else {
            recent
        }
    }
}
