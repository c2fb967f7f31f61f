//! Rényi's α-divergence (Li & Turner 2016; science.md, "Divergences and their gradients"): maximise
//!
//!   L_α = 1/(1 − α) ln E_q[(p̃/q)^(1−α)] = ln Z − D_α(q‖p),
//!
//! a dial between the two KLs: α → 1 is the ELBO (reverse KL, mode-seeking), α = 0 gives ln Z
//! itself, α < 0 an upper bound (α = −1: CUBO₂, the χ² upper bound of Dieng et al. 2017) whose
//! minimisation covers mass like forward KL. Estimated, stratified as reverse KL is, from S draws
//! per stratum k of q: with lₖₛ = ln πₖ + (1 − α) ln wₖₛ − ln S, wₖₛ = p̃(zₖₛ)/q(zₖₛ),
//! L̂ = 1/(1 − α) LSE(l), and the reparameterised gradient Σ w̄ₖₛ [∇ ln wₖₛ + ∇ ln πₖ/(1 − α)] with
//! w̄ = softmax(l). For α ≥ 0, L_α ≤ ln Z and is maximised; for α < 0 it is an upper bound
//! (D_α ≤ 0) and [`renyi_reparam`] minimises it, as Dieng et al. (2017) minimise CUBO: either way
//! |D_α| falls and q moves towards p (maximising an upper bound would only blow q up). At α = 0,
//! L₀ = ln Z for every q and the gradient vanishes in the limit of many draws. The estimate of L_α
//! is biased for a finite S (it is a log of a mean); at α = 1 this is exactly the reverse-KL
//! reparameterisation path.
//!
//! Two ways to draw. **From q** (`renyi-reparam`): the plain estimator. Minimising the CUBO by it
//! collapses q wherever E_q[(p/q)^(1−α)] is infinite or its estimate heavy-tailed: the draws never
//! reach the tails where q is too narrow, so the estimate cannot see what a narrow q costs.
//! Measured with `vi-fit --divergence renyi --alpha -1 --samples 128 --steps 6000`, seeds 1–4:
//! `bimodal` with a mean-field q covered both modes in 2 seeds, took one in 1 and collapsed in 1; at
//! S = 16 even `correlated` collapsed in 2 seeds of 3. **Defensive** (`renyi-defensive`, the
//! default): the base noise comes from the mixture m = ½N(0, I) + ½N(0, 9I) (see
//! [`super::defensive_base`]), each term weighed by N(ε)/m(ε) ≤ 2, so half the draws land where q
//! is three times wider and a too-narrow q is seen to be one. The estimate and its gradient stay
//! consistent (the same L_α, importance-weighted in ε), and reparameterised, so the mixture family
//! can use it too. Both are exactly the ELBO path at α = 1.
//!
//! Defensive draws alone are not enough below α = 0: the gradient of a log of a sample mean,
//! Σ w̄ₛ ∇ ln wₛ with w̄ normalised by the batch's own sum, is biased at a small S, and at α = −1 the
//! bias points the wrong way. Measured on `correlated` (ρ = 0.9), a mean-field q at σ = 1.5,
//! S = 16, 2000 batches: the expected gradient in the scale parameters −5.0 where the exact one
//! (central differences of the cubature's CUBO₂) is +0.49; at S = 1024 +0.47. So below α = 0 the
//! defensive gradient normalises the weights by a running mean of past batches' E[w^(1−α)]
//! estimates instead ([`SCALE_RATE`] a batch), independent of the batch it weighs: then it is
//! unbiased for ∇E[w^(1−α)]/E up to the normaliser's lag (the same test: +0.47 at S = 16 with the
//! exact normaliser), as Dieng et al. (2017) minimise E[w²] rather than its log. Elsewhere the
//! batch normalises itself: unnormalised weights let single batches throw the fit, above α = 1
//! where (q/p)^(α−1) is large in q's tails (full-rank on `correlated`, α = 2: KL(q‖p) 11) and at
//! α = 0.5 with a flow, whose tails the wide draws reach (`ring`: KL(q‖p) 4727 after 6000 steps);
//! self-normalised, the bias for α ∈ (0, 1) is towards α = 1 and fades with S (tests/renyi.rs:
//! bimodal at S = 256 within 3 % of the exact optima).
//!
//! Where E_q[(p/q)^(1−α)] is infinite for every q of the family (α < 0 and p with heavier tails than
//! any Gaussian, e.g. the banana's: CUBO₂ = ∞), no estimator can make the bound finite: the fit
//! then widens q without end, and the exact D_α readout says ∞.

