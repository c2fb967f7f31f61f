//! The bounded traces the charts draw, and the window of recent moments the bias table averages.

use std::collections::VecDeque;

use crate::engine::math::{Mat2, Vec2};

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

    /// The newest snapshot: q's moments at the last refresh.
    pub fn latest(&self) -> Option<(Vec2, Mat2)> {
        self.snaps.back().map(|(_, m)| *m)
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

/// Points kept per trace, however long the run.
pub const TRACE_POINTS: usize = 1500;

#[derive(Default)]
pub struct Traces {
    pub elbo: Trace,
    pub elbo_avg: Trace,
    pub kl_qp: Trace,
    pub kl_pq: Trace,
    /// The sandwich's Monte Carlo estimates at each refresh: the ELBO and CUBO₂ from 1000 draws.
    pub elbo_estimate: Trace,
    pub cubo2_estimate: Trace,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new(TRACE_POINTS)
    }
}

impl Traces {
    pub fn clear(&mut self) {
        *self = Traces::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn traces_export_as_csv_with_empty_non_finite_values() {
        let mut t = Trace::new(10);
        t.push(1, -2.5);
        t.push(2, f64::NAN);
        let csv = traces_csv([("A", "elbo", &t)]);
        assert_eq!(csv, "fit,series,step,value\nA,elbo,1,-2.5\nA,elbo,2,\n");
    }
}
