//! Exact diagnostics by integration, which two dimensions allow (science.md, "Exact diagnostics").
//!
//! Every exact number is an integral by the adaptive cubature of [`super::cubature`], with an
//! error estimate:
//! - over p, in the target's chart ([`Target::chart_box`], the mass box unless the target maps a
//!   nicer space onto the plane, as the funnel does): ln Z, p's mean and covariance (once per
//!   target) and KL(p‖q) = E_p[ln p̃ − ln q] − ln Z (per refresh, starting from p's partition);
//! - over q's base ε ~ N(0, I): KL(q‖p) = E_ε[ln q(T(ε)) − ln p̃(T(ε))] + ln Z, and q's moments.
//!
//! A midpoint grid of 256² cells, used before for ln Z and KL(p‖q), cannot resolve the funnel's
//! neck (sd e^(−4.5) at τ = 3); Gauss–Hermite in ε, used before for KL(q‖p), is exact only where
//! ln p̃(T(ε)) and ln q are low-degree polynomials in ε (a Gaussian q on `correlated` or `banana`):
//! on a mixture or for a flow it was off by 1–40 %.

use super::cubature::{self, integrate_from, moment_tolerances};
use super::family::Family;
use super::math::{exp, ln, Mat2, Vec2};
use super::slice::{block_on, Budget};
use super::target::{Box2, Exact, Target};

/// How hard the per-refresh integrals work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// [`cubature::MAX_CELLS`] cells: the CLI and the tests.
    Full,
    /// [`PAGE_CUBATURE_CELLS`]: the page, which refreshes its readouts five times a second.
    Page,
}

impl Precision {
    pub fn cells(self) -> usize {
        match self {
            Precision::Full => cubature::MAX_CELLS,
            Precision::Page => PAGE_CUBATURE_CELLS,
        }
    }
}

/// The cubature's cell budget on the page: about 7000 evaluations of q, a few milliseconds for a
/// flow. A flow fitted to `bimodal` then stops at a larger error: measured in tests/quadrature.rs,
/// KL(q‖p) 1e-3 off (estimate 6.7e-3) where the full budget gets 2.4e-5, so the page's readout may
/// differ from `vi-fit`'s in its third digit.
pub const PAGE_CUBATURE_CELLS: usize = 32;

/// Relative tolerance of p's integrals (ln Z to 1e-7, the mean to 1e-7 sd, the covariance to 1e-7
/// of the second moments), and their cell budget: computed once per target.
pub const P_TOL: f64 = 1e-7;
pub const P_MAX_CELLS: usize = 4000;
/// The tolerance of the partition KL(p‖q) starts from.
pub const P_START_TOL: f64 = 1e-5;

/// Absolute tolerance of KL(p‖q), in nats.
pub const KL_PQ_TOL: f64 = 1e-6;

/// The largest share of an expectation over q's base that its integrand may still have on the
/// base box's edge, by [`edge_max`] times the box's area, for the expectation to count as finite.
pub const EDGE_SHARE: f64 = 1e-3;

/// The largest value of N(ε)·f(draw) on the square |ε|∞ = r of q's base (64 points a side), over
/// q's strata weighted as in [`crate::engine::family::expect`].
fn edge_max(q: &dyn Family, r: f64, f: impl Fn(crate::engine::family::Draw) -> f64) -> f64 {
    let mut max = 0.0f64;
    for i in 0..64 {
        let t = -r + 2.0 * r * i as f64 / 64.0;
        for eps in [Vec2::new(t, -r), Vec2::new(r, t), Vec2::new(-t, r), Vec2::new(-r, -t)] {
            let n = exp(-0.5 * eps.norm_squared()) / (2.0 * std::f64::consts::PI);
            let v: f64 = (0..q.strata()).map(|k| exp(q.ln_weight(k)) * f(q.draw(k, eps))).sum();
            max = max.max(n * v);
        }
    }
    max
}

/// What integration knows of the target: ln Z and p's moments with their error estimates, and the
/// partition of the chart that resolved them (where KL(p‖q) starts refining).
#[derive(Debug, Clone)]
pub struct TargetIntegrals {
    /// ln Z by cubature.
    pub log_z: f64,
    /// Its error estimate (relative error of Z).
    pub log_z_error: f64,
    pub mean: Vec2,
    pub cov: Mat2,
    /// An error estimate of the largest entry of the mean and covariance.
    pub moments_error: f64,
    /// Integrands over p are scaled by e^(−shift) (the largest ln p̃|J| seen at the first cell's
    /// nodes), so that ∫ stays in floating-point range.
    shift: f64,
    /// Z e^(−shift).
    scaled_z: f64,
    cells: Vec<Box2>,
    /// The cell budget of the per-refresh integrals (see [`Precision`]).
    pub cubature_cells: usize,
}

/// Exact KL divergences of q against the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KlPair {
    /// KL(q‖p) = ln Z − ELBO.
    pub kl_qp: f64,
    /// The cubature's error estimate of KL(q‖p), ln Z's included.
    pub kl_qp_error: f64,
    /// KL(p‖q).
    pub kl_pq: f64,
    /// Its error estimate, ln Z's included.
    pub kl_pq_error: f64,
}

