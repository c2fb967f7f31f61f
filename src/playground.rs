//! The page's state as plain Rust, tested natively: the controls and how they become engine
//! settings, and the bounded traces the charts draw. The Leptos layer only holds these in signals.

use std::collections::VecDeque;

use crate::engine::family;
use crate::engine::objective;
use crate::engine::fit::Settings;
use crate::engine::math::{Mat2, Vec2};
use crate::engine::target;

/// Everything the student sets: the engine's settings, and how fast to animate.
#[derive(Debug, Clone, PartialEq)]
pub struct Controls {
    pub settings: Settings,
    /// Most optimizer steps per animation frame (the frame's time budget may allow fewer).
    pub steps_per_frame: usize,
}

impl Default for Controls {
    fn default() -> Self {
        let mut settings = Settings::default();
        if let Ok(f) = family::find(&settings.family) {
            settings.lr = f.default_lr;
        }
        Controls { settings, steps_per_frame: 100 }
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

    /// A new target starts at its default inputs.
    pub fn with_target(&self, name: &str) -> Controls {
        let mut next = self.clone();
        if let Ok(t) = target::find(name) {
            next.settings.target = t.name.into();
            for row in target::TARGETS.iter().flat_map(|t| t.inputs) {
                next.settings.options.reset(row);
            }
        }
        next
    }

    /// A new objective brings its own sample count (forward KL wants more); each objective keeps
    /// its own choice of gradient.
    pub fn with_objective(&self, name: &str) -> Controls {
        let mut next = self.clone();
        if let Ok(o) = objective::find(name) {
            next.settings.objective = o.name.into();
            next.settings.samples = o.default_samples;
        }
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

    /// A new family brings its own learning rate (the flow wants a smaller one).
    pub fn with_family(&self, name: &str) -> Controls {
        let mut next = self.clone();
        if let Ok(f) = family::find(name) {
            // A new family starts at its own learning rate; the same family keeps the one set (so
            // side by side, a second fit of the same family runs at the first's rate).
            if f.name != self.settings.family {
                next.settings.lr = f.default_lr;
            }
            next.settings.family = f.name.into();
            objective::fit_to_family(&mut next.settings.options, f);
        }
        next
    }
}

/// What a pane of the side-by-side view is: "A: full-rank, forward KL" (the caption over the fit
/// and the ELBO chart's key).
pub fn pane_caption(pane: &str, family: &str, objective: &str) -> String {
    let label = objective::find(objective).map_or(objective, |o| o.short);
    format!("{pane}: {family}, {label}")
}

/// The name after `current` in `names`, wrapping round (the first if `current` is not there).
fn next_name(names: impl Iterator<Item = &'static str> + Clone, current: &str) -> &'static str {
    let first = names.clone().next().unwrap_or_default();
    names.skip_while(|n| *n != current).nth(1).unwrap_or(first)
}

/// Largest chunk of optimizer steps taken between two looks at the clock.
pub const MAX_CHUNK: u64 = 256;

/// One frame's optimizer steps: `step(n)` in growing chunks (1, 2, 4, … [`MAX_CHUNK`]) until
/// `max` steps are taken, a call takes fewer than asked (a fit diverged or is missing), or
/// `time_left()` says the frame's budget is spent. The first chunk is taken whatever the clock
/// says, so a frame that starts late (the machine busy elsewhere) still steps, and zero steps
/// means only that the fits cannot step. Returns the steps taken.
pub fn steps_within(max: u64, mut time_left: impl FnMut() -> bool, mut step: impl FnMut(u64) -> u64) -> u64 {
    let mut steps = 0;
    let mut chunk = 1;
    while steps < max {
        let n = chunk.min(max - steps);
        let done = step(n);
        steps += done;
        if done < n || !time_left() {
            break;
        }
        chunk = (chunk * 2).min(MAX_CHUNK);
    }
    steps
}

/// A trace of (step, value) pairs that keeps at most `cap` points however long it runs: when full,
/// every other point is dropped and points are then kept half as often. An hour-long demo thus
/// keeps a fixed amount of memory and an even coverage of its whole history.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    cap: usize,
    stride: u64,
    points: Vec<(u64, f64)>,
}

impl Trace {
    pub fn new(cap: usize) -> Self {
        Trace { cap: cap.max(4), stride: 1, points: Vec::new() }
    }

    /// Offers the value at `step`; kept when `step` falls on the current stride. A value at the
    /// last point's step replaces it (q dragged by hand while paused: the trace shows where q is
    /// now, and a thousand drags do not fill the trace).
    pub fn push(&mut self, step: u64, value: f64) {
        if let Some(last) = self.points.last_mut().filter(|(s, _)| *s == step) {
            last.1 = value;
            return;
        }
        if step % self.stride != 0 {
            return;
        }
        self.points.push((step, value));
        if self.points.len() >= self.cap {
            self.stride = self.stride.saturating_mul(2);
            let stride = self.stride;
            self.points.retain(|(s, _)| s % stride == 0);
        }
    }

    pub fn points(&self) -> &[(u64, f64)] {
        &self.points
    }

    /// The smallest and largest finite value, if any.
    pub fn range(&self) -> Option<(f64, f64)> {
        let finite = self.points.iter().map(|p| p.1).filter(|v| v.is_finite());
        finite.fold(None, |acc, v| Some(acc.map_or((v, v), |(lo, hi): (f64, f64)| (lo.min(v), hi.max(v)))))
    }
}

/// q's moments at recent steps, which the bias table averages (Polyak–Ruppert) and whose spread
/// is the fit's own standard error. At a constant learning rate the iterate keeps jittering about
/// the optimum with an autocorrelation time of about 20–25 Adam steps (measured at lr 0.05 on
/// the correlated and banana targets), so snapshots are kept at least `gap` steps apart: nearer
/// ones would shrink the standard error without adding information. The newest snapshot always
/// stands for q now, and only the second half of the run so far is kept (Polyak–Ruppert averaging
/// without the transient: at a slow speed the starting q would otherwise linger for a minute).
#[derive(Debug, Clone, PartialEq)]
pub struct MomentWindow {
    cap: usize,
    gap: u64,
    snaps: VecDeque<(u64, (Vec2, Mat2))>,
}

impl MomentWindow {
    pub fn new(cap: usize, gap: u64) -> Self {
        MomentWindow { cap: cap.max(1), gap, snaps: VecDeque::new() }
    }

    /// Offers q's moments at `step`. They replace the newest snapshot when that one is at the
    /// same step or not yet `gap` steps past the one before it; otherwise they are added, and the
    /// oldest goes once `cap` are kept or once it is from the first half of the run. So every
    /// snapshot but the newest is `gap` from the next.
    pub fn offer(&mut self, step: u64, moments: (Vec2, Mat2)) {
        let n = self.snaps.len();
        let same = self.snaps.back().is_some_and(|&(last, _)| last == step);
        let provisional = n >= 2 && self.snaps[n - 1].0.saturating_sub(self.snaps[n - 2].0) < self.gap;
        if same || provisional {
            self.snaps.pop_back();
        }
        self.snaps.push_back((step, moments));
        while self.snaps.len() > self.cap || self.snaps.front().is_some_and(|&(first, _)| first < step / 2) {
            self.snaps.pop_front();
        }
    }

    /// The kept moments, oldest first.
    pub fn moments(&self) -> Vec<(Vec2, Mat2)> {
        self.snaps.iter().map(|(_, m)| *m).collect()
    }

    pub fn clear(&mut self) {
        self.snaps.clear();
    }
}

/// The traces as CSV, one row per point: `fit,series,step,value` (non-finite values empty).
pub fn traces_csv<'a>(series: impl IntoIterator<Item = (&'a str, &'a str, &'a Trace)>) -> String {
    let mut out = String::from("fit,series,step,value\n");
    for (fit, name, trace) in series {
        for &(step, value) in trace.points() {
            let v = if value.is_finite() { value.to_string() } else { String::new() };
            out.push_str(&format!("{fit},{name},{step},{v}\n"));
        }
    }
    out
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number; `null` for NaN and infinities, which JSON cannot hold.
pub fn json_number(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        "null".into()
    }
}

