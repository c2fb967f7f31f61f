//! The importance-weighted bound (Burda, Grosse & Salakhutdinov 2016; science.md, "Divergences and
//! their gradients"): maximise
//!
//!   L_K = E[ln (1/K) Σₖ wₖ],  wₖ = p̃(zₖ)/q(zₖ),  z₁…z_K ~ q,
//!
//! with L₁ = ELBO ≤ L_K ≤ L_{K+1} → ln Z. Each step averages S independent sets of K draws.
//! Gradients, with w̄ₖ = wₖ/Σⱼwⱼ and zₖ = T_φ(εₖ):
//! - plain: Σₖ w̄ₖ ∇_φ ln wₖ (the total derivative, through z and through q's parameters);
//! - doubly reparameterised (DReG; Tucker, Lawson, Gu & Maddison 2019): Σₖ w̄ₖ² (∇_z ln p̃ − ∇_z ln q)
//!   ·∂zₖ/∂φ, q's parameters held fixed in ln q: unbiased for the same gradient, its variance
//!   vanishing as q → p (the sticking-the-landing of IWAE).
//!
//! Both need q to be one bijection of N(0, I): a mixture's draw picks a component, which no
//! reparameterisation differentiates.

use super::{Estimate, Gradient, Gradients, ObjectiveInfo, Scratch};
use crate::engine::family::{Family, Needs};
use crate::engine::math::{exp, ln, log_sum_exp, std_normal2, Rng};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};
use crate::engine::target::Target;

/// Most draws in one set.
pub const MAX_K: usize = 64;

pub const K: Setting = Setting {
    key: "k",
    url: "iwk",
    label: "Importance samples K",
    help: "iwae: draws in each importance-weighted set",
    kind: Kind::Whole { min: 1, max: MAX_K as u64, default: 8 },
    aliases: &[],
};

pub static INFO: ObjectiveInfo = ObjectiveInfo {
    name: "iwae",
    label: "IWAE bound",
    short: "IWAE",
    gradient: Setting {
        key: "iwae-estimator",
        url: "iwest",
        label: "Gradient estimator",
        help: "IWAE's gradient estimator: plain or doubly reparameterised",
        kind: Kind::Named(&Gradients(GRADIENTS)),
        aliases: &[],
    },
    gradients: GRADIENTS,
    options: &[K],
    default_samples: 1,
    bound: "L_K",
    explain: Explanation {
        title: "The importance-weighted bound",
        text: "Average K importance weights before taking the log: the bound climbs from the ELBO (K = 1) towards ln Z as K grows, and q is free to be wider than the ELBO's q, since the weights fix its mistakes. \
               Raise K and watch the bound close the gap to the dashed ln Z line.",
        formula: r#"<math display="block"><msub><mi>L</mi><mi>K</mi></msub><mo>=</mo><mi>𝔼</mi><mo>[</mo><mi>ln</mi><mfrac><mn>1</mn><mi>K</mi></mfrac><munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover><mfrac><mrow><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>k</mi></msub><mo>)</mo></mrow><mrow><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>k</mi></msub><mo>)</mo></mrow></mfrac><mo>]</mo><mo>≤</mo><mi>ln</mi><mi>Z</mi></math>"#,
    },
};

const GRADIENTS: &[Gradient] = &[
    Gradient {
        name: "iwae",
        label: "Reparameterisation",
        needs: Needs::Bijection,
        needs_draws: false,
        explain: Explanation {
            title: "IWAE gradient",
            text: "Each draw's gradient of ln w, weighted by its normalised importance weight. Its signal for q fades as K grows (Rainforth et al. 2018).",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><msub><mover><mi>L</mi><mo>^</mo></mover><mi>K</mi></msub><mo>=</mo><munder><mo>∑</mo><mi>k</mi></munder><msub><mover><mi>w</mi><mo>¯</mo></mover><mi>k</mi></msub><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>w</mi><mi>k</mi></msub></math>"#,
        },
        estimate: |s| iwae(s.target, s.q, s.rng, s.samples, s.options.number(&K) as usize, false, s.scratch, s.grad),
    },
    Gradient {
        name: "dreg",
        label: "Doubly reparameterised (DReG)",
        needs: Needs::Bijection,
        needs_draws: false,
        explain: Explanation {
            title: "Doubly reparameterised gradient",
            text: "The same expected gradient with the score term replaced by a second reparameterisation: squared weights on the path derivative only (Tucker et al. 2019). Its variance vanishes as q approaches p.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mo>≈</mo><munder><mo>∑</mo><mi>k</mi></munder><msubsup><mover><mi>w</mi><mo>¯</mo></mover><mi>k</mi><mn>2</mn></msubsup><msup><mrow><mo>(</mo><mfrac><mrow><mo>∂</mo><msub><mi>z</mi><mi>k</mi></msub></mrow><mrow><mo>∂</mo><mi>φ</mi></mrow></mfrac><mo>)</mo></mrow><mo>⊤</mo></msup><msub><mo>∇</mo><mi>z</mi></msub><mi>ln</mi><msub><mi>w</mi><mi>k</mi></msub></math>"#,
        },
        estimate: |s| iwae(s.target, s.q, s.rng, s.samples, s.options.number(&K) as usize, true, s.scratch, s.grad),
    },
];

/// The IWAE bound averaged over `sets` sets of `k` draws, and the gradient of its loss −L̂_K
/// (plain, or DReG when `dreg`).
#[allow(clippy::too_many_arguments)]
pub fn iwae(
    target: &dyn Target,
    q: &dyn Family,
    rng: &mut Rng,
    sets: usize,
    k: usize,
    dreg: bool,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> Estimate {
    let k = k.clamp(1, MAX_K);
    let (inv_sets, ln_k) = (1.0 / sets as f64, ln(k as f64));
    let mut bound = 0.0;
    for _ in 0..sets {
        scratch.clear();
        for _ in 0..k {
            let eps = std_normal2(rng);
            let d = q.draw(0, eps);
            let (log_p, g_p) = target.log_density_and_grad(d.z);
            scratch.keep(0, eps, d.z, log_p - d.log_q, g_p);
        }
        let lse = log_sum_exp(&scratch.f);
        bound += (lse - ln_k) * inv_sets;
        if !lse.is_finite() {
            continue;
        }
        for ((&(_, eps, g_p), &z), &lw) in scratch.drawn.iter().zip(&scratch.z).zip(&scratch.f) {
            let wbar = exp(lw - lse);
            if dreg {
                let g = -(g_p - q.score_z(z)) * (wbar * wbar * inv_sets);
                q.backprop_draw(0, eps, g, 0.0, grad);
            } else {
                q.backprop_draw(0, eps, -g_p * (wbar * inv_sets), wbar * inv_sets, grad);
            }
        }
    }
    Estimate { elbo: bound, ess: None }
}
