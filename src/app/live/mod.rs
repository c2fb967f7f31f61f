//! The running playground: the fit, the MCMC reference and the traces, held outside the reactive
//! graph (they change every frame), and the requestAnimationFrame loop that advances them within a
//! time budget and publishes what the page shows through signals. By concern: [`pane`] (one fit and
//! what the page shows of it), [`actions`] (what the student does), [`mcmc`] (the reference run),
//! [`frame`] (the loop); the decisions themselves are plain Rust in [`crate::playground`].

use std::collections::BTreeSet;

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::engine::mcmc::{Mcmc, SamplerKind};
use crate::link::{PageState, Part, Second};
use crate::playground::Controls;

mod actions;
mod frame;
mod mcmc;
mod pane;

pub use crate::app::browser::now;
pub use crate::playground::{Exact, Readout, PANE_NAMES};
use frame::Clock;
pub use frame::FrameStats;
pub use mcmc::McmcView;
pub use pane::Pane;

/// A frame's whole budget for the page's own work (60 Hz: 16.7 ms, less what the browser needs
/// to composite); optimizer steps get what drawing, an MCMC run and a refresh under way leave,
/// between these bounds.
pub const FRAME_BUDGET_MS: f64 = 12.0;
pub const STEP_BUDGET_MS: (f64, f64) = (2.0, 8.0);
/// Milliseconds of MCMC work per frame while it runs.
pub const MCMC_BUDGET_MS: f64 = 5.0;
/// How often the exact diagnostics (quadrature KLs, k̂) are recomputed while playing.
pub const DIAGNOSTICS_EVERY_MS: f64 = 200.0;
/// The least time a frame gives a refresh under way (see [`crate::engine::slice`]).
pub const REFRESH_SLICE_MS: f64 = 2.0;
/// The time a frame gives tabulating q's contours while the fit moves (see
/// [`crate::playground::contours`]).
pub const CONTOURS_SLICE_MS: f64 = 2.0;
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
    /// The data panel's canvas (a target with data), its keyboard cursor and where it last drew.
    pub data_canvas: StoredValue<Option<HtmlCanvasElement>, LocalStorage>,
    pub data_cursor: RwSignal<f64>,
    pub data_frame: StoredValue<Option<crate::app::plots::data::DataFrame>, LocalStorage>,
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
    pub(super) fn same_target(&self, c: &Controls) -> bool {
        self.controls.settings.same_target(&c.settings)
    }
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
            data_canvas: StoredValue::new_local(None),
            data_cursor: RwSignal::new(0.0),
            data_frame: StoredValue::new_local(None),
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
    pub(super) fn start_from(self, state: &PageState) {
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
    pub(super) fn add_note(self, note: &str, first: bool) {
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
}
