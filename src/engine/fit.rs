//! The fit the page drives: settings in, `step(n)`, a snapshot out (BlackJAX's init/step shape).
//!
//! All randomness of the optimisation comes from one RNG seeded by `Settings::seed`, so the same
//! settings give the same numbers every time, natively and in wasm, however the steps are batched
//! into frames. Diagnostics draw from their own RNG, derived from the seed and the step count, so
//! looking at the fit never changes it.

use super::error::EngineError;
use super::family::Family;
use super::family::Gaussian;
use super::math::{rng_from_seed, Mat2, Rng, Vec2};
use super::objective::{Estimate, Gradient, Scratch, Step};
use super::optim::{Adam, AdamState, Ema};
use super::quadrature::{Precision, TargetIntegrals};
use super::settings::{self, Value};
use super::slice::{block_on, Budget, Sliced};
use super::target::Target;
use std::rc::Rc;
use std::sync::Arc;

pub use super::optim::{check_estimate, check_params};
use super::refresh::RefreshParts;
pub use super::refresh::{refresh_ms, Diagnostics, PSIS_DRAWS};
pub use super::run::{Entries, Settings};
pub use super::settings::{LR_RANGE, MAX_SAMPLES};

/// Whether the fit can go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Running,
    /// Step `step` produced a non-finite value and was not applied; the parameters are those
    /// before it.
    Diverged {
        step: u64,
        what: String,
    },
}

/// What the page shows every frame: cheap to take.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub step: u64,
    pub params: Vec<f64>,
    pub mean: Vec2,
    pub cov: Mat2,
    /// The last step's Monte Carlo ELBO estimate (NaN before the first step).
    pub elbo: f64,
    /// A running (exponential, debiased) average of the ELBO estimates.
    pub elbo_avg: f64,
    /// Running average of the importance weights' ESS (forward KL by SNIS), out of S.
    pub ess: Option<f64>,
    pub status: Status,
}

pub struct Fit {
    settings: Settings,
    gradient: &'static Gradient,
    /// Shared with a refresh in progress ([`Fit::refresh_sliced`]), which outlives a frame.
    target: Arc<dyn Target>,
    integrals: Arc<TargetIntegrals>,
    initial: Box<dyn Family>,
    /// The optimizer's iterate.
    family: Box<dyn Family>,
    /// The q the fit shows and measures: the iterate, or (decaying schedule) the running average
    /// of recent iterates, brought up to date at the end of each `step`.
    shown: Box<dyn Family>,
    /// The average's parameters.
    average: Vec<f64>,
    /// Steps since the schedule (re)started: at the start, a drag, a new learning rate.
    clock: u64,
    draws: Vec<Vec2>,
    adam: Adam,
    adam_state: AdamState,
    rng: Rng,
    step: u64,
    last: Option<Estimate>,
    elbo_avg: Ema,
    ess_avg: Ema,
    status: Status,
    grad: Vec<f64>,
    next: Vec<f64>,
    scratch: Scratch,
}

impl Fit {
    /// Checks every setting and builds the fit at its initialisation.
    pub fn new(settings: Settings) -> Result<Self, EngineError> {
        Self::with_draws(settings, Vec::new())
    }

    /// As [`Fit::new`], with draws of p for forward KL from draws.
    pub fn with_draws(settings: Settings, draws: Vec<Vec2>) -> Result<Self, EngineError> {
        Self::with_precision(settings, draws, Precision::Full)
    }

