//! Reverse KL, loss −ELBO, ELBO = E_q[ln p̃ − ln q] = ln Z − KL(q‖p):
//! - reparameterisation: ∇ = −(1/S) Σ ∇_φ [ln p̃(T_φ(εₛ)) − ln N(εₛ) + ln|det ∂T_φ/∂ε|];
//! - sticking the landing (Roeder, Wu & Duvenaud 2017): the score term ∇_φ ln q_φ(z) at fixed z is
//!   dropped, ∇ = −(1/S) Σ (∇_z ln p̃ − ∇_z ln q)·∂T_φ/∂φ; unbiased, and its variance vanishes as q → p;
//! - score function (REINFORCE; Ranganath, Gerrish & Blei 2014): ∇ = −(1/S) Σ (fₛ − bₛ) ∇_φ ln q(zₛ),
//!   fₛ = ln p̃(zₛ) − ln q(zₛ), with the leave-one-out baseline bₛ = mean of the other f's (S ≥ 2) or a
//!   running mean of past f's (S = 1).

use super::{draw_from_q, Estimate, Gradient, Gradients, ObjectiveInfo, Scratch};
use crate::engine::family::Family;
use crate::engine::family::Needs;
use crate::engine::math::{exp, std_normal2, Rng};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};
use crate::engine::target::Target;

pub static INFO: ObjectiveInfo = ObjectiveInfo {
    name: "reverse",
    label: "Reverse KL (ELBO)",
    short: "reverse KL",
    gradient: Setting {
        key: "estimator",
        url: "est",
        label: "Gradient estimator",
        help: "reverse KL's gradient estimator",
        kind: Kind::Named(&Gradients(GRADIENTS)),
        aliases: &[],
    },
    gradients: GRADIENTS,
    options: &[],
    default_samples: 8,
    bound: "ELBO",
    explain: Explanation {
        title: "Reverse KL: maximise the ELBO",
        text: "ln Z is fixed, so raising the ELBO lowers KL(q‖p): the gap between the ELBO curve and the dashed ln Z line is that KL. \
               It weighs errors where q puts mass, so q avoids regions p lacks: mode-seeking, and too narrow.",
        formula: r#"<math display="block"><mi>ln</mi><mi>Z</mi><mo>=</mo><munder><munder><mrow><msub><mi>𝔼</mi><mi>q</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><mi>z</mi><mo>)</mo><mo>−</mo><mi>ln</mi><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo></mrow><mo>⏟</mo></munder><mtext>ELBO</mtext></munder><mo>+</mo><mi>KL</mi><mo>(</mo><mi>q</mi><mo>‖</mo><mi>p</mi><mo>)</mo></math>"#,
    },
};