/// A JSON array of numbers.
pub fn json_numbers(xs: &[f64]) -> String {
    format!("[{}]", xs.iter().map(|&x| json_number(x)).collect::<Vec<_>>().join(","))
}

/// A JSON object from keys and values that are JSON already.
pub fn json_object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", json_string(k))).collect();
    format!("{{{}}}", body.join(","))
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
        let run = |max: u64, looks: usize, stop_after: u64| {
            let (mut calls, mut taken, mut seen) = (Vec::new(), 0, 0);
            let steps = steps_within(
                max,
                || {
                    seen += 1;
                    seen <= looks
                },
                |n| {
                    calls.push(n);
                    let done = n.min(stop_after - taken);
                    taken += done;
                    done
                },
            );
            (steps, calls)
        };
        // The clock already past the budget (a late frame): one step all the same.
        assert_eq!(run(100, 0, u64::MAX), (1, vec![1]));
        // Chunks double up to MAX_CHUNK and the last one is cut to `max`.
        let (steps, calls) = run(1000, usize::MAX, u64::MAX);
        assert_eq!(steps, 1000);
        assert_eq!(calls, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 233]);
        // The budget ends it after the chunk in hand.
        assert_eq!(run(1000, 3, u64::MAX), (15, vec![1, 2, 4, 8]));
        // A fit that stops (diverged) ends the frame on its last step; one that cannot step makes 0.
        assert_eq!(run(1000, usize::MAX, 10), (10, vec![1, 2, 4, 8]));
        assert_eq!(run(1000, usize::MAX, 0), (0, vec![1]));
        // Nothing asked, nothing taken (a replay already at its step).
        assert_eq!(run(0, usize::MAX, u64::MAX), (0, vec![]));
    }

    #[test]
    fn a_value_at_the_same_step_replaces_the_last_point() {
        let mut t = Trace::new(10);
        t.push(0, 1.0);
        // A student dragging q at step 0 for a long while: one point, the latest value.
        for k in 0..100_000 {
            t.push(0, k as f64);
        }
        assert_eq!(t.points(), &[(0, 99_999.0)]);
        for step in 1..=3 {
            t.push(step, 0.5);
            t.push(step, step as f64);
        }
        assert_eq!(t.points(), &[(0, 99_999.0), (1, 1.0), (2, 2.0), (3, 3.0)]);
    }

    #[test]
    fn moment_window_keeps_snapshots_a_gap_apart_and_the_newest_current() {
        let m = |v: f64| (Vec2::new(v, 0.0), Mat2::identity() * v);
        let steps = |w: &MomentWindow| w.snaps.iter().map(|s| s.0).collect::<Vec<_>>();
        let mut w = MomentWindow::new(10, 100);
        // Refreshes at one step (drags, a paused page redrawn) do not add snapshots.
        for k in 0..50 {
            w.offer(0, m(k as f64));
        }
        assert_eq!(w.moments(), vec![m(49.0)]);
        // Speed 1: a refresh every 12 steps for 3000 steps.
        for step in (12..=3000).step_by(12) {
            w.offer(step, m(step as f64));
            let s = steps(&w);
            assert_eq!(*s.last().unwrap(), step, "the newest is q now");
            assert!(s.len() <= 10 && s[0] >= step / 2, "at {step}: {s:?}");
            assert!(s.windows(2).rev().skip(1).all(|p| p[1] - p[0] >= 100), "at {step}: {s:?}");
        }
        // The start is long gone; the last 1500 steps are covered.
        assert_eq!(steps(&w).len(), 10);
        assert!(steps(&w)[0] >= 1500);
        // Ten at most, a gap apart, at any speed.
        for step in (3000..60_000).step_by(1200) {
            w.offer(step, m(step as f64));
        }
        assert_eq!(steps(&w), (38..48).map(|k| 3000 + 1200 * k).collect::<Vec<u64>>());
        w.clear();
        assert!(w.moments().is_empty());
    }

    #[test]
    fn trace_stays_bounded_and_covers_the_whole_run() {
        let mut t = Trace::new(1000);
        for step in 1..=1_000_000u64 {
            t.push(step, step as f64);
        }
        let p = t.points();
        assert!(p.len() < 1000 && p.len() > 400, "{} points", p.len());
        assert!(p.first().unwrap().0 < 5000, "the start is kept");
        assert!(p.last().unwrap().0 > 995_000, "the end is kept");
        assert!(p.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(t.range(), Some((p[0].1, p[p.len() - 1].1)));
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
        assert_eq!(f.next_family().next_family().settings.family, "mean-field");
        let d = start.next_objective();
        assert_eq!((d.settings.objective.as_str(), d.settings.samples), ("forward", 32));
        assert_eq!(d.next_objective().settings.objective, "reverse");
    }

    #[test]
    fn exports_are_valid_csv_and_json() {
        let mut t = Trace::new(10);
        t.push(1, -2.5);
        t.push(2, f64::NAN);
        let csv = traces_csv([("A", "elbo", &t)]);
        assert_eq!(csv, "fit,series,step,value\nA,elbo,1,-2.5\nA,elbo,2,\n");
        let json = json_object(&[
            ("name", json_string("a \"q\"\\ \n ✓")),
            ("x", json_number(f64::INFINITY)),
            ("xs", json_numbers(&[1.0, -0.25, 1e-300])),
            ("inner", json_object(&[("k", json_number(3.0))])),
        ]);
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["name"], "a \"q\"\\ \n ✓");
        assert!(v["x"].is_null());
        assert_eq!(v["xs"][2], 1e-300);
        assert_eq!(v["inner"]["k"], 3.0);
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
        bent.settings.set(&crate::engine::target::find("banana").unwrap().inputs[0], crate::engine::settings::Value::Number(1.7)).unwrap();
        let rho = c.with_target("correlated");
        assert_eq!(rho.settings.get(&target::find("correlated").unwrap().inputs[0]).number(), 0.9, "a new target starts at its default");
        assert_eq!(bent.with_target("correlated").settings, rho.settings, "and keeps no input of the old one");
        assert_eq!(c.with_target(crate::engine::NEVER_A_NAME), c);
        assert!(crate::engine::fit::Fit::new(Controls::default().settings).is_ok());
    }
}