/// ln p̃(T(u)) + ln|det ∂T/∂u| and z = T(u) at chart coordinates u.
fn chart_log_weight(target: &dyn Target, u: Vec2) -> (Vec2, f64) {
    let (z, log_jac) = target.from_chart(u);
    (z, target.log_density(z) + log_jac)
}

impl TargetIntegrals {
    pub fn new(target: &dyn Target, precision: Precision) -> Self {
        let chart = target.chart_box();
        // The shift: the largest log weight at the nodes of a 16 × 16 sweep of the chart.
        let mut shift = f64::NEG_INFINITY;
        for i in 0..16 {
            for j in 0..16 {
                let u = Vec2::new(
                    chart.x.0 + (i as f64 + 0.5) / 16.0 * (chart.x.1 - chart.x.0),
                    chart.y.0 + (j as f64 + 0.5) / 16.0 * (chart.y.1 - chart.y.0),
                );
                let w = chart_log_weight(target, u).1;
                if w > shift {
                    shift = w;
                }
            }
        }
        if !shift.is_finite() {
            shift = 0.0;
        }
        // Moments about a centre (the chart centre's image), so the covariance is not the small
        // difference of two large raw moments.
        let centre = target.from_chart(Vec2::new(0.5 * (chart.x.0 + chart.x.1), 0.5 * (chart.y.0 + chart.y.1))).0;
        let f = |u| {
            let (z, lw) = chart_log_weight(target, u);
            let w = exp(lw - shift);
            if w == 0.0 {
                return [0.0; 6];
            }
            let d = z - centre;
            [w, w * d[0], w * d[1], w * d[0] * d[0], w * d[0] * d[1], w * d[1] * d[1]]
        };
        // A partition at 1e-5 first: where KL(p‖q) starts on every refresh, so that a target
        // that needs thousands of cells for 1e-7 does not cost that per refresh. Then on to 1e-7.
        let loose = integrate_from(&[chart], f, moment_tolerances(P_START_TOL), P_MAX_CELLS);
        let e = integrate_from(&loose.cells, f, moment_tolerances(P_TOL), P_MAX_CELLS);
        let [w, mx, my, xx, xy, yy] = e.value;
        let d = Vec2::new(mx / w, my / w);
        let cov = Mat2::new(xx / w, xy / w, xy / w, yy / w) - d * d.transpose();
        let rel_w = e.error[0] / w;
        let moments_error =
            (1..6).map(|m| (e.error[m] + e.value[m].abs() * rel_w) / w).fold(0.0, f64::max) * (1.0 + 2.0 * d.norm());
        TargetIntegrals {
            log_z: ln(w) + shift,
            log_z_error: rel_w,
            mean: centre + d,
            cov,
            moments_error,
            shift,
            scaled_z: w,
            cells: loose.cells,
            cubature_cells: precision.cells(),
        }
    }

    /// Cells in the partition KL(p‖q) starts from.
    pub fn start_cells(&self) -> usize {
        self.cells.len()
    }

    /// The target's closed forms where it knows them, these integrals elsewhere.
    pub fn exact(&self, target: &dyn Target) -> Exact {
        let closed = target.exact();
        Exact {
            log_z: closed.log_z.or(Some(self.log_z)),
            mean: closed.mean.or(Some(self.mean)),
            cov: closed.cov.or(Some(self.cov)),
        }
    }

    /// KL(q‖p) and KL(p‖q) for the family's current q.
    pub fn kl(&self, target: &dyn Target, q: &dyn Family) -> KlPair {
        block_on(self.kl_sliced(target, q, &Budget::never()))
    }

    /// [`TargetIntegrals::kl`] in slices (see [`crate::engine::slice`]).
    pub async fn kl_sliced(&self, target: &dyn Target, q: &dyn Family, budget: &Budget) -> KlPair {
        let (kl_qp, kl_qp_error) = self.kl_qp_sliced(target, q, budget).await;
        let (kl_pq, kl_pq_error) = self.kl_pq_sliced(target, q, budget).await;
        KlPair { kl_qp, kl_qp_error, kl_pq, kl_pq_error }
    }

    /// Rényi's D_α(q‖p) = 1/(α − 1) ln E_q[(p/q)^(1−α)] (science.md, "Divergences"), the
    /// expectation by cubature over q's strata like KL(q‖p), which it is at α = 1.
    ///
    /// Away from α ∈ [0, 1] the expectation can be infinite: below α = 0 where p has heavier tails
    /// than q (every Gaussian q of the banana at α = −1), above α = 1 where q has heavier tails than
    /// p. The cubature covers |ε|∞ ≤ R = [`cubature::BASE_RADIUS`] of q's base, so it would return
    /// the integral over that box: finite, and wrong. The expectation is taken to be infinite
    /// (D_α = −∞ below α = 1, +∞ above) unless the integrand is still falling at the box's edge:
    /// its largest value on the edge |ε|∞ = R at most e^(−3) of that on |ε|∞ = R − 1.5, and, times
    /// the box's area, at most [`EDGE_SHARE`] of the integral. A finite but very heavy-tailed
    /// expectation is reported infinite too, honestly: no 9-sd box holds it.
    pub fn d_alpha(&self, target: &dyn Target, q: &dyn Family, alpha: f64) -> f64 {
        block_on(self.d_alpha_sliced(target, q, alpha, &Budget::never()))
    }

