//! The requestAnimationFrame loop: optimizer steps within the frame's budget, the exact numbers a few
//! times a second, the canvases, and the frame statistics.

use leptos::prelude::*;

use super::*;
use crate::app::plots::{self, elbo::Lines, main::MainView};
use crate::engine::fit::Status;

/// Frame timing, shown in the stats overlay and published on `window.viStats` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    pub fps: f64,
    pub steps_per_sec: f64,
    pub ms_per_frame: f64,
    /// The canvases' share of a frame (a running average).
    pub draw_ms: f64,
}

#[derive(Default, Clone, Copy)]
pub(super) struct Clock {
    pub(super) last_frame: f64,
    pub(super) last_diag: f64,
    pub(super) last_chart: f64,
    pub(super) frames: u32,
    pub(super) steps: u64,
    pub(super) window_start: f64,
    /// How long the last frame's drawing took.
    pub(super) draw_ms: f64,
    /// How long the last exact diagnostics took (a flow's quadrature takes far longer than a
    /// Gaussian's).
    pub(super) diag_ms: f64,
}

impl Live {
    pub(super) fn ensure_loop(self) {
        if !self.looping.get_value() {
            self.looping.set_value(true);
            self.clock.update_value(|c| {
                c.last_frame = now();
                c.window_start = c.last_frame;
            });
            request_animation_frame(move || self.frame());
        }
    }

    /// Optimizer steps for this frame: at most `max`, within `budget` ms. Two fits go one step
    /// each in turn (A, then B) while both run, so they stay in lock-step: if A diverges both stop
    /// on the same count, if B does, A has taken that one step more. Either way the numbers do
    /// not depend on how the steps fall into frames, which is what lets a link replay them.
    pub(super) fn advance_fits(self, start: f64, max: u64, budget: f64) -> u64 {
        let two = self.compare.get_untracked();
        let [a, b] = self.panes.map(|p| p.fit);
        // Both fits, one step each in turn, until `n` or one stops.
        let lock_step = |n: u64| {
            a.try_update_value(|a| {
                b.try_update_value(|b| match (a.as_mut(), b.as_mut()) {
                    (Some(a), Some(b)) => (0..n)
                        .take_while(|_| {
                            let both = *a.status() == Status::Running && *b.status() == Status::Running;
                            both && a.step(1) == 1 && b.step(1) == 1
                        })
                        .count() as u64,
                    _ => 0,
                })
            })
            .flatten()
            .unwrap_or(0)
        };
        crate::playground::steps_within(
            max,
            budget - (now() - start),
            {
                let begin = now();
                move || now() - begin
            },
            |n| {
                if two {
                    lock_step(n)
                } else {
                    a.try_update_value(|f| f.as_mut().map_or(0, |f| f.step(n))).unwrap_or(0)
                }
            },
        )
    }

    /// One animation frame: optimizer steps and MCMC iterations within their budgets, then the
    /// readouts and the canvases.
    pub(super) fn frame(self) {
        let start = now();
        let replay = self.replay.get_untracked();
        let playing = self.playing.get_untracked();
        let mut steps = 0;
        if let Some(to) = replay {
            // A link opens on its step count: replay at full speed, whatever the speed slider says.
            let at = self.first().step_count();
            steps = self.advance_fits(start, to.saturating_sub(at), REPLAY_BUDGET_MS);
            self.record();
            if self.first().step_count() >= to || steps == 0 {
                self.replay.set(None);
                let play = self.play_after_replay.get_value() && self.diverged().is_none();
                self.playing.set(play);
            }
        } else if playing {
            let max = self.controls.with_untracked(|c| c.steps_per_frame).max(1) as u64;
            // What drawing and an MCMC run beside leave of the frame.
            let mcmc = if self.mcmc_view.with_untracked(|v| v.running) { MCMC_BUDGET_MS } else { 0.0 };
            let refresh =
                if self.active().iter().any(|&i| self.panes[i].refreshing()) { REFRESH_SLICE_MS } else { 0.0 };
            let budget = (FRAME_BUDGET_MS - self.clock.with_value(|c| c.draw_ms) - mcmc - refresh)
                .clamp(STEP_BUDGET_MS.0, STEP_BUDGET_MS.1);
            steps = self.advance_fits(start, max, budget);
            self.record();
            if self.diverged().is_some() || steps == 0 {
                self.playing.set(false);
            }
        }
        let mcmc_running = self.mcmc_view.with_untracked(|v| v.running);
        if mcmc_running {
            self.advance_mcmc();
        }
        self.publish();
        let t = now();
        let (diag_due, chart_due) =
            self.clock.with_value(|c| (t - c.last_diag >= DIAGNOSTICS_EVERY_MS, t - c.last_chart >= CHART_EVERY_MS));
        // The exact numbers: a refresh starts every DIAGNOSTICS_EVERY_MS while the fit moves and
        // runs a slice a frame in what the frame has left (a flow's takes tens of milliseconds).
        if steps > 0 && diag_due {
            let mut started = false;
            for &i in self.active() {
                started |= self.panes[i].start_refresh();
            }
            if started {
                self.clock.update_value(|c| c.last_diag = t);
            }
        }
        let draw_ms = self.clock.with_value(|c| c.draw_ms);
        let deadline = (start + FRAME_BUDGET_MS - draw_ms).max(now() + REFRESH_SLICE_MS);
        for &i in self.active() {
            self.panes[i].go_on_refreshing(deadline);
        }
        let draw_start = now();
        self.redraw(steps > 0 && chart_due);
        let draw_ms = now() - draw_start;
        self.clock.update_value(|c| c.draw_ms = 0.8 * c.draw_ms + 0.2 * draw_ms);
        if chart_due {
            self.clock.update_value(|c| c.last_chart = t);
        }
        self.account(start, steps);
        let busy = self.playing.get_untracked()
            || self.replay.get_untracked().is_some()
            || self.mcmc_view.with_untracked(|v| v.running);
        if busy {
            request_animation_frame(move || self.frame());
        } else {
            self.looping.set_value(false);
            self.refresh_all();
        }
    }

