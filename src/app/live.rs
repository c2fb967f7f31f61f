//! The running playground: the fit, the MCMC reference and the traces, held outside the reactive
//! graph (they change every frame), and the requestAnimationFrame loop that advances them within a
//! time budget and publishes what the page shows through signals.

use std::collections::BTreeSet;

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::app::plots;
use crate::engine::bias::{bias_panel, BiasPanel};
use crate::engine::fit::{Fit, Status};
use crate::engine::math::{Mat2, Vec2};
use crate::engine::mcmc::{Mcmc, McmcSettings, SamplerKind, Summary};
use crate::engine::quadrature::Precision;
use crate::engine::EngineError;
use crate::link::{PageState, Part, Second};
use crate::playground::{Change, Controls, MomentWindow, Trace};

/// A frame's whole budget (60 Hz); optimizer steps get what drawing leaves, between these bounds.
pub const FRAME_BUDGET_MS: f64 = 14.0;
pub const STEP_BUDGET_MS: (f64, f64) = (2.0, 8.0);
/// Milliseconds of MCMC work per frame while it runs.
pub const MCMC_BUDGET_MS: f64 = 5.0;
/// How often the exact diagnostics (quadrature KLs, k̂) are recomputed while playing.
pub const DIAGNOSTICS_EVERY_MS: f64 = 200.0;
/// While q is dragged, exact diagnostics that take longer than this wait for DIAGNOSTICS_EVERY_MS.
pub const DRAG_DIAGNOSTICS_MS: f64 = 4.0;
/// How often the ELBO chart is redrawn while playing.
pub const CHART_EVERY_MS: f64 = 100.0;
/// Snapshots of q's moments averaged for the bias table (one per refresh, DIAGNOSTICS_EVERY_MS:
/// about 2 s at the default speed); their spread is the fit's own standard error in the table.
pub const AVERAGE_WINDOW: usize = 10;
/// Fewest optimizer steps between two of those snapshots (about ten autocorrelation times of the
/// jittering iterate; see [`MomentWindow`]).
pub const AVERAGE_GAP: u64 = 250;
/// A frame's step budget while a link replays its steps (the page is still drawn every frame).
pub const REPLAY_BUDGET_MS: f64 = 30.0;
/// Points kept per trace, however long the run.
pub const TRACE_POINTS: usize = 1500;

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
    fn same(&self, other: &Readout) -> bool {
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

/// Frame timing, shown in the stats overlay and published on `window.viStats` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    pub fps: f64,
    pub steps_per_sec: f64,
    pub ms_per_frame: f64,
}

/// The MCMC panel's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct McmcView {
    pub running: bool,
    pub progress: f64,
    pub summary: Option<Summary>,
    pub bias: BiasPanel,
    pub error: Option<String>,
}

#[derive(Default)]
pub struct Traces {
    pub elbo: Trace,
    pub elbo_avg: Trace,
    pub kl_qp: Trace,
    pub kl_pq: Trace,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new(TRACE_POINTS)
    }
}

impl Traces {
    fn clear(&mut self) {
        *self = Traces::default();
    }
}

/// What the page calls the fits side by side.
pub const PANE_NAMES: [&str; 2] = ["A", "B"];

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
    recent_moments: StoredValue<MomentWindow, LocalStorage>,
}

