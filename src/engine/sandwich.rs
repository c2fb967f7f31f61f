//! The ln Z sandwich (science.md, "The ln Z sandwich", oracle 13): Monte Carlo estimates, each with
//! its standard error, of the bounds that bracket ln Z for every q,
//!
//!   ELBO = E_q[ln w] ≤ L_K = E[ln (1/K) Σₖ wₖ] ≤ ln Z ≤ CUBO₂ = ½ ln E_q[w²],   w = p̃/q,
//!
//! (Jensen's inequality each time; L_K of Burda et al. 2016, CUBO₂ of Dieng et al. 2017). Shown
//! together they bracket ln Z even where nobody knows it. The exact values are integrals
//! ([`super::quadrature::TargetIntegrals::cubo2`], ln Z − KL(q‖p)); these are what a student
//! without a quadrature could compute, and what the chart draws as the fit runs.
//!
//! CUBO₂'s estimate ½ ln((1/n) Σ wₛ²) from draws of q alone is biased low, and badly so exactly when
//! q is narrower than p: its draws miss the tails where w² is large, and the estimate can fall
//! below ln Z. It is therefore taken from the defensive base (half the draws three times wider,
//! see [`super::objective::defensive_base`]): ½ ln((1/n) Σ (N/m)(εₛ) w(zₛ)²). Where E_q[w²] = ∞
//! (a Gaussian on the banana) no estimate is right, but these grow with n instead of settling.

use super::family::{self, Family};
use super::math::{exp, ln, log_sum_exp, Rng};
use super::objective::defensive_base;
use super::quadrature::TargetIntegrals;
use super::slice::{block_on, checkpoint, Budget, CHECK_EVERY};
use super::target::Target;

/// An estimate and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bound {
    pub value: f64,
    pub se: f64,
}

/// The sandwich of one q, as the page and the JSON show it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sandwich {
    /// The exact CUBO₂ by quadrature: +∞ where E_q[(p/q)²] is.
    pub cubo2: f64,
    /// The ELBO's estimate from the given log weights.
    pub elbo_estimate: Bound,
    /// CUBO₂'s from [`DRAWS`] defensive draws.
    pub cubo2_estimate: Bound,
    /// With a K: K and L_K's estimate from [`IWAE_DRAWS`]/K sets, at least [`IWAE_MIN_SETS`].
    pub iwae_bound: Option<(usize, Bound)>,
}

/// Draws behind CUBO₂'s estimate.
pub const DRAWS: usize = 1000;
/// Draws behind L_K's estimate, in sets of K, and the fewest sets.
pub const IWAE_DRAWS: usize = 4096;
pub const IWAE_MIN_SETS: usize = 64;

impl Sandwich {
    /// The sandwich of `q`, with `log_w` the log weights of draws of q (the k̂ draws) and `k` the
    /// objective's K if it has one; in slices (see [`crate::engine::slice`]: `block_on` runs it at
    /// once).
    pub async fn of(
        target: &dyn Target,
        q: &dyn Family,
        integrals: &TargetIntegrals,
        rng: &mut Rng,
        log_w: &[f64],
        k: Option<usize>,
        budget: &Budget,
    ) -> Sandwich {
        let exact = integrals.cubo2_sliced(target, q, budget).await;
        let cubo2_estimate = cubo2_sliced(target, q, rng, DRAWS, budget).await;
        let iwae_bound = match k {
            Some(k) => Some((k, iwae_sliced(target, q, rng, k, (IWAE_DRAWS / k).max(IWAE_MIN_SETS), budget).await)),
            None => None,
        };
        Sandwich { cubo2: exact, elbo_estimate: elbo(log_w), cubo2_estimate, iwae_bound }
    }
}

/// Mean and standard error of the mean.
fn mean_se(xs: &[f64]) -> Bound {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    Bound { value: m, se: (var / n).sqrt() }
}

/// The ELBO from log weights ln wₛ = ln p̃(zₛ) − ln q(zₛ) of draws zₛ ~ q: their mean.
pub fn elbo(log_w: &[f64]) -> Bound {
    mean_se(log_w)
}

/// CUBO₂ from `n` defensive draws (see the module's note). The standard error by the delta method:
/// ½ sd(vₛ)/(√n mean(vₛ)) with vₛ the weighted w².
pub fn cubo2(target: &dyn Target, q: &dyn Family, rng: &mut Rng, n: usize) -> Bound {
    block_on(cubo2_sliced(target, q, rng, n, &Budget::never()))
}

/// [`cubo2`] in slices (see [`crate::engine::slice`]).
pub async fn cubo2_sliced(target: &dyn Target, q: &dyn Family, rng: &mut Rng, n: usize, budget: &Budget) -> Bound {
    let mut log_v = Vec::with_capacity(n);
    for i in 0..n {
        let k = family::pick_stratum(q, rand::Rng::random::<f64>(rng));
        let (eps, log_n, log_m) = defensive_base(rng, i, n);
        let d = q.draw(k, eps);
        log_v.push(log_n - log_m + 2.0 * (target.log_density(d.z) - d.log_q));
        if i % CHECK_EVERY == 0 {
            checkpoint(budget).await;
        }
    }
    let top = log_sum_exp(&log_v);
    if !top.is_finite() {
        return Bound { value: top, se: f64::NAN };
    }
    let v: Vec<f64> = log_v.iter().map(|l| exp(l - top)).collect();
    let rel = mean_se(&v);
    Bound { value: 0.5 * (top - ln(n as f64)), se: 0.5 * rel.se / rel.value }
}

/// IWAE's bound L_K from `sets` sets of K draws of q: the mean over sets of ln (1/K) Σₖ wₖ.
pub fn iwae(target: &dyn Target, q: &dyn Family, rng: &mut Rng, k: usize, sets: usize) -> Bound {
    block_on(iwae_sliced(target, q, rng, k, sets, &Budget::never()))
}

/// [`iwae`] in slices (see [`crate::engine::slice`]).
pub async fn iwae_sliced(
    target: &dyn Target,
    q: &dyn Family,
    rng: &mut Rng,
    k: usize,
    sets: usize,
    budget: &Budget,
) -> Bound {
    let mut log_w = vec![0.0; k];
    let mut per_set = Vec::with_capacity(sets);
    for _ in 0..sets {
        for lw in log_w.iter_mut() {
            let d = family::sample(q, rng);
            *lw = target.log_density(d.z) - d.log_q;
        }
        per_set.push(log_sum_exp(&log_w) - ln(k as f64));
        checkpoint(budget).await;
    }
    mean_se(&per_set)
}