    /// [`TargetIntegrals::d_alpha`] in slices (see [`crate::engine::slice`]).
    pub async fn d_alpha_sliced(&self, target: &dyn Target, q: &dyn Family, alpha: f64, budget: &Budget) -> f64 {
        if (alpha - 1.0).abs() < 1e-9 {
            return self.kl_qp_sliced(target, q, budget).await.0;
        }
        let beta = 1.0 - alpha;
        let ratio = |d: crate::engine::family::Draw| exp(beta * (target.log_density(d.z) - d.log_q - self.log_z));
        let e = crate::engine::family::expect_sliced(
            q,
            self.cubature_cells,
            |v| [cubature::BASE_TOL * v[0].abs().max(1e-300)],
            |d| [ratio(d)],
            budget,
        )
        .await;
        let r = cubature::BASE_RADIUS;
        let (edge, inner) = (edge_max(q, r, ratio), edge_max(q, r - 1.5, ratio));
        let falling = edge <= exp(-3.0) * inner && edge * 4.0 * r * r <= EDGE_SHARE * e.value[0];
        let value = if falling { e.value[0] } else { f64::INFINITY };
        ln(value) / (alpha - 1.0)
    }

    /// The χ² upper bound CUBO₂ = ½ ln E_q[(p̃/q)²] = ln Z − D₋₁(q‖p) (Dieng et al. 2017), exact
    /// by cubature; +∞ where E_q[(p/q)²] is (see [`TargetIntegrals::d_alpha`]). With the ELBO it
    /// brackets ln Z: ELBO ≤ ln Z ≤ CUBO₂ for every q (science.md, "The ln Z sandwich").
    pub fn cubo2(&self, target: &dyn Target, q: &dyn Family) -> f64 {
        block_on(self.cubo2_sliced(target, q, &Budget::never()))
    }

    /// [`TargetIntegrals::cubo2`] in slices (see [`crate::engine::slice`]).
    pub async fn cubo2_sliced(&self, target: &dyn Target, q: &dyn Family, budget: &Budget) -> f64 {
        self.log_z - self.d_alpha_sliced(target, q, -1.0, budget).await
    }

    /// KL(p‖q) = E_p[ln p̃ − ln q] − ln Z, over p's chart from p's own partition.
    pub fn kl_pq(&self, target: &dyn Target, q: &dyn Family) -> f64 {
        self.kl_pq_with_error(target, q).0
    }

    /// [`TargetIntegrals::kl_pq`] and its error estimate.
    pub fn kl_pq_with_error(&self, target: &dyn Target, q: &dyn Family) -> (f64, f64) {
        block_on(self.kl_pq_sliced(target, q, &Budget::never()))
    }

    /// [`TargetIntegrals::kl_pq_with_error`] in slices (see [`crate::engine::slice`]).
    pub async fn kl_pq_sliced(&self, target: &dyn Target, q: &dyn Family, budget: &Budget) -> (f64, f64) {
        let tol = KL_PQ_TOL * self.scaled_z;
        let e = cubature::integrate_sliced(
            &self.cells,
            &mut |u| {
                let (z, log_jac) = target.from_chart(u);
                let lp = target.log_density(z);
                let w = exp(lp + log_jac - self.shift);
                if w == 0.0 {
                    [0.0]
                } else {
                    [w * (lp - q.log_q(z))]
                }
            },
            &|_| [tol],
            self.cells.len().max(self.cubature_cells),
            budget,
        )
        .await;
        let value = e.value[0] / self.scaled_z;
        (value - self.log_z, e.error[0] / self.scaled_z + (1.0 + value.abs()) * self.log_z_error)
    }

    /// KL(q‖p) = E_ε[ln N(ε) − ln|det ∂T/∂ε| − ln p̃(T(ε))] + ln Z, the expectation under the base
    /// N(0, I) by adaptive cubature: free of any box for any q.
    pub fn kl_qp(&self, target: &dyn Target, q: &dyn Family) -> f64 {
        self.kl_qp_with_error(target, q).0
    }

    /// [`TargetIntegrals::kl_qp`] and its error estimate.
    pub fn kl_qp_with_error(&self, target: &dyn Target, q: &dyn Family) -> (f64, f64) {
        block_on(self.kl_qp_sliced(target, q, &Budget::never()))
    }

    /// [`TargetIntegrals::kl_qp_with_error`] in slices (see [`crate::engine::slice`]).
    pub async fn kl_qp_sliced(&self, target: &dyn Target, q: &dyn Family, budget: &Budget) -> (f64, f64) {
        let e = crate::engine::family::expect_sliced(
            q,
            self.cubature_cells,
            |_| [cubature::BASE_TOL],
            |d| [d.log_q - target.log_density(d.z)],
            budget,
        )
        .await;
        (e.value[0] + self.log_z, e.error[0] + self.log_z_error)
    }
}