    /// The first divergence among the fits in use: which fit, at which step, and why.
    pub fn diverged(self) -> Option<(usize, u64, String)> {
        self.active()
            .iter()
            .find_map(|&i| self.panes[i].readout.with_untracked(|r| r.diverged.clone().map(|(s, w)| (i, s, w))))
    }

    pub(super) fn record(self) {
        for &i in self.active() {
            self.panes[i].record();
        }
    }

    pub(super) fn publish(self) {
        for &i in self.active() {
            self.panes[i].publish();
        }
    }

    /// Redraws whenever `canvas`'s box changes size. The layout sizes the canvases (the window,
    /// presenter mode and its drawer, side by side, hidden parts, a status line that wraps), so
    /// the canvases themselves are watched, not the window.
    pub fn watch_size(self, canvas: &web_sys::Element) {
        use wasm_bindgen::{closure::Closure, JsCast};
        if self.resize.with_value(Option::is_none) {
            let redraw = Closure::<dyn FnMut()>::new(move || self.redraw(true));
            if let Ok(o) = web_sys::ResizeObserver::new(redraw.as_ref().unchecked_ref()) {
                redraw.forget(); // lives as long as the page: one per playground
                self.resize.set_value(Some(o));
            }
        }
        self.resize.with_value(|o| o.as_ref().map(|o| o.observe(canvas)));
    }

    /// Stops watching a canvas that leaves the page.
    pub fn unwatch_size(self, canvas: &web_sys::Element) {
        self.resize.with_value(|o| o.as_ref().map(|o| o.unobserve(canvas)));
    }

    /// Draws the main canvases (every call) and the charts (when `chart`): gathers what each
    /// plot draws and hands it over (the plots know nothing of the page).
    pub fn redraw(self, chart: bool) {
        let presenter = self.presenter.get_untracked();
        let handles = !self.playing.get_untracked();
        // While the fit moves, q's contours get a slice of the frame; while paused, all they need.
        let contours_until = if handles { f64::INFINITY } else { now() + CONTOURS_SLICE_MS };
        for &i in self.active() {
            let pane = self.panes[i];
            let Some(canvas) = pane.canvas.get_value() else { continue };
            let drawn = pane.fit.with_value(|f| {
                let Some(f) = f else { return Ok(()) };
                self.mcmc.with_value(|m| {
                    let view = MainView {
                        target: f.target(),
                        q: f.family(),
                        pane: i,
                        mcmc: m.as_ref(),
                        presenter,
                        handles,
                        contours_until,
                    };
                    pane.base_layer
                        .try_update_value(|base| {
                            pane.contours.try_update_value(|c| plots::main::draw(&canvas, base, c, &view))
                        })
                        .flatten()
                        .unwrap_or(Ok(()))
                })
            });
            if let Err(e) = drawn {
                self.error.set(Some(e));
            }
        }
        if chart {
            let drawn = self.draw_chart(presenter).and_then(|()| self.draw_marginals(presenter));
            if let Err(e) = drawn.and_then(|()| self.draw_data(presenter)) {
                self.error.set(Some(e));
            }
        }
    }

