//! Warm-up adaptation shared by the samplers: Stan's windowed schedule with a running variance
//! for the diagonal metric, and Nesterov dual averaging for the step size (Hoffman & Gelman 2014,
//! Algorithm 5; Stan's defaults γ = 0.05, t₀ = 10, κ = 0.75).

use crate::engine::math::{exp, ln, Vec2};

/// Stan's warm-up windows: a fast initial buffer, slow windows that double in length (each ends
/// with a metric update), a fast terminal buffer. Short warm-ups use 15 % / 75 % / 10 %.
#[derive(Debug, Clone)]
pub struct Schedule {
    warmup: usize,
    /// The iterations (0-based) at which a slow window closes.
    window_ends: Vec<usize>,
    init: usize,
    term: usize,
}

impl Schedule {
    pub fn new(warmup: usize) -> Self {
        Self::with_terminal(warmup, 50)
    }

    /// The same with a terminal buffer of `term` iterations (Stan's is 50): random-walk Metropolis
    /// tunes its scale there by dual averaging and needs longer than NUTS's step size does.
    pub fn with_terminal(warmup: usize, term: usize) -> Self {
        let (mut init, mut term, base) = (75, term, 25);
        if warmup < 20 {
            return Schedule { warmup, window_ends: Vec::new(), init: warmup, term: 0 };
        }
        if warmup < init + term + base {
            init = warmup * 15 / 100;
            term = warmup / 10;
        }
        let last = warmup - term; // slow windows cover [init, last)
        let mut ends = Vec::new();
        let mut start = init;
        let mut size = if warmup < 150 { last - init } else { base };
        while start < last {
            let mut end = start + size;
            // A window that would leave less than the next one's length is stretched to the end.
            if end + 2 * size > last {
                end = last;
            }
            ends.push(end - 1);
            start = end;
            size *= 2;
        }
        Schedule { warmup, window_ends: ends, init, term }
    }

    /// Whether iteration i feeds the metric estimate.
    pub fn in_slow_window(&self, i: usize) -> bool {
        i >= self.init && i < self.warmup - self.term
    }

    pub fn closes_window(&self, i: usize) -> bool {
        self.window_ends.contains(&i)
    }
}

/// Welford's running mean and variance per coordinate.
#[derive(Debug, Clone, Default)]
pub struct Welford {
    n: f64,
    mean: Vec2,
    m2: Vec2,
}

impl Welford {
    pub fn add(&mut self, x: Vec2) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d.component_mul(&(x - self.mean));
    }

    /// Stan's regularised variance: shrunk towards 1e-3 by the weight of 5 draws.
    pub fn regularised_variance(&self) -> Vec2 {
        let n = self.n;
        let var = self.m2 / (n - 1.0);
        var * (n / (n + 5.0)) + Vec2::repeat(1e-3 * 5.0 / (n + 5.0))
    }

    pub fn count(&self) -> f64 {
        self.n
    }
}

/// Dual averaging of ln ε towards a target acceptance statistic δ.
#[derive(Debug, Clone)]
pub struct DualAveraging {
    delta: f64,
    mu: f64,
    h_bar: f64,
    log_eps_bar: f64,
    m: f64,
}

impl DualAveraging {
    pub fn new(delta: f64, eps: f64) -> Self {
        DualAveraging { delta, mu: ln(10.0 * eps), h_bar: 0.0, log_eps_bar: 0.0, m: 0.0 }
    }

    /// Feeds one iteration's acceptance statistic; returns the next step size.
    pub fn update(&mut self, accept: f64) -> f64 {
        const GAMMA: f64 = 0.05;
        const T0: f64 = 10.0;
        const KAPPA: f64 = 0.75;
        self.m += 1.0;
        let w = 1.0 / (self.m + T0);
        let accept = if accept.is_finite() { accept.min(1.0) } else { 0.0 };
        self.h_bar = (1.0 - w) * self.h_bar + w * (self.delta - accept);
        let log_eps = self.mu - self.m.sqrt() / GAMMA * self.h_bar;
        let eta = self.m.powf(-KAPPA);
        self.log_eps_bar = eta * log_eps + (1.0 - eta) * self.log_eps_bar;
        exp(log_eps)
    }

    /// The averaged step size, used after warm-up.
    pub fn final_step(&self) -> f64 {
        exp(self.log_eps_bar)
    }
}
