//! Objectives: what the fit minimises, each with its gradients (science.md, "Divergences and their
//! gradients"). One registry replaces the divergence, estimator and forward-KL source that used to
//! be three enums: an entry names its gradients, the family capability each needs, its options and
//! explanations, and [`resolve`] is the one place that says whether a combination can run, refusing
//! in words a student understands.
//!
//! Every gradient writes the gradient of a *loss* to minimise into `grad` (zeroed by the caller) and
//! returns the step's Monte Carlo ELBO estimate  (1/S) Σ [ln p̃(zₛ) − ln q(zₛ)],  zₛ ~ q.
//!
//! Adding an objective is one file here (its `INFO`: gradients, options, explanations), its
//! `pub mod` line and its name in [`OBJECTIVES`]'s `registry!`.

pub use forward_kl::{forward_kl_draws, forward_kl_snis, forward_kl_snis_defensive};
pub use reverse_kl::{reverse_kl_reparam, reverse_kl_score};

use super::error::EngineError;
use super::family::{self, Family, FamilyInfo, Needs};
use super::math::{ln, log_add_exp, std_normal2, std_normal_log_pdf, Rng, Vec2};
use super::registry::{self, Explanation, Named};
use super::settings::{NamedList, Options, Setting};
use super::target::Target;

/// Everything one gradient estimate reads and writes.
pub struct Step<'a> {
    pub target: &'a dyn Target,
    pub q: &'a dyn Family,
    pub rng: &'a mut Rng,
    /// Monte Carlo samples S.
    pub samples: usize,
    /// The objective's options (none yet: α, K…).
    pub options: &'a Options,
    /// Draws of p, for the gradients that need them.
    pub draws: &'a [Vec2],
    pub scratch: &'a mut Scratch,
    pub grad: &'a mut [f64],
}

/// One way to estimate an objective's gradient.
#[derive(Debug)]
pub struct Gradient {
    /// Engine name, link and command-line value, e.g. `reparam`, `snis-defensive`.
    pub name: &'static str,
    pub label: &'static str,
    pub needs: Needs,
    /// Needs draws of p (the MCMC reference), which only the page has after running it.
    pub needs_draws: bool,
    pub explain: Explanation,
    pub estimate: fn(&mut Step<'_>) -> Estimate,
}

/// An objective's gradients as the settings table sees them: names and labels.
#[derive(Debug)]
pub struct Gradients(pub &'static [Gradient]);

impl NamedList for Gradients {
    fn names(&self) -> Vec<(&'static str, &'static str)> {
        self.0.iter().map(|g| (g.name, g.label)).collect()
    }
}

/// A registry entry: an objective with its gradients and options.
pub struct ObjectiveInfo {
    /// Engine name, link (`div=`), command line (`--divergence`) and JSON (`divergence`).
    pub name: &'static str,
    pub label: &'static str,
    /// A few words for a caption, e.g. "reverse KL" (the side-by-side panes: they must fit a
    /// narrow column on one line).
    pub short: &'static str,
    /// The row choosing among its gradients (each objective has its own key, so switching
    /// objective and back keeps the choice): `Kind::Named(&Gradients(GRADIENTS))`.
    pub gradient: Setting,
    /// Its gradients, the default first (the same list the row names).
    pub gradients: &'static [Gradient],
    /// Further options (α, K…), each a row of the settings table.
    pub options: &'static [Setting],
    /// Monte Carlo samples per step that make a steady fit.
    pub default_samples: usize,
    /// What its step's estimate is a bound of, for the chart and the readouts: "ELBO" (reverse
    /// and forward KL, whose estimate is the ELBO of q's draws), "L_α", "L_K".
    pub bound: &'static str,
    pub explain: Explanation,
}

impl Named for ObjectiveInfo {
    fn name(&self) -> &'static str {
        self.name
    }
}

impl ObjectiveInfo {
    /// Its gradients, the default first.
    pub fn gradients(&self) -> &'static [Gradient] {
        self.gradients
    }

    /// The gradient chosen in `options`.
    pub fn chosen(&self, options: &Options) -> &'static Gradient {
        let name = options.name(&self.gradient);
        self.gradients().iter().find(|g| g.name == name).unwrap_or(&self.gradients()[0])
    }

    /// Every row of this objective: the gradient, then its options.
    pub fn rows(&'static self) -> impl Iterator<Item = &'static Setting> {
        std::iter::once(&self.gradient).chain(self.options.iter())
    }
}