const GRADIENTS: &[Gradient] = &[
    Gradient {
        name: "reparam",
        label: "Reparameterisation",
        needs: Needs::Reparam,
        needs_draws: false,
        explain: Explanation {
            title: "Reparameterisation gradient",
            text: "Write z = T(ε) with fixed noise ε and differentiate through T. \
                   Low variance for smooth targets; the usual choice.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mi>ELBO</mi><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munderover><mo>∑</mo><mrow><mi>s</mi><mo>=</mo><mn>1</mn></mrow><mi>S</mi></munderover><msub><mo>∇</mo><mi>φ</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>T</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo><mo>)</mo><mo>−</mo><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>T</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo><mo>)</mo><mo>]</mo></math>"#,
        },
        estimate: |s| reverse_kl_reparam(s.target, s.q, s.rng, s.samples, false, s.grad),
    },
    Gradient {
        name: "stl",
        label: "Sticking the landing",
        needs: Needs::Reparam,
        needs_draws: false,
        explain: Explanation {
            title: "Sticking the landing",
            text: "The reparameterisation gradient without the score term of ln q, whose expectation is zero (Roeder, Wu and Duvenaud 2017). \
                   When q can equal p the gradient vanishes there, so the fit lands instead of jittering.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munder><mo>∑</mo><mi>s</mi></munder><msup><mrow><mo>(</mo><mfrac><mrow><mo>∂</mo><msub><mi>T</mi><mi>φ</mi></msub></mrow><mrow><mo>∂</mo><mi>φ</mi></mrow></mfrac><mo>)</mo></mrow><mo>⊤</mo></msup><msub><mo>∇</mo><mi>z</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><mi>z</mi><mo>)</mo><mo>−</mo><mi>ln</mi><msub><mi>q</mi><mover><mi>φ</mi><mo>¯</mo></mover></msub><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo></math>"#,
        },
        estimate: |s| reverse_kl_reparam(s.target, s.q, s.rng, s.samples, true, s.grad),
    },
    Gradient {
        name: "score",
        label: "Score function",
        needs: Needs::Score,
        needs_draws: false,
        explain: Explanation {
            title: "Score-function gradient",
            text: "REINFORCE: it needs only ln p̃ and the score of q, not the target's gradient, at the cost of a much higher variance. \
                   A leave-one-out baseline over the S samples keeps it usable.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munder><mo>∑</mo><mi>s</mi></munder><mo>(</mo><msub><mi>f</mi><mi>s</mi></msub><mo>−</mo><msub><mover><mi>f</mi><mo>¯</mo></mover><mrow><mo>−</mo><mi>s</mi></mrow></msub><mo>)</mo><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>,</mo><mspace width="1em"/><msub><mi>f</mi><mi>s</mi></msub><mo>=</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>−</mo><mi>ln</mi><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></math>"#,
        },
        estimate: |s| reverse_kl_score(s.target, s.q, s.rng, s.samples, s.scratch, s.grad),
    },
];

/// Reverse KL by reparameterisation (`stl = false`) or sticking the landing (`stl = true`),
/// stratified: S draws from each of q's strata k, weighted by πₖ, ELBO = Σₖ πₖ (1/S) Σₛ fₖₛ; the
/// weights' own gradient, Σₖ (∇ ln πₖ) πₖ (1/S) Σₛ fₖₛ, exactly (nothing for one stratum).
pub fn reverse_kl_reparam(
    target: &dyn Target,
    q: &dyn Family,
    rng: &mut Rng,
    s: usize,
    stl: bool,
    grad: &mut [f64],
) -> Estimate {
    let inv_s = 1.0 / s as f64;
    let mut elbo = 0.0;
    for k in 0..q.strata() {
        let w = exp(q.ln_weight(k));
        let mut stratum = 0.0;
        for _ in 0..s {
            let eps = std_normal2(rng);
            if stl {
                let d = q.draw(k, eps);
                let (log_p, g_p) = target.log_density_and_grad(d.z);
                stratum += (log_p - d.log_q) * inv_s;
                q.backprop_draw(k, eps, -(g_p - q.score_z(d.z)) * (inv_s * w), 0.0, grad);
            } else {
                q.draw_and_backprop(k, eps, grad, &mut |d| {
                    let (log_p, g_p) = target.log_density_and_grad(d.z);
                    stratum += (log_p - d.log_q) * inv_s;
                    (-g_p * (inv_s * w), inv_s * w)
                });
            }
        }
        elbo += w * stratum;
        q.backprop_ln_weight(k, -w * stratum, grad);
    }
    Estimate { elbo, ess: None }
}

/// Reverse KL by the score-function estimator with a baseline.
pub fn reverse_kl_score(
    target: &dyn Target,
    q: &dyn Family,
    rng: &mut Rng,
    s: usize,
    scratch: &mut Scratch,
    grad: &mut [f64],
) -> Estimate {
    draw_from_q(target, q, rng, s, scratch);
    let total: f64 = scratch.f.iter().sum();
    let elbo = total / s as f64;
    for (&z, &f) in scratch.z.iter().zip(&scratch.f) {
        let b = if s >= 2 { (total - f) / (s - 1) as f64 } else { scratch.baseline.unwrap_or(0.0) };
        q.score_params(z, -(f - b) / s as f64, grad);
    }
    if s == 1 && elbo.is_finite() {
        scratch.baseline = Some(scratch.baseline.map_or(elbo, |b| 0.9 * b + 0.1 * elbo));
    }
    Estimate { elbo, ess: None }
}
