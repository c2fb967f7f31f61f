//! The page's state as plain Rust, tested natively: the controls and how they become engine
//! settings ([`Controls`]), the bounded traces the charts draw ([`trace`]) and the numbers the
//! readouts show ([`readout`]). The Leptos layer only holds these in signals.

use crate::engine::family;
use crate::engine::fit::Settings;
use crate::engine::objective;
use crate::engine::target;

pub mod contours;
pub mod data;
mod readout;
mod trace;

pub use readout::{pane_caption, Exact, Readout, PANE_NAMES};
pub use trace::{traces_csv, MomentWindow, Trace, Traces, TRACE_POINTS};

/// Everything the student sets: the engine's settings, and how fast to animate.
#[derive(Debug, Clone, PartialEq)]
pub struct Controls {
    pub settings: Settings,
    /// Most optimizer steps per animation frame (the frame's time budget may allow fewer).
    pub steps_per_frame: usize,
}

impl Default for Controls {
    fn default() -> Self {
        Controls { settings: Settings::default(), steps_per_frame: 100 }
    }
}

/// Which change a new value of the controls asks of the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing the fit depends on.
    None,
    /// Only the learning rate: applied on the fly.
    LearningRate,
    /// Anything else: a new fit from step 0.
    Restart,
}

impl Controls {
    /// What going from `self` to `next` asks of the fit.
    pub fn change_to(&self, next: &Controls) -> Change {
        let (a, b) = (&self.settings, &next.settings);
        if a == b {
            Change::None
        } else if (Settings { lr: b.lr, ..a.clone() }) == *b {
            Change::LearningRate
        } else {
            Change::Restart
        }
    }

    /// Whether the fit needs draws of p (forward KL from the MCMC reference).
    pub fn uses_draws(&self) -> bool {
        self.settings.entries().is_ok_and(|e| e.gradient.needs_draws)
    }

    /// A new target, at its default inputs ([`Settings::set_target`]); an unknown name changes
    /// nothing.
    pub fn with_target(&self, name: &str) -> Controls {
        let mut next = self.clone();
        let _ = next.settings.set_target(name);
        next
    }

    /// A new objective with its sample count ([`Settings::set_objective`]).
    pub fn with_objective(&self, name: &str) -> Controls {
        let mut next = self.clone();
        let _ = next.settings.set_objective(name);
        next
    }

    /// The next target in the registry's order (the `t` key), from its default parameter.
    pub fn next_target(&self) -> Controls {
        self.with_target(next_name(target::TARGETS.iter().map(|t| t.name), &self.settings.target))
    }

    /// The next family (the `f` key), with its learning rate.
    pub fn next_family(&self) -> Controls {
        self.with_family(next_name(family::FAMILIES.iter().map(|f| f.name), &self.settings.family))
    }

    /// The next objective (the `d` key), with its sample count.
    pub fn next_objective(&self) -> Controls {
        self.with_objective(next_name(objective::OBJECTIVES.iter().map(|o| o.name), &self.settings.objective))
    }

    /// A new family with its learning rate ([`Settings::set_family`]).
    pub fn with_family(&self, name: &str) -> Controls {
        let mut next = self.clone();
        let _ = next.settings.set_family(name);
        next
    }
}