use super::reverse_kl::reverse_kl_reparam;
use super::{defensive_base, Estimate, Gradient, Gradients, ObjectiveInfo, Scratch};
use crate::engine::family::{Family, Needs};
use crate::engine::math::{exp, ln, log_add_exp, log_sum_exp, std_normal2, Rng};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};
use crate::engine::target::Target;

pub const ALPHA: Setting = Setting {
    key: "alpha",
    url: "alpha",
    label: "Rényi α",
    help: "renyi: 1 is reverse KL, 0 gives ln Z, −1 the upper bound CUBO₂; below 1 q covers more mass",
    kind: Kind::Number { min: -1.0, max: 2.0, step: 0.05, default: 0.5, symbol: "α" },
    aliases: &[],
};

pub static INFO: ObjectiveInfo = ObjectiveInfo {
    name: "renyi",
    label: "Rényi α",
    short: "Rényi α",
    gradient: Setting {
        key: "renyi-estimator",
        url: "rest",
        label: "Gradient estimator",
        help: "Rényi α's gradient estimator",
        kind: Kind::Named(&Gradients(GRADIENTS)),
        aliases: &[],
    },
    gradients: GRADIENTS,
    options: &[ALPHA],
    default_samples: 16,
    bound: "L_α",
    explain: Explanation {
        title: "Rényi α: a dial between the two KLs",
        text: "α = 1 is the ELBO (mode-seeking); as α falls towards 0 the bound weighs the draws where p/q is large more and more, so q spreads to cover more of p's mass; at α = 0 it is ln Z itself. \
               Below 0 it is an upper bound on ln Z, minimised instead (α = −1: CUBO₂, the χ² upper bound). \
               Try the bimodal target with a mean-field q and slide α from 2 down to −1: q moves from one mode to spanning both.",
        formula: r#"<math display="block"><msub><mi>L</mi><mi>α</mi></msub><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>−</mo><mi>α</mi></mrow></mfrac><mi>ln</mi><msub><mi>𝔼</mi><mi>q</mi></msub><mo>[</mo><msup><mrow><mo>(</mo><mfrac><mover><mi>p</mi><mo>~</mo></mover><mi>q</mi></mfrac><mo>)</mo></mrow><mrow><mn>1</mn><mo>−</mo><mi>α</mi></mrow></msup><mo>]</mo><mo>=</mo><mi>ln</mi><mi>Z</mi><mo>−</mo><msub><mi>D</mi><mi>α</mi></msub><mo>(</mo><mi>q</mi><mo>‖</mo><mi>p</mi><mo>)</mo></math>"#,
    },
};

const GRADIENTS: &[Gradient] = &[
    Gradient {
        name: "renyi-defensive",
        label: "Reparameterisation, defensive",
        needs: Needs::Reparam,
        needs_draws: false,
        explain: Explanation {
            title: "Defensive reparameterised Rényi gradient",
            text: "As the plain one, but half the noise is drawn three times wider and weighed back: the draws reach where q is too narrow, \
                   so below α = 0, where the bound weighs those regions most, q is not fooled into collapsing.",
            formula: r#"<math display="block"><mi>ε</mi><mo>∼</mo><mi>m</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mi>N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo><mo>+</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mi>N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mn>9</mn><mi>I</mi><mo>)</mo><mo>,</mo><mspace width="1em"/><msub><mover><mi>w</mi><mo>¯</mo></mover><mi>s</mi></msub><mo>∝</mo><mfrac><mrow><mi>N</mi><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo></mrow><mrow><mi>m</mi><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo></mrow></mfrac><msubsup><mi>w</mi><mi>s</mi><mrow><mn>1</mn><mo>−</mo><mi>α</mi></mrow></msubsup></math>"#,
        },
        estimate: |s| {
            renyi_reparam(s.target, s.q, s.rng, s.samples, s.options.number(&ALPHA), true, s.scratch, s.grad)
        },
    },
    Gradient {
        name: "renyi-reparam",
        label: "Reparameterisation, draws from q",
        needs: Needs::Reparam,
        needs_draws: false,
        explain: Explanation {
            title: "Reparameterised Rényi gradient",
            text: "Each draw's gradient of ln w = ln p̃ − ln q, weighted by its share of w^(1−α): at α = 1 the plain average (the ELBO), at α = 0 the importance weights. \
                   Below α = 0 it can collapse q: its draws never see the tails that make a narrow q's bound large.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><msub><mover><mi>L</mi><mo>^</mo></mover><mi>α</mi></msub><mo>=</mo><munder><mo>∑</mo><mi>s</mi></munder><msub><mover><mi>w</mi><mo>¯</mo></mover><mi>s</mi></msub><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>w</mi><mi>s</mi></msub><mo>,</mo><mspace width="1em"/><msub><mover><mi>w</mi><mo>¯</mo></mover><mi>s</mi></msub><mo>∝</mo><msubsup><mi>w</mi><mi>s</mi><mrow><mn>1</mn><mo>−</mo><mi>α</mi></mrow></msubsup></math>"#,
        },
        estimate: |s| {
            renyi_reparam(s.target, s.q, s.rng, s.samples, s.options.number(&ALPHA), false, s.scratch, s.grad)
        },
    },
];

