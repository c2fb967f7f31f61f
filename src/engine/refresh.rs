//! The exact numbers the page refreshes a few times a second while the fit runs: KL(q‖p) and
//! KL(p‖q) by cubature, PSIS k̂, the ln Z sandwich, D_α, and q's moments. Written once as an
//! `async fn` with checkpoints ([`crate::engine::slice`]): [`Fit::refresh`] runs it at once, the
//! page a slice per animation frame ([`Fit::refresh_sliced`]), with the same numbers.

use std::sync::Arc;

use super::error::EngineError;
use super::family::{self, Family};
use super::fit::{Fit, Settings};
use super::math::{rng_from_seed, Mat2, Vec2};
use super::psis;
use super::quadrature::{KlPair, Precision, TargetIntegrals};
use super::sandwich::Sandwich;
use super::settings::Setting;
use super::slice::{self, Budget};
use super::target::Target;

/// Draws of q behind each k̂.
pub const PSIS_DRAWS: usize = 1000;

/// The exact numbers, taken a few times a second: milliseconds for a Gaussian, tens for a flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Diagnostics {
    /// ln Z by quadrature.
    pub log_z: f64,
    pub kl: KlPair,
    /// PSIS k̂ of q as a proposal for p, from [`PSIS_DRAWS`] fresh draws.
    pub k_hat: f64,
    /// Rényi's D_α(q‖p) by quadrature, for an objective with an α (`renyi`).
    pub d_alpha: Option<f64>,
    /// The ln Z sandwich: the exact CUBO₂, and the estimates of the ELBO (from the k̂ draws),
    /// CUBO₂ and, for an objective with a K (`iwae`), L_K.
    pub sandwich: Sandwich,
}

/// What a refresh reads, owned: a copy of q at one step, the target and its integrals.
pub(crate) struct RefreshParts {
    pub(crate) target: Arc<dyn Target>,
    pub(crate) integrals: Arc<TargetIntegrals>,
    pub(crate) q: Box<dyn Family>,
    pub(crate) settings: Settings,
    pub(crate) step: u64,
}

impl RefreshParts {
    /// The exact diagnostics and q's moments, pausing between pieces and inside each cubature
    /// when `budget` is spent.
    pub(crate) async fn run(&self, budget: &Budget) -> (Diagnostics, (Vec2, Mat2)) {
        let d = self.diagnostics(budget).await;
        (d, family::moments_sliced(self.q.as_ref(), self.integrals.cubature_cells, budget).await)
    }

    /// The exact diagnostics alone (a flow's moments are one more cubature).
    pub(crate) async fn diagnostics(&self, budget: &Budget) -> Diagnostics {
        let (target, q, integrals) = (self.target.as_ref(), self.q.as_ref(), self.integrals.as_ref());
        let kl = integrals.kl_sliced(target, q, budget).await;
        let mut rng = rng_from_seed(self.settings.seed ^ self.step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut log_w = Vec::with_capacity(PSIS_DRAWS);
        for i in 0..PSIS_DRAWS {
            let d = family::sample(q, &mut rng);
            log_w.push(target.log_density(d.z) - d.log_q);
            if i % slice::CHECK_EVERY == 0 {
                slice::checkpoint(budget).await;
            }
        }
        // An objective with an α has its own divergence, D_α; one with a K its own bound, L_K.
        let rows = crate::engine::objective::find(&self.settings.objective).map_or(&[][..], |o| o.options);
        let has = |row: &Setting| rows.iter().any(|r| r.key == row.key);
        let k_row = &crate::engine::objective::iwae::K;
        let k = has(k_row).then(|| self.settings.options.number(k_row) as usize);
        let sandwich = Sandwich::of(target, q, integrals, &mut rng, &log_w, k, budget).await;
        // D₁ is KL(q‖p) and D₋₁ is ln Z − CUBO₂: integrals already taken above, not taken again.
        let alpha = &crate::engine::objective::renyi::ALPHA;
        let d_alpha = match has(alpha).then(|| self.settings.options.number(alpha)) {
            None => None,
            Some(1.0) => Some(kl.kl_qp),
            Some(-1.0) => Some(integrals.log_z - sandwich.cubo2),
            Some(a) => Some(integrals.d_alpha_sliced(target, q, a, budget).await),
        };
        let k_hat = psis::k_hat(&mut log_w);
        Diagnostics { log_z: integrals.log_z, kl, k_hat, d_alpha, sandwich }
    }
}

/// The benchmark of one page refresh ([`Fit::refresh`]): a fit with these settings, at
/// `precision`, after 2000 steps; the median of five refreshes in milliseconds by `now_ms` (a
/// clock the caller has: `Instant` natively, `performance.now()` in the browser).
pub fn refresh_ms(settings: Settings, precision: Precision, now_ms: impl Fn() -> f64) -> Result<f64, EngineError> {
    let mut fit = Fit::with_precision(settings, Vec::new(), precision)?;
    fit.step(2000);
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = now_ms();
            std::hint::black_box(fit.refresh());
            now_ms() - start
        })
        .collect();
    crate::engine::math::sort_f64(&mut times);
    Ok(times[2])
}
