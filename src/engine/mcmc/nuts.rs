//! The No-U-Turn Sampler as Stan runs it: multinomial sampling of the trajectory (Betancourt 2017,
//! "A Conceptual Introduction to Hamiltonian Monte Carlo", §A.3), biased progressive sampling at
//! the top level and uniform within subtrees, the generalised no-U-turn criterion ρ·M⁻¹p > 0 at both
//! ends of every subtree, a diagonal metric, and a transition flagged divergent when the energy
//! error passes 1000. Step size by dual averaging towards the target acceptance statistic.
//!
//! Where two subtrees merge, the criterion is checked across the whole and, as Stan does since
//! 2.26 (`base_nuts.hpp`; Stan pull request #2800), also across each subtree extended by the
//! nearest state of the other: without these checks a trajectory can run round an orbit, its
//! subtrees each passing, until the maximum depth (on a standard normal at step sizes 0.2, 1.45,
//! 1.5, 1.55, 1.7 and 1.85–1.95 it did; tests/mcmc.rs).

use rand::Rng as _;

use super::adapt::DualAveraging;
use super::Point;
use crate::engine::math::{exp, ln, log_add_exp, std_normal2, Rng, Vec2};
use crate::engine::target::Target;

pub const MAX_DEPTH: usize = 10;
const MAX_ENERGY_ERROR: f64 = 1000.0;

/// What one transition did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NutsInfo {
    pub accept_stat: f64,
    pub depth: usize,
    pub leapfrogs: usize,
    pub divergent: bool,
    /// The Hamiltonian at the state the transition moved to (Stan's `energy__`), for E-BFMI.
    pub energy: f64,
}

/// A phase-space point with its ln p̃ and gradient.
#[derive(Debug, Clone, Copy)]
struct State {
    point: Point,
    p: Vec2,
}

struct Tree {
    left: State,
    right: State,
    proposal: State,
    /// ln Σ exp(H₀ − H) over the subtree's states.
    log_weight: f64,
    /// Σ p over the subtree.
    rho: Vec2,
    sum_accept: f64,
    leapfrogs: usize,
    /// The subtree turned back or diverged: its caller must stop and not use it.
    stop: bool,
    divergent: bool,
}

/// The sampler's tuning: step size and inverse metric (diagonal).
#[derive(Debug, Clone)]
pub struct Nuts {
    pub step: f64,
    pub inv_metric: Vec2,
    pub dual: DualAveraging,
    /// The acceptance statistic dual averaging aims for (Stan's adapt_delta).
    pub target_accept: f64,
}

impl Nuts {
    pub fn new(target_accept: f64) -> Self {
        Nuts { step: 1.0, inv_metric: Vec2::repeat(1.0), target_accept, dual: DualAveraging::new(target_accept, 1.0) }
    }

    fn kinetic(&self, p: Vec2) -> f64 {
        0.5 * (p[0] * p[0] * self.inv_metric[0] + p[1] * p[1] * self.inv_metric[1])
    }

    fn leapfrog(&self, target: &dyn Target, s: &State, eps: f64) -> State {
        let p_half = s.p + s.point.grad * (0.5 * eps);
        let q = s.point.q + self.inv_metric.component_mul(&p_half) * eps;
        let point = Point::at(target, q);
        State { point, p: p_half + point.grad * (0.5 * eps) }
    }

    fn sample_momentum(&self, rng: &mut Rng) -> Vec2 {
        let e = std_normal2(rng);
        Vec2::new(e[0] / self.inv_metric[0].sqrt(), e[1] / self.inv_metric[1].sqrt())
    }

    /// Hoffman & Gelman's Algorithm 4: double or halve ε until one leapfrog's acceptance crosses ½.
    pub fn find_reasonable_step(&mut self, target: &dyn Target, at: &Point, rng: &mut Rng) {
        let mut eps = self.step.clamp(1e-3, 10.0);
        let s0 = State { point: *at, p: self.sample_momentum(rng) };
        let h0 = -at.log_p + self.kinetic(s0.p);
        let log_accept = |eps: f64| {
            let s = self.leapfrog(target, &s0, eps);
            let h = -s.point.log_p + self.kinetic(s.p);
            if h.is_finite() {
                h0 - h
            } else {
                f64::NEG_INFINITY
            }
        };
        // Double while one step is accepted with probability above ½, else halve while it is not; stop
        // at the first ε on the other side.
        let up = log_accept(eps) > ln(0.5);
        for _ in 0..50 {
            if (log_accept(eps) > ln(0.5)) != up {
                break;
            }
            eps *= if up { 2.0 } else { 0.5 };
        }
        self.step = eps.clamp(1e-6, 100.0);
        self.dual = DualAveraging::new(self.target_accept, self.step);
    }