pub mod forward_kl;
pub mod iwae;
pub mod renyi;
pub mod reverse_kl;

crate::registry!(ObjectiveInfo, OBJECTIVES: reverse_kl, forward_kl, renyi, iwae);

/// Looks an objective up by name.
pub fn find(name: &str) -> Result<&'static ObjectiveInfo, EngineError> {
    registry::find(OBJECTIVES, "divergence", name)
}

/// Whether `gradient` of `objective` can run with `family`: the one compatibility check. The page
/// offers only what this accepts; the engine refuses the rest with this sentence.
pub fn resolve(
    objective: &ObjectiveInfo,
    gradient: &'static Gradient,
    family: &FamilyInfo,
    has_draws: bool,
) -> Result<&'static Gradient, EngineError> {
    if gradient.needs > family.offers {
        return Err(EngineError::Invalid(format!(
            "{} ({}) needs {}; the {} does not offer that: pick another gradient or family",
            objective.label,
            gradient.label.to_lowercase(),
            gradient.needs.means(),
            family.label.to_lowercase(),
        )));
    }
    if gradient.needs_draws && !has_draws {
        return Err(EngineError::Invalid(format!(
            "{} from {} needs draws of p: run the MCMC reference first",
            objective.label,
            gradient.label.to_lowercase()
        )));
    }
    Ok(gradient)
}

/// Whether `objective` can run with `family` at all, by any of its gradients (draws of p assumed):
/// the refusal of its default gradient when none can (IWAE with a mixture: every gradient needs
/// one bijection). A choice among the gradients is [`fit_to_family`]'s.
pub fn takes(objective: &ObjectiveInfo, family: &FamilyInfo) -> Result<(), EngineError> {
    let mut tried = objective.gradients().iter().map(|g| resolve(objective, g, family, true));
    match tried.next() {
        Some(Err(why)) if tried.all(|r| r.is_err()) => Err(why),
        _ => Ok(()),
    }
}

/// Each of `objective`'s gradients with why it cannot run with `family` (with or without draws of p),
/// if it cannot: what the page offers, disabled with the reason, by the same check as [`resolve`].
pub fn offered(
    objective: &ObjectiveInfo,
    family: &FamilyInfo,
    has_draws: bool,
) -> Vec<(&'static Gradient, Option<String>)> {
    objective
        .gradients()
        .iter()
        .map(|g| (g, resolve(objective, g, family, has_draws).err().map(|e| e.to_string())))
        .collect()
}

/// Points every objective's choice of gradient at one `family` can take (draws of p assumed, as a
/// link or the page may have them later): a choice it cannot take falls back to the first it can.
pub fn fit_to_family(options: &mut Options, family: &FamilyInfo) {
    for o in OBJECTIVES {
        if resolve(o, o.chosen(options), family, true).is_err() {
            if let Some(g) = o.gradients().iter().find(|g| resolve(o, g, family, true).is_ok()) {
                options.set(&o.gradient, super::settings::Value::Name(g.name));
            }
        }
    }
}

/// The way back from [`fit_to_family`]: on a change from family `from`, which could not take an
/// objective's default gradient, to `to`, which can, a choice that is still the fallback `from`
/// got returns to the default (a student who picked the mixture and then a Gaussian again gets
/// defensive importance sampling back, not the plain one the mixture needed).
pub fn restore_defaults(options: &mut Options, from: &FamilyInfo, to: &FamilyInfo) {
    for o in OBJECTIVES {
        let default = &o.gradients()[0];
        let fallback = o.gradients().iter().find(|g| resolve(o, g, from, true).is_ok());
        let forced =
            resolve(o, default, from, true).is_err() && fallback.is_some_and(|g| g.name == o.chosen(options).name);
        if forced && resolve(o, default, to, true).is_ok() {
            options.reset(&o.gradient);
        }
    }
}

