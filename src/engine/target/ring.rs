//! Ring: k round Gaussians evenly spaced on a circle (science.md, "More targets"),
//!
//!   p(z) = (1/k) Σⱼ N(z; mⱼ, s²I),  mⱼ = R (cos 2πj/k, sin 2πj/k),  R = 2.5, s = 0.35.
//!
//! ln p by log-sum-exp, Z = 1; with the responsibilities rⱼ (a softmax of the terms),
//! ∇ ln p(z) = Σⱼ rⱼ (mⱼ − z)/s². Mean (1/k) Σ mⱼ = 0; covariance s²I + (1/k) Σⱼ mⱼmⱼᵀ, which is
//! s²I + (R²/2) I for k ≥ 3 and s²I + diag(R², 0) for k = 2. A q that covers the ring must cover
//! its hole: no single Gaussian can, and reverse KL settles on one mode or a few.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{cos, exp, ln, log_sum_exp, sin, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

/// The ring's radius and each mode's sd.
pub const R: f64 = 2.5;
pub const S: f64 = 0.35;
/// Most modes offered.
pub const MAX_MODES: usize = 12;

pub const MODES: Setting = Setting {
    key: "modes",
    url: "modes",
    label: "Modes k",
    help: "ring: how many modes on the circle",
    kind: Kind::Whole { min: 2, max: MAX_MODES as u64, default: 8 },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "ring",
    label: "Ring of modes",
    inputs: &[MODES],
    explain: Explanation {
        title: "A ring of modes",
        text: "k equal Gaussians on a circle of radius 2.5: the mass surrounds a hole. \
               No ellipse can bend around it: reverse KL settles on one mode (or a few), forward KL spreads a wide q over the hole. Try few modes against many.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mi>k</mi></mfrac><munderover><mo>∑</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>k</mi></munderover><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><msub><mi>m</mi><mi>j</mi></msub><mo>,</mo><msup><mi>s</mi><mn>2</mn></msup><mi>I</mi><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Ring::new(o.number(&MODES) as usize))),
};

#[derive(Debug, Clone)]
pub struct Ring {
    modes: Vec<Vec2>,
    log_norm: f64,
}

impl Ring {
    /// `k` modes, held to 2..=12.
    pub fn new(k: usize) -> Self {
        let k = k.clamp(2, MAX_MODES);
        let modes = (0..k)
            .map(|j| {
                let t = 2.0 * std::f64::consts::PI * j as f64 / k as f64;
                Vec2::new(R * cos(t), R * sin(t))
            })
            .collect();
        Ring { modes, log_norm: -ln(k as f64) - LN_2PI - 2.0 * ln(S) }
    }

    /// ln(1/k) + ln N(z; mⱼ, s²I) for every j.
    fn terms(&self, z: Vec2) -> [f64; MAX_MODES] {
        let mut t = [f64::NEG_INFINITY; MAX_MODES];
        for (tj, m) in t.iter_mut().zip(&self.modes) {
            *tj = self.log_norm - 0.5 * (z - m).norm_squared() / (S * S);
        }
        t
    }
}

impl Target for Ring {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let t = self.terms(z);
        let lp = log_sum_exp(&t[..self.modes.len()]);
        let g = self.modes.iter().zip(&t).fold(Vec2::zeros(), |g, (m, tj)| g + exp(tj - lp) * (m - z));
        (lp, g / (S * S))
    }

    fn log_density(&self, z: Vec2) -> f64 {
        log_sum_exp(&self.terms(z)[..self.modes.len()])
    }

    fn mass_box(&self) -> Box2 {
        let r = R + 7.0 * S; // 2.6e-12 of a mode beyond 7 sd
        Box2 { x: (-r, r), y: (-r, r) }
    }

    fn view_box(&self) -> Box2 {
        Box2 { x: (-4.0, 4.0), y: (-4.0, 4.0) }
    }

    fn exact(&self) -> Exact {
        let k = self.modes.len() as f64;
        let spread = self.modes.iter().fold(Mat2::zeros(), |c, m| c + m * m.transpose() / k);
        Exact { log_z: Some(0.0), mean: Some(Vec2::zeros()), cov: Some(Mat2::identity() * S * S + spread) }
    }
}
