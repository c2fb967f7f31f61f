//! One fit and what the page shows of it: its traces, readouts, exact numbers and canvas.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{AVERAGE_GAP, AVERAGE_WINDOW};
use crate::app::plots;
use std::rc::Rc;

use crate::engine::fit::{Diagnostics, Fit};
use crate::engine::math::{Mat2, Vec2};
use crate::engine::slice::{Budget, Sliced};
use crate::playground::contours::QContours;
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
    /// q's density contours on the canvas (a flow's, a mixture's), tabulated when q has moved.
    pub contours: StoredValue<QContours, LocalStorage>,
    /// q's mean and covariance at recent steps: the bias table compares their average
    /// (Polyak–Ruppert), not the jittering last iterate.
    pub(super) recent_moments: StoredValue<MomentWindow, LocalStorage>,
    /// A refresh of the exact numbers under way, a slice per frame, and the step it is of.
    refreshing: StoredValue<Option<(u64, Refresh)>, LocalStorage>,
}

type Refresh = Sliced<(Diagnostics, (Vec2, Mat2))>;

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
            contours: StoredValue::new_local(QContours::default()),
            recent_moments: StoredValue::new_local(MomentWindow::new(AVERAGE_WINDOW, AVERAGE_GAP)),
            refreshing: StoredValue::new_local(None),
        }
    }

    pub(super) fn install(self, fit: Fit) {
        self.structure.set(fit.family().describe());
        self.fit.set_value(Some(fit));
    }

    pub(super) fn clear(self) {
        self.fit.set_value(None);
        self.refreshing.set_value(None);
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

    /// Exact KLs and k̂ now, and their traces (while paused: a drag, a new fit). A refresh under
    /// way is dropped: it is of an older q.
    pub(super) fn refresh_exact(self) {
        self.refreshing.set_value(None);
        let e = self.fit.with_value(|f| f.as_ref().map(|f| (f.step_count(), f.refresh())));
        if let Some((step, result)) = e {
            self.show_exact(step, result);
        }
    }

    /// Starts a refresh of the exact numbers of q as it is now, unless one is under way; it runs a
    /// slice a frame ([`Pane::go_on_refreshing`]) while the fit goes on. Whether one was started.
    pub(super) fn start_refresh(self) -> bool {
        if self.refreshing() {
            return false;
        }
        let r = self
            .fit
            .with_value(|f| f.as_ref().map(|f| (f.step_count(), f.refresh_sliced(Rc::new(Budget::new(super::now))))));
        let started = r.is_some();
        self.refreshing.set_value(r);
        started
    }

    /// Runs the refresh under way until `deadline` (`performance.now()`, at least to its next
    /// checkpoint) and shows its numbers if it has ended.
    pub(super) fn go_on_refreshing(self, deadline: f64) {
        let done = self.refreshing.try_update_value(|r| {
            let (step, sliced) = r.as_mut()?;
            let result = sliced.resume(deadline)?;
            let step = *step;
            *r = None;
            Some((step, result))
        });
        if let Some(Some((step, result))) = done {
            self.show_exact(step, result);
        }
    }

    /// Whether a refresh is under way.
    pub(super) fn refreshing(self) -> bool {
        self.refreshing.with_value(Option::is_some)
    }

    fn show_exact(self, step: u64, (d, moments): (Diagnostics, (Vec2, Mat2))) {
        let e = Exact::of(&d);
        self.recent_moments.update_value(|r| r.offer(step, moments));
        self.traces.update_value(|t| {
            t.kl_qp.push(step, e.kl_qp);
            t.kl_pq.push(step, e.kl_pq);
            t.elbo_estimate.push(step, e.sandwich.elbo_estimate.value);
            t.cubo2_estimate.push(step, e.sandwich.cubo2_estimate.value);
        });
        self.exact.set(Some(e));
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