/// Buffers reused every step, so the hot loop does not allocate.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    z: Vec<Vec2>,
    f: Vec<f64>,
    /// Running mean of f for the score estimator's baseline when S = 1.
    baseline: Option<f64>,
    /// Weighted estimators (Rényi, IWAE) draw everything before they can weigh it: each draw's
    /// stratum, noise and ∇_z ln p̃ (its point in `z`, its log weight in `f`).
    drawn: Vec<(usize, Vec2, Vec2)>,
    /// Per stratum: the share of the normalised weights.
    shares: Vec<f64>,
    /// Rényi below α = 0, defensive: α and the log of a running mean of the batches' estimates of
    /// E[w^(1−α)], the normaliser of its weights (see [`renyi::renyi_reparam`]).
    renyi_scale: Option<(f64, f64)>,
}

impl Scratch {
    /// Empties the draws for a new estimate.
    fn clear(&mut self) {
        self.z.clear();
        self.f.clear();
        self.drawn.clear();
    }

    /// Keeps draw `eps` of stratum `k`: its point, its log weight and ∇_z ln p̃ there.
    fn keep(&mut self, k: usize, eps: Vec2, z: Vec2, ln_w: f64, g_p: Vec2) {
        self.drawn.push((k, eps, g_p));
        self.z.push(z);
        self.f.push(ln_w);
    }

    /// Buffers whose Rényi normaliser at `alpha` starts at `log_scale` (ln E[w^(1−α)]): for tests
    /// that hand the estimator the exact normaliser.
    pub fn with_renyi_scale(alpha: f64, log_scale: f64) -> Self {
        Scratch { renyi_scale: Some((alpha, log_scale)), ..Scratch::default() }
    }

    /// Rényi's running normaliser below α = 0: α and ln of the running mean of E[w^(1−α)].
    pub fn renyi_scale(&self) -> Option<(f64, f64)> {
        self.renyi_scale
    }

    /// The last estimate's draws and, for importance sampling, their log weights ln p̃(zₛ) − ln r(zₛ)
    /// against the proposal r they were drawn from (for reading, e.g. by tests).
    pub fn draws(&self) -> (&[Vec2], &[f64]) {
        (&self.z, &self.f)
    }
}

/// What one gradient estimate saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// (1/S) Σ [ln p̃(zₛ) − ln q(zₛ)], zₛ ~ q.
    pub elbo: f64,
    /// Effective sample size of the self-normalised weights (forward KL by SNIS only).
    pub ess: Option<f64>,
}

/// Draw `i` of `s` from the defensive base m = (⌈S/2⌉/S) N(0, I) + (⌊S/2⌋/S) N(0, 9I)
/// (Hesterberg 1995): even draws from N(0, I), odd ones from N(0, 9I), a stratified draw from m,
/// weighed against m with those shares (the balance heuristic: Veach & Guibas 1995; Owen & Zhou
/// 2000), so that an average of (N/m)·f over the S draws is unbiased for E_N[f] at any S, odd
/// included. Returns ε, ln N(ε) and ln m(ε) (N/m ≤ 2: the weights stay tame). Pushed through q's
/// map, m has q's shape three times wider, so the draws reach p's tails where q is too narrow to.
pub(crate) fn defensive_base(rng: &mut Rng, i: usize, s: usize) -> (Vec2, f64, f64) {
    let (from_q, from_wide) = (s.div_ceil(2), s / 2);
    let eps = if i % 2 == 0 { std_normal2(rng) } else { std_normal2(rng) * 3.0 };
    let log_n1 = std_normal_log_pdf(eps);
    let log_n9 = std_normal_log_pdf(eps / 3.0) - 2.0 * ln(3.0);
    // With S = 1 the wide share is ln 0 = −∞ and ln m = ln N.
    let log_m = log_add_exp(ln(from_q as f64 / s as f64) + log_n1, ln(from_wide as f64 / s as f64) + log_n9);
    (eps, log_n1, log_m)
}

/// zₛ ~ q and fₛ = ln p̃(zₛ) − ln q(zₛ) into the scratch buffers.
pub(crate) fn draw_from_q(target: &dyn Target, q: &dyn Family, rng: &mut Rng, s: usize, scratch: &mut Scratch) {
    scratch.z.clear();
    scratch.f.clear();
    for _ in 0..s {
        let d = family::sample(q, rng);
        scratch.z.push(d.z);
        scratch.f.push(target.log_density(d.z) - d.log_q);
    }
}