impl Pane {
    fn new() -> Self {
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

    fn install(self, fit: Fit) {
        self.structure.set(fit.family().describe());
        self.fit.set_value(Some(fit));
    }

    fn clear(self) {
        self.fit.set_value(None);
        self.readout.set(Readout::default());
        self.exact.set(None);
        self.clear_history();
    }

    /// Traces and averaged moments belong to one run from step 0.
    fn clear_history(self) {
        self.traces.update_value(Traces::clear);
        self.recent_moments.update_value(MomentWindow::clear);
    }

    fn step_count(self) -> u64 {
        self.fit.with_value(|f| f.as_ref().map_or(0, Fit::step_count))
    }

    fn record(self) {
        let point = self.fit.with_value(|f| f.as_ref().map(|f| (f.step_count(), f.progress())));
        if let Some((step, (elbo, elbo_avg, _))) = point {
            self.traces.update_value(|t| {
                t.elbo.push(step, elbo);
                t.elbo_avg.push(step, elbo_avg);
            });
        }
    }

    /// Per-frame readouts from the fit (cheap).
    fn publish(self) {
        let r = self.fit.with_value(|f| {
            f.as_ref().map(|f| {
                let (elbo, elbo_avg, ess) = f.progress();
                Readout {
                    step: f.step_count(),
                    elbo,
                    elbo_avg,
                    ess,
                    samples: f.settings().samples,
                    diverged: match f.status() {
                        Status::Running => None,
                        Status::Diverged { step, what } => Some((*step, what.clone())),
                    },
                }
            })
        });
        if let Some(r) = r {
            if self.readout.with_untracked(|old| !old.same(&r)) {
                self.readout.set(r);
            }
        }
    }

    /// Exact KLs and k̂ (milliseconds), and their traces.
    fn refresh_exact(self) {
        let e = self.fit.with_value(|f| {
            f.as_ref().map(|f| {
                let (d, moments) = f.refresh();
                (
                    f.step_count(),
                    Exact { log_z: d.log_z, kl_qp: d.kl.kl_qp, kl_pq: d.kl.kl_pq, k_hat: d.k_hat },
                    moments,
                )
            })
        });
        if let Some((step, e, moments)) = e {
            self.recent_moments.update_value(|r| r.offer(step, moments));
            self.traces.update_value(|t| {
                t.kl_qp.push(step, e.kl_qp);
                t.kl_pq.push(step, e.kl_pq);
            });
            self.exact.set(Some(e));
        }
    }

    /// q's moments at recent steps, or the current ones.
    fn recent_moments(self) -> Vec<(Vec2, Mat2)> {
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

/// Everything the components share; `Copy`, so closures take it by value.
#[derive(Clone, Copy)]
pub struct Live {
    pub controls: RwSignal<Controls>,
    pub playing: RwSignal<bool>,
    /// The fits: the first always, the second in the side-by-side view.
    pub panes: [Pane; 2],
    pub compare: RwSignal<bool>,
    pub second: RwSignal<Second>,
    pub presenter: RwSignal<bool>,
    /// Whether presenter mode's controls drawer is open (it opens shut, so the fit fills the
    /// screen; not part of a link).
    pub drawer: RwSignal<bool>,
    pub hidden: RwSignal<BTreeSet<Part>>,
    pub show_help: RwSignal<bool>,
    /// Why a link would not reproduce this run, if it would not.
    pub off_link: RwSignal<Option<OffLink>>,
    /// A link being replayed: the step it opens on.
    pub replay: RwSignal<Option<u64>>,
    pub error: RwSignal<Option<String>>,
    pub stats: RwSignal<FrameStats>,
    pub show_stats: RwSignal<bool>,
    pub mcmc_view: RwSignal<McmcView>,
    /// Whether the MCMC reference has finished (its draws exist); changes only then.
    pub has_draws: Memo<bool>,
    pub sampler: RwSignal<SamplerKind>,
    pub mcmc: StoredValue<Option<Mcmc>, LocalStorage>,
    pub elbo_canvas: StoredValue<Option<HtmlCanvasElement>, LocalStorage>,
    pub marginals_canvas: StoredValue<Option<HtmlCanvasElement>, LocalStorage>,
    /// Whether to play once a replayed link reaches its step.
    play_after_replay: StoredValue<bool, LocalStorage>,
    /// What the running fits were built from: a restart that fails goes back to it.
    applied: StoredValue<Applied, LocalStorage>,
    looping: StoredValue<bool, LocalStorage>,
    clock: StoredValue<Clock, LocalStorage>,
    /// Redraws a canvas whose box changed size (see [`Live::watch_size`]).
    resize: StoredValue<Option<web_sys::ResizeObserver>, LocalStorage>,
}

/// Why a link would not reproduce the run on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffLink {
    /// q was moved by hand.
    Dragged,
    /// A link replays one learning rate from step 0.
    LearningRate,
    /// A link cannot carry MCMC draws.
    FromDraws,
}

impl OffLink {
    pub fn why(self) -> &'static str {
        match self {
            OffLink::Dragged => "q was dragged by hand",
            OffLink::LearningRate => "the learning rate changed during the run",
            OffLink::FromDraws => "forward KL from MCMC draws: run MCMC after opening the link",
        }
    }
}

/// The choices the running fits were built from.
#[derive(Debug, Clone, PartialEq)]
struct Applied {
    controls: Controls,
    compare: bool,
    second: Second,
}

impl Applied {
    fn same_target(&self, c: &Controls) -> bool {
        self.controls.settings.same_target(&c.settings)
    }
}

#[derive(Default, Clone, Copy)]
struct Clock {
    last_frame: f64,
    last_diag: f64,
    last_chart: f64,
    frames: u32,
    steps: u64,
    window_start: f64,
    /// How long the last frame's drawing took.
    draw_ms: f64,
    /// How long the last exact diagnostics took (a flow's quadrature takes far longer than a
    /// Gaussian's).
    diag_ms: f64,
}

pub fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

impl Live {
    /// The page as a link describes it: the fits are built and the link's steps replayed.
    /// `message` (what the link could not use) is shown in the status line.
    pub fn new(state: PageState, message: Option<String>) -> Self {
        let mcmc_view = RwSignal::new(McmcView::default());
        let live = Live {
            controls: RwSignal::new(state.controls.clone()),
            playing: RwSignal::new(false),
            panes: [Pane::new(), Pane::new()],
            compare: RwSignal::new(state.compare),
            second: RwSignal::new(state.second.clone()),
            presenter: RwSignal::new(state.presenter),
            drawer: RwSignal::new(false),
            hidden: RwSignal::new(state.hidden.clone()),
            show_help: RwSignal::new(false),
            off_link: RwSignal::new(None),
            replay: RwSignal::new(None),
            error: RwSignal::new(None),
            stats: RwSignal::new(FrameStats::default()),
            show_stats: RwSignal::new(false),
            mcmc_view,
            has_draws: Memo::new(move |_| mcmc_view.with(|v| v.summary.is_some())),
            sampler: RwSignal::new(state.sampler),
            mcmc: StoredValue::new_local(None),
            elbo_canvas: StoredValue::new_local(None),
            marginals_canvas: StoredValue::new_local(None),
            play_after_replay: StoredValue::new_local(state.playing),
            applied: StoredValue::new_local(Applied {
                controls: state.controls.clone(),
                compare: state.compare,
                second: state.second.clone(),
            }),
            looping: StoredValue::new_local(false),
            clock: StoredValue::new_local(Clock::default()),
            resize: StoredValue::new_local(None),
        };
        live.restart();
        if let Some(m) = message {
            live.add_note(&m, true);
        }
        live.start_from(&state);
        live
    }