/// The name after `current` in `names`, wrapping round (the first if `current` is not there).
fn next_name(names: impl Iterator<Item = &'static str> + Clone, current: &str) -> &'static str {
    let first = names.clone().next().unwrap_or_default();
    names.skip_while(|n| *n != current).nth(1).unwrap_or(first)
}

/// Largest chunk of optimizer steps taken between two looks at the clock.
pub const MAX_CHUNK: u64 = 256;

/// One frame's optimizer steps: `step(n)` in growing chunks (1, 2, 4, … [`MAX_CHUNK`]), each cut to
/// what the time left holds at the pace so far, until `max` steps are taken, a call takes fewer
/// than asked (a fit diverged or is missing), or `elapsed()` (milliseconds since the frame's
/// steps began) reaches `budget`. Doubling alone overshoots the budget by up to the chunk in hand,
/// twice the budget at worst (a flow's frame took 16 ms of an 8 ms budget). The first chunk is
/// taken whatever the clock says, so a frame that starts late (the machine busy elsewhere) still
/// steps, and zero steps means only that the fits cannot step. Returns the steps taken.
pub fn steps_within(max: u64, budget: f64, mut elapsed: impl FnMut() -> f64, mut step: impl FnMut(u64) -> u64) -> u64 {
    let mut steps = 0;
    let mut chunk = 1;
    while steps < max {
        let n = chunk.min(max - steps);
        let done = step(n);
        steps += done;
        let spent = elapsed();
        if done < n || spent >= budget {
            break;
        }
        // At the pace so far, the steps that fit in what is left: none, and the frame is done.
        let fit = ((budget - spent) * steps as f64 / spent.max(1e-9)).floor();
        if fit < 1.0 {
            break;
        }
        chunk = (chunk * 2).min(MAX_CHUNK).min(fit as u64);
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new family brings its learning rate; the same family keeps the one set, so a second fit
    /// of the same family side by side runs at the first's rate (and can diverge with it).
    #[test]
    fn a_family_change_sets_the_learning_rate_and_the_same_family_keeps_it() {
        let mut c = Controls::default();
        c.settings.family = "full-rank".into();
        c.settings.lr = 50.0;
        assert_eq!(c.with_family("full-rank").settings.lr, 50.0);
        assert_eq!(c.with_family("flow").settings.lr, family::find("flow").unwrap().default_lr);
        assert_eq!(c.with_family("mean-field").settings.lr, family::find("mean-field").unwrap().default_lr);
        let same = crate::link::Second { family: "full-rank".into(), objective: "forward".into() };
        assert_eq!(same.controls(&c).settings.lr, 50.0);
        // An unknown name changes nothing.
        assert_eq!(c.with_family(crate::engine::NEVER_A_NAME).settings, c.settings);
    }

    #[test]
    fn a_frame_steps_at_least_once_and_stops_when_a_fit_does() {
        // A clock on which each step takes `ms`; a fit that stops after `stop_after` steps.
        let run = |max: u64, budget: f64, ms: f64, stop_after: u64| {
            let (mut calls, taken) = (Vec::new(), std::cell::Cell::new(0));
            let steps = steps_within(
                max,
                budget,
                || taken.get() as f64 * ms,
                |n| {
                    calls.push(n);
                    let done = n.min(stop_after - taken.get());
                    taken.set(taken.get() + done);
                    done
                },
            );
            (steps, calls)
        };
        // No time at all (a late frame): one step all the same.
        assert_eq!(run(100, 0.0, 1.0, u64::MAX), (1, vec![1]));
        // Time for everything: chunks double up to MAX_CHUNK and the last one is cut to `max`.
        let (steps, calls) = run(1000, 1e9, 1e-6, u64::MAX);
        assert_eq!(steps, 1000);
        assert_eq!(calls, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 233]);
        // The budget: at 1 ms a step, 10 ms hold 10 steps, the last chunk cut to fit (doubling
        // alone would take 1 + 2 + 4 + 8 = 15).
        assert_eq!(run(1000, 10.0, 1.0, u64::MAX), (10, vec![1, 2, 4, 3]));
        assert_eq!(run(1000, 10.5, 1.0, u64::MAX), (10, vec![1, 2, 4, 3]));
        assert_eq!(run(1000, 2.0, 0.5, u64::MAX), (4, vec![1, 2, 1]));
        // A fit that stops (diverged) ends the frame on its last step; one that cannot step makes 0.
        assert_eq!(run(1000, 1e9, 1e-6, 10), (10, vec![1, 2, 4, 8]));
        assert_eq!(run(1000, 1e9, 1e-6, 0), (0, vec![1]));
        // Nothing asked, nothing taken (a replay already at its step).
        assert_eq!(run(0, 1e9, 1e-6, u64::MAX), (0, vec![]));
    }

    #[test]
    fn cycling_visits_every_choice_and_comes_back() {
        let start = Controls::default();
        let mut c = start.clone();
        let mut seen = Vec::new();
        for _ in 0..target::TARGETS.len() {
            c = c.next_target();
            seen.push(c.settings.target.clone());
            assert_eq!(c.settings.options, Default::default(), "{} starts at its default inputs", c.settings.target);
        }
        assert_eq!(c.settings.target, start.settings.target);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), target::TARGETS.len());
        let f = start.next_family();
        assert_eq!((f.settings.family.as_str(), f.settings.lr), ("full-rank", 0.05));
        assert_eq!(f.next_family().settings.family, "flow");
        assert_eq!(f.next_family().next_family().settings.family, "mixture");
        assert_eq!(f.next_family().next_family().next_family().settings.family, "mean-field");
        let d = start.next_objective();
        assert_eq!((d.settings.objective.as_str(), d.settings.samples), ("forward", 32));
        assert_eq!(d.next_objective().settings.objective, "renyi");
        assert_eq!(d.next_objective().next_objective().settings.objective, "iwae");
        assert_eq!(d.next_objective().next_objective().next_objective().settings.objective, "reverse");
    }

    #[test]
    fn a_pane_caption_names_its_family_and_objective() {
        assert_eq!(pane_caption("A", "full-rank", "forward"), "A: full-rank, forward KL");
        assert_eq!(pane_caption("B", "mean-field", "reverse"), "B: mean-field, reverse KL");
        for o in objective::OBJECTIVES {
            // Short enough for one line over a fit in a narrow column (presenter mode at 1024×768).
            assert!(pane_caption("A", "mean-field", o.name).chars().count() <= 26, "{}", o.short);
        }
    }

    #[test]
    fn changing_controls_restarts_or_not() {
        let c = Controls::default();
        assert_eq!(c.change_to(&c.clone()), Change::None);
        let mut lr = c.clone();
        lr.settings.lr = 0.01;
        assert_eq!(c.change_to(&lr), Change::LearningRate);
        assert_eq!(c.change_to(&Controls { steps_per_frame: 5, ..c.clone() }), Change::None);
        assert_eq!(c.change_to(&c.with_target("bimodal")), Change::Restart);
        let mut seed = c.clone();
        seed.settings.seed = 2;
        assert_eq!(c.change_to(&seed), Change::Restart);
        assert_eq!(c.with_objective("forward").settings.samples, 32, "forward KL brings more samples");
        let f = c.with_family("flow");
        assert_eq!(f.settings.lr, 0.01, "the flow brings its learning rate");
        let mut bent = c.clone();
        bent.settings
            .set(&crate::engine::target::find("banana").unwrap().inputs[0], crate::engine::settings::Value::Number(1.7))
            .unwrap();
        let rho = c.with_target("correlated");
        assert_eq!(
            rho.settings.get(&target::find("correlated").unwrap().inputs[0]).number(),
            0.9,
            "a new target starts at its default"
        );
        assert_eq!(bent.with_target("correlated").settings, rho.settings, "and keeps no input of the old one");
        assert_eq!(c.with_target(crate::engine::NEVER_A_NAME), c);
        assert!(crate::engine::fit::Fit::new(Controls::default().settings).is_ok());
    }
}
