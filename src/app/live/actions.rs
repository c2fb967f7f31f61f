//! What the student does: change the controls, restart, reset, step, play, drag q, open and close
//! the side-by-side view and the presenter drawer.

use leptos::prelude::*;

use super::*;
use crate::engine::fit::Fit;
use crate::engine::quadrature::Precision;
use crate::engine::EngineError;
use crate::link::Second;
use crate::playground::{Change, Controls, MomentWindow};

impl Live {
    /// Changes the controls and applies the change (a control, a shortcut).
    pub fn change_controls(self, f: impl FnOnce(&mut Controls)) {
        self.controls.update(f);
        self.apply_controls();
    }

    /// Applies the controls' current value: the learning rate on the fly, anything else by a new fit.
    pub fn apply_controls(self) {
        let next = self.controls.get_untracked();
        let prev = self.applied.with_value(|a| a.controls.clone());
        match prev.change_to(&next) {
            Change::None => {}
            Change::LearningRate => {
                let result = self.first().fit.try_update_value(|f| f.as_mut().map(|f| f.set_lr(next.settings.lr)));
                match result.flatten() {
                    Some(Err(e)) => self.error.set(Some(e.to_string())),
                    _ => self.error.set(None),
                }
                if self.first().step_count() > 0 {
                    // A link replays its one learning rate from step 0.
                    self.off_link.set(Some(OffLink::LearningRate));
                }
            }
            Change::Restart => {
                self.restart();
                return;
            }
        }
        self.applied.update_value(|a| a.controls = next);
        self.publish();
        self.redraw(true);
    }