    /// One NUTS transition from `at`.
    pub fn transition(&self, target: &dyn Target, at: &mut Point, rng: &mut Rng) -> NutsInfo {
        let start = State { point: *at, p: self.sample_momentum(rng) };
        let h0 = -at.log_p + self.kinetic(start.p);
        let mut left = start;
        let mut right = start;
        let mut proposal = start;
        let mut log_weight = 0.0;
        let mut rho = start.p;
        let (mut sum_accept, mut leapfrogs, mut depth, mut divergent) = (0.0, 0, 0, false);

        while depth < MAX_DEPTH {
            let forward = rng.random::<bool>();
            let edge = if forward { right } else { left };
            let sub = self.build(target, &edge, forward, depth, h0, rng);
            sum_accept += sub.sum_accept;
            leapfrogs += sub.leapfrogs;
            depth += 1;
            if sub.stop {
                divergent = sub.divergent;
                break;
            }
            // Biased progressive sampling: favour the new subtree when it carries more weight.
            if rng.random::<f64>() < exp(sub.log_weight - log_weight).min(1.0) {
                proposal = sub.proposal;
            }
            log_weight = log_add_exp(log_weight, sub.log_weight);
            let turned = if forward {
                !self.merged_no_u_turn((&left, &right, rho), (&sub.left, &sub.right, sub.rho))
            } else {
                !self.merged_no_u_turn((&sub.left, &sub.right, sub.rho), (&left, &right, rho))
            };
            rho += sub.rho;
            if forward {
                right = sub.right;
            } else {
                left = sub.left;
            }
            if turned {
                break;
            }
        }
        *at = proposal.point;
        let energy = -proposal.point.log_p + self.kinetic(proposal.p);
        NutsInfo { accept_stat: sum_accept / leapfrogs.max(1) as f64, depth, leapfrogs, divergent, energy }
    }

    /// ρ·M⁻¹p > 0 at both ends: the trajectory is still moving apart.
    fn no_u_turn(&self, left: &State, right: &State, rho: Vec2) -> bool {
        let sharp = |p: Vec2| self.inv_metric.component_mul(&p);
        sharp(left.p).dot(&rho) > 0.0 && sharp(right.p).dot(&rho) > 0.0
    }

    /// The criterion for two adjacent subtrees a (earlier in time, on the left) and b merged: over
    /// the whole, over a extended by b's first state, and over b extended by a's last state.
    fn merged_no_u_turn(
        &self,
        (a_left, a_right, a_rho): (&State, &State, Vec2),
        (b_left, b_right, b_rho): (&State, &State, Vec2),
    ) -> bool {
        self.no_u_turn(a_left, b_right, a_rho + b_rho)
            && self.no_u_turn(a_left, b_left, a_rho + b_left.p)
            && self.no_u_turn(a_right, b_right, b_rho + a_right.p)
    }

    /// A subtree of 2^depth leapfrog steps from `edge` in the given direction.
    fn build(&self, target: &dyn Target, edge: &State, forward: bool, depth: usize, h0: f64, rng: &mut Rng) -> Tree {
        if depth == 0 {
            let eps = if forward { self.step } else { -self.step };
            let s = self.leapfrog(target, edge, eps);
            let h = -s.point.log_p + self.kinetic(s.p);
            let h = if h.is_nan() { f64::INFINITY } else { h };
            // The energy error H − H₀ past the limit (written so that a NaN energy, made +∞ above, counts).
            let divergent = h > h0 + MAX_ENERGY_ERROR;
            return Tree {
                left: s,
                right: s,
                proposal: s,
                log_weight: h0 - h,
                rho: s.p,
                sum_accept: exp(h0 - h).min(1.0),
                leapfrogs: 1,
                stop: divergent,
                divergent,
            };
        }
        let first = self.build(target, edge, forward, depth - 1, h0, rng);
        if first.stop {
            return first;
        }
        let next_edge = if forward { first.right } else { first.left };
        let second = self.build(target, &next_edge, forward, depth - 1, h0, rng);
        let sum_accept = first.sum_accept + second.sum_accept;
        let leapfrogs = first.leapfrogs + second.leapfrogs;
        if second.stop {
            return Tree { sum_accept, leapfrogs, ..second };
        }
        let log_weight = log_add_exp(first.log_weight, second.log_weight);
        // Uniform (multinomial) sampling within the subtree.
        let proposal =
            if rng.random::<f64>() < exp(second.log_weight - log_weight) { second.proposal } else { first.proposal };
        let (a, b) = if forward { (&first, &second) } else { (&second, &first) };
        let (left, right) = (a.left, b.right);
        let rho = a.rho + b.rho;
        let stop = !self.merged_no_u_turn((&a.left, &a.right, a.rho), (&b.left, &b.right, b.rho));
        Tree { left, right, proposal, log_weight, rho, sum_accept, leapfrogs, stop, divergent: false }
    }
}