    /// Loads a state (a lesson's link, or one given to `mount`): its settings, views and steps.
    pub fn load(self, state: PageState) {
        self.playing.set(false);
        self.replay.set(None);
        self.controls.set(state.controls.clone());
        self.compare.set(state.compare);
        self.second.set(state.second.clone());
        self.presenter.set(state.presenter);
        self.hidden.set(state.hidden.clone());
        self.sampler.set(state.sampler);
        self.restart();
        self.start_from(&state);
    }

    /// Replays the state's steps, then plays if it says so, unless the system asks for reduced
    /// motion: then it stays paused and says so.
    fn start_from(self, state: &PageState) {
        let play = state.playing && !crate::app::browser::prefers_reduced_motion();
        if state.playing && !play {
            self.add_note("Paused, as your system asks for reduced motion: press Space or Play to start.", false);
        }
        self.play_after_replay.set_value(play);
        if state.step > 0 {
            self.replay.set(Some(state.step));
            self.ensure_loop();
        } else if play {
            self.play(true);
        }
    }

    /// Adds a sentence to the status line, before what it says (`first`) or after it.
    fn add_note(self, note: &str, first: bool) {
        self.error.update(|e| {
            *e = Some(match e.take() {
                None => note.to_string(),
                Some(old) if first => format!("{note} {old}"),
                Some(old) => format!("{old} {note}"),
            })
        });
    }

    /// Fit `i`'s caption, "A: full-rank, forward KL" (read untracked).
    pub fn caption(self, i: usize) -> String {
        let (family, objective) = self.choice(i);
        crate::playground::pane_caption(PANE_NAMES[i], &family, &objective)
    }