    /// New fits from the current controls (and, side by side, the second fit's choice), both
    /// from step 0. If either cannot be built, the running fits stay, the choices go back to
    /// theirs, and the page says why.
    pub fn restart(self) {
        let mut controls = self.controls.get_untracked();
        let compare = self.compare.get_untracked();
        let second = self.second.get_untracked();
        let prev = self.applied.get_value();
        // The MCMC reference belongs to the target it sampled.
        let same_target = prev.same_target(&controls);
        // Only a finished run's draws (a run in progress has kept only some).
        let draws = if same_target && self.mcmc_view.with_untracked(|v| v.summary.is_some()) {
            self.mcmc.with_value(|m| m.as_ref().map(|m| m.pooled_draws())).unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut note = None;
        if draws.is_empty() {
            // No draws of this target (yet): a gradient that needs them falls back to its
            // objective's default.
            // `without_draws` names the gradient now in use exactly when the one in use needed
            // draws: A's, or side by side B's (derived from A's, so reset with it).
            let b_label = compare.then(|| second.controls(&controls).settings.without_draws()).flatten();
            let label = controls.settings.without_draws().or(b_label);
            let why =
                if same_target { "there are no MCMC draws yet" } else { "the MCMC draws were of the previous target" };
            note = label.map(|l| format!("Forward KL now uses {l}: {why}."));
        }
        let b_controls = compare.then(|| second.controls(&controls));
        let build = |c: &Controls| Fit::with_precision(c.settings.clone(), draws.clone(), Precision::Page);
        let built = build(&controls).map_err(|e| format!("{e}.")).and_then(|a| match &b_controls {
            Some(b) => build(b).map(|b| (a, Some(b))).map_err(|e| format!("The second fit: {e}.")),
            None => Ok((a, None)),
        });
        let (a, b) = match built {
            Ok(fits) => fits,
            Err(e) => {
                self.controls.set(prev.controls);
                self.compare.set(prev.compare);
                self.second.set(prev.second);
                self.error.set(Some(format!("{e} The previous fit is kept.")));
                return;
            }
        };
        // The same target with other inputs (data clicked in, a slider moved): a reference that
        // existed runs again for them, so it follows the data.
        let rerun = !same_target
            && prev.controls.settings.target == controls.settings.target
            && self.mcmc.with_value(|m| m.is_some());
        if !same_target {
            self.mcmc.set_value(None);
            self.mcmc_view.set(McmcView::default());
        }
        let uses_draws = std::iter::once(&controls).chain(&b_controls).any(Controls::uses_draws);
        self.first().install(a);
        match b {
            Some(b) => self.panes[1].install(b),
            None => self.panes[1].clear(),
        }
        if self.controls.with_untracked(|c| *c != controls) {
            self.controls.set(controls.clone()); // the fallback from draws
        }
        self.error.set(note);
        self.replay.set(None);
        self.off_link.set(uses_draws.then_some(OffLink::FromDraws));
        self.applied.set_value(Applied { controls, compare, second });
        for pane in self.panes {
            pane.base_layer.set_value(None);
            pane.exact.set(None);
            pane.clear_history();
        }
        self.refresh_all();
        if rerun {
            self.run_mcmc();
        }
    }

    /// Everything the page shows, at once (after a restart, a reset or a single step).
    pub fn refresh_all(self) {
        self.publish();
        for &i in self.active() {
            self.panes[i].refresh_exact();
        }
        self.refresh_bias();
        self.redraw(true);
    }

    pub fn reset(self) {
        self.replay.set(None);
        for &i in self.active() {
            let pane = self.panes[i];
            pane.fit.update_value(|f| {
                if let Some(f) = f {
                    f.reset();
                }
            });
            pane.clear_history();
        }
        // From step 0 again a link reproduces the run, unless its forward KL uses MCMC draws.
        let from_draws = self.off_link.get_untracked().filter(|o| *o == OffLink::FromDraws);
        self.off_link.set(from_draws);
        self.refresh_all();
    }

    /// After a divergence: new fits from step 0 at a tenth of the learning rate. Not from the
    /// last good q: by the time a value is non-finite, q has usually collapsed (its widths
    /// underflow to zero) and diverges again at any learning rate (tests/lessons.rs).
    pub fn lower_learning_rate(self) {
        let lr = (self.controls.get_untracked().settings.lr / 10.0).max(crate::engine::fit::LR_RANGE.0);
        self.controls.update(|c| c.settings.lr = lr);
        self.restart();
    }

    /// One step of each fit, in lock-step (none once one has diverged).
    pub fn single_step(self) {
        self.playing.set(false);
        self.replay.set(None);
        self.advance_fits(now(), 1, f64::INFINITY);
        self.record();
        self.refresh_all();
    }

    pub fn play(self, on: bool) {
        self.replay.set(None);
        self.playing.set(on);
        if on {
            self.ensure_loop();
        }
    }

    /// Whether the controls column is shown: not hidden, and in presenter mode its drawer open.
    pub fn controls_shown(self) -> bool {
        !self.hidden.with(|h| h.contains(&Part::Controls)) && (!self.presenter.get() || self.drawer.get())
    }

    /// Shows or folds the controls column, for the Show menu, presenter mode's drawer button and
    /// `o`. Showing them undoes a link's `controls_hide`; in presenter mode folding them only
    /// shuts the drawer (which no link holds), elsewhere it hides them as a link would.
    pub fn show_controls(self, show: bool) {
        let presenter = self.presenter.get_untracked();
        if show || !presenter {
            self.hidden.update(|h| {
                if show {
                    h.remove(&Part::Controls);
                } else {
                    h.insert(Part::Controls);
                }
            });
        }
        if presenter {
            self.drawer.set(show);
        }
    }

    /// The drawer button and `o`.
    pub fn toggle_controls(self) {
        self.show_controls(!untrack(move || self.controls_shown()));
    }

    /// Presenter mode on or off (`p`, the button); it opens with the controls' drawer shut, so the
    /// fit has the screen.
    pub fn toggle_presenter(self) {
        self.drawer.set(false);
        self.presenter.update(|p| *p = !*p);
    }

    /// Side by side on or off: both fits start again from step 0, in lock-step.
    pub fn set_compare(self, on: bool) {
        self.compare.set(on);
        self.restart();
    }

    pub fn set_second(self, second: Second) {
        self.second.set(second);
        if self.compare.get_untracked() {
            self.restart();
        }
    }

    /// Moves q (the student dragging its mean) and shows what that does to the ELBO and KLs.
    /// `last`: a move complete in itself (an arrow key), settled at once with the charts.
    pub fn drag(self, pane: usize, last: bool, edit: impl FnOnce(&mut Fit) -> Result<(), EngineError>) {
        let result = self.panes[pane].fit.try_update_value(|f| f.as_mut().map(edit));
        if let Some(Some(Err(e))) = result {
            self.error.set(Some(e.to_string()));
            return;
        }
        self.off_link.set(Some(OffLink::Dragged));
        // q was moved, so the window of its recent moments starts again here.
        self.panes[pane].recent_moments.update_value(MomentWindow::clear);
        self.panes[pane].publish();
        // The exact numbers follow the pointer when they are cheap (a Gaussian), else a few times a
        // second, and once more when the drag ends (`settle`).
        let t = now();
        let due = self.clock.with_value(|c| c.diag_ms < DRAG_DIAGNOSTICS_MS || t - c.last_diag >= DIAGNOSTICS_EVERY_MS);
        if last || due {
            self.settle(pane, last);
        } else {
            self.redraw(false);
        }
    }

    /// The exact numbers and the bias table for where q is now, and the canvases (the charts too
    /// when `chart`): after each step of a drag that is due, and when it ends.
    pub fn settle(self, pane: usize, chart: bool) {
        let t = now();
        self.panes[pane].refresh_exact();
        self.refresh_bias();
        let done = now();
        self.clock.update_value(|c| {
            c.diag_ms = done - t;
            c.last_diag = done;
        });
        self.redraw(chart);
    }
}