/// The weight of each new batch in the running normaliser below α = 0.
const SCALE_RATE: f64 = 0.05;

/// |1 − α| below this is α = 1, the ELBO path.
const ELBO_ALPHA: f64 = 1e-9;

/// The Rényi bound and the gradient of its loss (−L̂_α for α ≥ 0, +L̂_α for α < 0), stratified,
/// with the noise drawn from N(0, I) or, `defensive`, from the defensive base (see the module's
/// note).
pub fn renyi_reparam(
    target: &dyn Target,
    q: &dyn Family,
    rng: &mut Rng,
    s: usize,
    alpha: f64,
    defensive: bool,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> Estimate {
    if (1.0 - alpha).abs() < ELBO_ALPHA {
        return reverse_kl_reparam(target, q, rng, s, false, grad);
    }
    let beta = 1.0 - alpha;
    let (k_all, ln_s) = (q.strata(), ln(s as f64));
    // Every draw first: lₖₛ = ln πₖ + β ln wₖₛ − ln S, kept in `f`.
    scratch.clear();
    for k in 0..k_all {
        let ln_pi = q.ln_weight(k);
        for i in 0..s {
            let (eps, log_ratio) = if defensive {
                let (eps, log_n, log_m) = defensive_base(rng, i, s);
                (eps, log_n - log_m)
            } else {
                (std_normal2(rng), 0.0)
            };
            let d = q.draw(k, eps);
            let (log_p, g_p) = target.log_density_and_grad(d.z);
            scratch.keep(k, eps, d.z, ln_pi + log_ratio + beta * (log_p - d.log_q) - ln_s, g_p);
        }
    }
    let lse = log_sum_exp(&scratch.f);
    let bound = lse / beta;
    if !bound.is_finite() {
        return Estimate { elbo: bound, ess: None };
    }
    // The weights' normaliser: the batch's own sum (self-normalised), or below α = 0 with the
    // defensive draws a running mean of past batches' (see the module's note), updated after use.
    let norm = if defensive && alpha < 0.0 {
        let past = scratch.renyi_scale.filter(|&(a, _)| a == alpha).map_or(lse, |(_, c)| c);
        scratch.renyi_scale = Some((alpha, log_add_exp(past + ln(1.0 - SCALE_RATE), lse + ln(SCALE_RATE))));
        past
    } else {
        lse
    };
    // Maximise a lower bound, minimise an upper one.
    let sign = if alpha < 0.0 { -1.0 } else { 1.0 };
    scratch.shares.clear();
    scratch.shares.resize(k_all, 0.0);
    for (&(k, eps, g_p), &lk) in scratch.drawn.iter().zip(&scratch.f) {
        let wbar = sign * exp(lk - norm);
        // Loss −L̂: −w̄ ∇ ln w, with ∇ ln w = (∂/∂z ln p̃)·∂z/∂φ − d ln q(z(φ), φ)/dφ.
        q.backprop_draw(k, eps, -g_p * wbar, wbar, grad);
        scratch.shares[k] += wbar;
    }
    for (k, &share) in scratch.shares.iter().enumerate() {
        q.backprop_ln_weight(k, -share / beta, grad);
    }
    let ess = 1.0 / scratch.f.iter().map(|lk| exp(2.0 * (lk - lse))).sum::<f64>();
    Estimate { elbo: bound, ess: Some(ess) }
}