    /// Fit `i`'s family and objective (read untracked).
    pub fn choice(self, i: usize) -> (String, String) {
        let c = self.controls.get_untracked();
        if i == 0 {
            (c.settings.family, c.settings.objective)
        } else {
            let s = self.second.get_untracked();
            (s.family, s.objective)
        }
    }

    /// The first fit.
    pub fn first(self) -> Pane {
        self.panes[0]
    }

    /// The panes in use: one, or two side by side.
    pub fn active(self) -> &'static [usize] {
        if self.compare.get_untracked() {
            &[0, 1]
        } else {
            &[0]
        }
    }

    /// The whole state, as a link writes it.
    pub fn page_state(self) -> PageState {
        PageState {
            controls: self.controls.get_untracked(),
            step: self.first().step_count(),
            playing: self.playing.get_untracked(),
            sampler: self.sampler.get_untracked(),
            presenter: self.presenter.get_untracked(),
            compare: self.compare.get_untracked(),
            second: self.second.get_untracked(),
            hidden: self.hidden.get_untracked(),
        }
    }

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
            let used = controls.uses_draws() || (compare && second.controls(&controls).uses_draws());
            let b_label = {
                let mut b = second.controls(&controls).settings;
                b.without_draws()
            };
            let label = controls.settings.without_draws().or(if compare { b_label } else { None });
            let why =
                if same_target { "there are no MCMC draws yet" } else { "the MCMC draws were of the previous target" };
            note = label.filter(|_| used).map(|l| format!("Forward KL now uses {l}: {why}."));
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

    fn ensure_loop(self) {
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
    fn advance_fits(self, start: f64, max: u64, budget: f64) -> u64 {
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
            || now() - start < budget,
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
    fn frame(self) {
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
            let budget =
                (FRAME_BUDGET_MS - self.clock.with_value(|c| c.draw_ms)).clamp(STEP_BUDGET_MS.0, STEP_BUDGET_MS.1);
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
        if steps > 0 && diag_due {
            for &i in self.active() {
                self.panes[i].refresh_exact();
            }
            self.clock.update_value(|c| c.last_diag = t);
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

    fn advance_mcmc(self) {
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

    fn finish_mcmc(self) {
        let summary = self.mcmc.with_value(|m| m.as_ref().and_then(Mcmc::summary));
        self.mcmc_view.update(|v| v.summary = summary);
        self.refresh_bias();
        self.redraw(true);
    }

    /// The bias table for the first q against the MCMC summary.
    fn refresh_bias(self) {
        let Some(summary) = self.mcmc_view.with_untracked(|v| v.summary.clone()) else { return };
        let pane = self.first();
        let recent = pane.recent_moments();
        let bias = pane.fit.with_value(|f| f.as_ref().map(|f| bias_panel(&recent, &summary, &f.exact())));
        self.mcmc_view.update(|v| v.bias = bias.unwrap_or_default());
    }

    fn record(self) {
        for &i in self.active() {
            self.panes[i].record();
        }
    }

    fn publish(self) {
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

    /// Draws the main canvases (every call) and the charts (when `chart`).
    pub fn redraw(self, chart: bool) {
        for &i in self.active() {
            if let Err(e) = plots::main::draw(self, i) {
                self.error.set(Some(e));
            }
        }
        if chart {
            if let Err(e) = plots::elbo::draw(self).and_then(|()| plots::marginals::draw(self)) {
                self.error.set(Some(e));
            }
        }
    }

    fn account(self, start: f64, steps: u64) {
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
/// `window.viStats = { fps, stepsPerSec, msPerFrame, step }`, for tests and the curious.
fn publish_stats(s: &FrameStats, step: u64) {
    use wasm_bindgen::JsValue;
    let Some(w) = web_sys::window() else { return };
    let o = js_sys::Object::new();
    for (k, v) in
        [("fps", s.fps), ("stepsPerSec", s.steps_per_sec), ("msPerFrame", s.ms_per_frame), ("step", step as f64)]
    {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
    }
    let _ = js_sys::Reflect::set(&w, &JsValue::from_str("viStats"), &o);
}