    fn draw_chart(self, presenter: bool) -> Result<(), String> {
        let Some(canvas) = self.elbo_canvas.get_value().filter(shown) else { return Ok(()) };
        let log_z = self.first().exact.get_untracked().map(|e| e.log_z);
        let captions: Vec<String> = self.active().iter().map(|&i| self.caption(i)).collect();
        let (first, second) = (self.panes[0].traces, self.panes[1].traces);
        first.with_value(|t0| {
            second.with_value(|t1| {
                let lines: Vec<Lines> = self
                    .active()
                    .iter()
                    .zip(captions)
                    .map(|(&i, label)| Lines {
                        traces: if i == 0 { t0 } else { t1 },
                        name: PANE_NAMES[i],
                        label,
                        pane: i,
                        bound: self.panes[i].readout.with_untracked(|r| r.bound),
                    })
                    .collect();
                plots::elbo::draw(canvas, &lines, log_z, presenter)
            })
        })
    }

    fn draw_marginals(self, presenter: bool) -> Result<(), String> {
        let Some(canvas) = self.marginals_canvas.get_value().filter(shown) else { return Ok(()) };
        let Some(draws) = self.mcmc.with_value(|m| m.as_ref().filter(|m| m.is_done()).map(|m| m.pooled_draws())) else {
            return Ok(());
        };
        self.first().fit.with_value(|f| match f {
            Some(f) => plots::marginals::draw(
                canvas,
                &draws,
                f.family(),
                f.target().view_box(),
                f.target().axis_names(),
                presenter,
            ),
            None => Ok(()),
        })
    }

    /// The data panel, when the target has data: the points, and q's curve and band beside the
    /// MCMC draws'.
    fn draw_data(self, presenter: bool) -> Result<(), String> {
        use crate::playground::data::{band_of_draws, band_of_q};
        let Some(canvas) = self.data_canvas.get_value().filter(shown) else { return Ok(()) };
        let Some(row) = crate::app::components::data_row(&self.controls.get_untracked().settings) else {
            return Ok(());
        };
        let points = self.controls.with_untracked(|c| c.settings.options.get(row).points().to_vec());
        // q's mean from its last refresh (a flow's needs a cubature: not once a frame).
        let pane = self.first();
        let mean = pane.recent_moments.with_value(|w| w.latest()).map(|m| m.0);
        let q = pane.fit.with_value(|f| {
            let f = f.as_ref()?;
            let mean = mean.unwrap_or_else(|| f.family().moments_within(f.integrals().cubature_cells).0);
            band_of_q(f.family(), mean)
        });
        let mcmc = self.mcmc.with_value(|m| {
            m.as_ref().filter(|m| m.is_done()).and_then(|m| band_of_draws(m.pooled().count(), m.pooled()))
        });
        let view =
            plots::data::DataView { points: &points, q, mcmc, cursor: self.data_cursor.get_untracked(), presenter };
        let frame = plots::data::draw(canvas, &view)?;
        self.data_frame.set_value(frame);
        Ok(())
    }

    pub(super) fn account(self, start: f64, steps: u64) {
        let end = now();
        let stats = self.clock.try_update_value(|c| {
            c.frames += 1;
            c.steps += steps;
            c.last_frame = end;
            let span = end - c.window_start;
            if span >= 500.0 {
                let s = FrameStats {
                    fps: c.frames as f64 * 1000.0 / span,
                    steps_per_sec: c.steps as f64 * 1000.0 / span,
                    ms_per_frame: end - start,
                    draw_ms: c.draw_ms,
                };
                c.frames = 0;
                c.steps = 0;
                c.window_start = end;
                Some(s)
            } else {
                None
            }
        });
        if let Some(Some(s)) = stats {
            self.stats.set(s);
            publish_stats(&s, self.first().readout.with_untracked(|r| r.step));
        }
    }
}

/// Whether a chart's canvas is on screen: a hidden part's (`display: none`) has no width, and is
/// not drawn; its ResizeObserver redraws it when it is shown again ([`Live::watch_size`]).
fn shown(canvas: &HtmlCanvasElement) -> bool {
    canvas.client_width() > 0
}

/// `window.viStats = { fps, stepsPerSec, msPerFrame, drawMs, step }`, for tests and the curious.
fn publish_stats(s: &FrameStats, step: u64) {
    use wasm_bindgen::JsValue;
    let Some(w) = web_sys::window() else { return };
    let o = js_sys::Object::new();
    for (k, v) in [
        ("fps", s.fps),
        ("stepsPerSec", s.steps_per_sec),
        ("msPerFrame", s.ms_per_frame),
        ("drawMs", s.draw_ms),
        ("step", step as f64),
    ] {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
    }
    let _ = js_sys::Reflect::set(&w, &JsValue::from_str("viStats"), &o);
}