    /// As [`Fit::with_draws`], with the per-refresh integrals held to `precision` (the page trades
    /// a little accuracy for speed; the CLI and the tests use [`Precision::Full`]).
    pub fn with_precision(settings: Settings, draws: Vec<Vec2>, precision: Precision) -> Result<Self, EngineError> {
        let e = settings.check(!draws.is_empty())?;
        let target = e.target.build(&settings.options)?;
        let initial = (e.family.build)(&settings.options, settings.seed)?;
        if draws.iter().any(|d| !d.iter().all(|v| v.is_finite())) {
            return Err(EngineError::Invalid("the draws of p contain a non-finite value".into()));
        }
        let integrals = TargetIntegrals::new(target.as_ref(), precision);
        let n = initial.params().len();
        let adam = Adam::new(settings.lr);
        Ok(Fit {
            gradient: e.gradient,
            adam_state: adam.init(n),
            adam,
            rng: rng_from_seed(settings.seed),
            family: initial.clone(),
            shown: initial.clone(),
            average: initial.params().to_vec(),
            clock: 0,
            initial,
            target: Arc::from(target),
            integrals: Arc::new(integrals),
            draws,
            settings,
            step: 0,
            last: None,
            elbo_avg: Ema::new(0.02),
            ess_avg: Ema::new(0.02),
            status: Status::Running,
            grad: vec![0.0; n],
            next: vec![0.0; n],
            scratch: Scratch::default(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn target(&self) -> &dyn Target {
        self.target.as_ref()
    }

    /// The optimizer's iterate (what [`Fit::family`] shows is its recent average under the
    /// decaying schedule).
    pub fn iterate(&self) -> &dyn Family {
        self.family.as_ref()
    }

    /// The q shown: the iterate, or its recent average (see [`Schedule`]).
    pub fn family(&self) -> &dyn Family {
        self.shown.as_ref()
    }

    /// ln Z, p's moments and the integrators of the exact diagnostics.
    pub fn integrals(&self) -> &TargetIntegrals {
        &self.integrals
    }

    /// The target's exact ln Z and moments: closed forms where science.md gives them, integrals
    /// otherwise.
    pub fn exact(&self) -> crate::engine::target::Exact {
        self.integrals.exact(self.target.as_ref())
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Advances up to `n` optimizer steps; stops early, without applying it, at a step that yields
    /// a non-finite ELBO, gradient or parameter. Returns the number of steps applied.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.status == Status::Running {
            if let Err(what) = self.one_step() {
                self.status = Status::Diverged { step: self.step + 1, what };
                break;
            }
            done += 1;
        }
        self.shown.set_params(&self.average);
        done
    }

    fn one_step(&mut self) -> Result<(), String> {
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let est = (self.gradient.estimate)(&mut Step {
            target: self.target.as_ref(),
            q: self.family.as_ref(),
            rng: &mut self.rng,
            samples: self.settings.samples,
            options: &self.settings.options,
            draws: &self.draws,
            scratch: &mut self.scratch,
            grad: &mut self.grad,
        });
        check_estimate(est.elbo, &self.grad)?;
        self.adam.lr = self.settings.schedule.lr(self.settings.lr, self.clock);
        self.adam.update(&mut self.adam_state, &self.grad, self.family.params(), &mut self.next);
        check_params(&self.next)?;
        self.family.set_params(&self.next);
        self.step += 1;
        self.clock += 1;
        let w = self.settings.schedule.average_weight(self.clock);
        for (a, p) in self.average.iter_mut().zip(&self.next) {
            *a += w * (p - *a);
        }
        self.elbo_avg.push(est.elbo);
        if let Some(ess) = est.ess {
            self.ess_avg.push(ess);
        }
        self.last = Some(est);
        Ok(())
    }

    /// Changes the learning rate on the fly. After a divergence this is the way back: the fit
    /// resumes from its last good parameters with fresh Adam moments.
    pub fn set_lr(&mut self, lr: f64) -> Result<(), EngineError> {
        self.settings.lr = settings::LR.check(Value::Number(lr))?.number();
        self.adam.lr = lr;
        if self.status != Status::Running {
            self.adam_state = self.adam.init(self.family.params().len());
            self.status = Status::Running;
        }
        // The schedule starts again from the new rate, and the average from the iterate.
        self.restart_schedule();
        Ok(())
    }

    /// Sets φ directly (the student dragging q), keeping the step count; Adam's moments restart.
    pub fn set_params(&mut self, params: &[f64]) -> Result<(), EngineError> {
        if params.len() != self.family.params().len() || params.iter().any(|p| !p.is_finite()) {
            return Err(EngineError::Invalid(format!("expected {} finite parameters", self.family.params().len())));
        }
        self.family.set_params(params);
        self.restart_schedule();
        self.adam_state = self.adam.init(params.len());
        self.status = Status::Running;
        Ok(())
    }

    /// Moves q by `delta`, as when the student drags its mean; see [`Fit::set_params`].
    pub fn shift(&mut self, delta: Vec2) -> Result<(), EngineError> {
        let all = self.shown.locations();
        self.shift_at(&all, delta)
    }

    /// Moves stratum `k` alone by `delta` (a mixture's component, dragged by its centre).
    pub fn shift_stratum(&mut self, k: usize, delta: Vec2) -> Result<(), EngineError> {
        let Some(&i) = self.shown.locations().get(k) else {
            return Err(EngineError::Invalid(format!("q has no stratum {k}")));
        };
        self.shift_at(&[i], delta)
    }

    fn shift_at(&mut self, locations: &[usize], delta: Vec2) -> Result<(), EngineError> {
        let mut phi = self.shown.params().to_vec();
        for &i in locations {
            phi[i] += delta[0];
            phi[i + 1] += delta[1];
        }
        self.set_params(&phi)
    }

    /// Sets a Gaussian q to N(mean, LLᵀ) (L lower-triangular with a positive diagonal; mean-field
    /// keeps only its diagonal), as when the student drags a handle of its ellipse.
    pub fn set_gaussian(&mut self, mean: Vec2, l: &Mat2) -> Result<(), EngineError> {
        let structure = self
            .family
            .structure()
            .ok_or_else(|| EngineError::Invalid(format!("the {} family is not a Gaussian", self.family.name())))?;
        if !(l[(0, 0)] > 0.0 && l[(1, 1)] > 0.0) {
            return Err(EngineError::Invalid("the ellipse needs a positive width".into()));
        }
        self.set_params(Gaussian::new(structure, mean, l).params())
    }

    /// The schedule's clock back to 0, the shown q and its average at the iterate.
    fn restart_schedule(&mut self) {
        self.clock = 0;
        self.average.copy_from_slice(self.family.params());
        self.shown.set_params(&self.average);
    }

    /// Back to step 0: the initial q, fresh Adam moments, the RNG reseeded.
    pub fn reset(&mut self) {
        self.family = self.initial.clone();
        self.restart_schedule();
        self.adam_state = self.adam.init(self.family.params().len());
        self.rng = rng_from_seed(self.settings.seed);
        self.step = 0;
        self.last = None;
        self.elbo_avg = Ema::new(0.02);
        self.ess_avg = Ema::new(0.02);
        self.scratch = Scratch::default();
        self.status = Status::Running;
    }

    /// The step's Monte Carlo ELBO, its running average and the IS-ESS: what a frame shows,
    /// without q's moments (a quadrature for a flow).
    pub fn progress(&self) -> (f64, f64, Option<f64>) {
        (
            self.last.map_or(f64::NAN, |e| e.elbo),
            self.elbo_avg.value(),
            self.last.and_then(|e| e.ess).map(|_| self.ess_avg.value()),
        )
    }

    pub fn snapshot(&self) -> Snapshot {
        let (mean, cov) = self.shown.moments();
        Snapshot {
            step: self.step,
            params: self.shown.params().to_vec(),
            mean,
            cov,
            elbo: self.last.map_or(f64::NAN, |e| e.elbo),
            elbo_avg: self.elbo_avg.value(),
            ess: self.last.and_then(|e| e.ess).map(|_| self.ess_avg.value()),
            status: self.status.clone(),
        }
    }

    /// The exact KL(q‖p) alone (about a millisecond): ln Z minus the exact ELBO.
    pub fn kl_qp(&self) -> f64 {
        self.integrals.kl_qp(self.target.as_ref(), self.shown.as_ref())
    }

    /// What the page refreshes a few times a second: the exact diagnostics and q's moments, both at
    /// the fit's [`Precision`].
    pub fn refresh(&self) -> (Diagnostics, (Vec2, Mat2)) {
        block_on(self.refresh_parts().run(&Budget::never()))
    }

    /// [`Fit::refresh`] of q as it is now, to be run a slice at a time (one per animation frame,
    /// while the fit goes on stepping): the same numbers as [`Fit::refresh`] at this step.
    pub fn refresh_sliced(&self, budget: Rc<Budget>) -> Sliced<(Diagnostics, (Vec2, Mat2))> {
        let parts = self.refresh_parts();
        let b = budget.clone();
        Sliced::new(async move { parts.run(&b).await }, budget)
    }

    fn refresh_parts(&self) -> RefreshParts {
        RefreshParts {
            target: self.target.clone(),
            integrals: self.integrals.clone(),
            q: self.shown.clone(),
            settings: self.settings.clone(),
            step: self.step,
        }
    }

    /// Exact KLs by quadrature and PSIS k̂, for the current q (without [`Fit::refresh`]'s
    /// moments).
    pub fn diagnostics(&self) -> Diagnostics {
        block_on(self.refresh_parts().diagnostics(&Budget::never()))
    }
}
