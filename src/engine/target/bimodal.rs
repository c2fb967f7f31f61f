//! Bimodal: w·N((−a, −a), s²I) + (1 − w)·N((a, a), s²I) with a = 1.5, s = 0.6.
//!
//! ln p(z) = LSE(ln w + ln N₁(z), ln(1 − w) + ln N₂(z)) by log-sum-exp, Z = 1. With responsibilities
//! r_k = softmax of those terms, ∇ ln p(z) = Σ_k r_k (m_k − z)/s². Mean (1 − 2w)(a, a); covariance
//! s²I + w(1 − w)(2a)²·[[1, 1], [1, 1]] (science.md; PRML Fig. 10.3 uses such a mixture).

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{exp, ln, ln_1p, log_add_exp, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

pub const W: Setting = Setting {
    key: "w",
    url: "w",
    label: "Weight w",
    help: "bimodal: the weight of the lower mode",
    kind: Kind::Number { min: 0.05, max: 0.95, step: 0.05, default: 0.5, symbol: "w" },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "bimodal",
    label: "Bimodal",
    inputs: &[W],
    explain: Explanation {
        title: "Two modes",
        text:
            "A mixture of two round Gaussians at ±(1.5, 1.5) with weights w and 1 − w. \
               It shows what a single-peaked q does with two peaks: reverse KL picks one, forward KL spreads over both.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi>w</mi><mspace width="0.1em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><mo>−</mo><mi>a</mi><mn>𝟏</mn><mo>,</mo><msup><mi>s</mi><mn>2</mn></msup><mi>I</mi><mo>)</mo><mo>+</mo><mo>(</mo><mn>1</mn><mo>−</mo><mi>w</mi><mo>)</mo><mspace width="0.1em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><mi>a</mi><mn>𝟏</mn><mo>,</mo><msup><mi>s</mi><mn>2</mn></msup><mi>I</mi><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Bimodal::new(o.number(&W)))),
};

/// The modes sit at ±(A, A).
pub const A: f64 = 1.5;
/// Each component's standard deviation.
pub const S: f64 = 0.6;

#[derive(Debug, Clone, Copy)]
pub struct Bimodal {
    w: f64,
    /// ln w − ln 2π − 2 ln s, and the same with 1 − w.
    c1: f64,
    c2: f64,
}

impl Bimodal {
    pub fn new(w: f64) -> Self {
        let base = -LN_2PI - 2.0 * ln(S);
        Bimodal { w, c1: ln(w) + base, c2: ln(1.0 - w) + base }
    }

    fn terms(&self, z: Vec2) -> (f64, f64, Vec2, Vec2) {
        let d1 = z - Vec2::new(-A, -A);
        let d2 = z - Vec2::new(A, A);
        let inv_s2 = 1.0 / (S * S);
        let t1 = self.c1 - 0.5 * d1.norm_squared() * inv_s2;
        let t2 = self.c2 - 0.5 * d2.norm_squared() * inv_s2;
        (t1, t2, d1, d2)
    }
}

impl Target for Bimodal {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (t1, t2, d1, d2) = self.terms(z);
        // One exponential serves both the log-sum-exp and the responsibilities:
        // with e = exp(−|t₁ − t₂|), ln p = max + ln(1 + e), r_max = 1/(1 + e), r_min = e/(1 + e).
        let e = exp(-(t1 - t2).abs());
        let lp = t1.max(t2) + ln_1p(e);
        let r_min = e / (1.0 + e);
        let (r1, r2) = if t1 >= t2 { (1.0 - r_min, r_min) } else { (r_min, 1.0 - r_min) };
        (lp, -(d1 * r1 + d2 * r2) / (S * S))
    }

    fn log_density(&self, z: Vec2) -> f64 {
        let (t1, t2, _, _) = self.terms(z);
        log_add_exp(t1, t2)
    }

    fn mass_box(&self) -> Box2 {
        let r = A + 7.0 * S; // 2.6e-12 of a mode beyond 7 sd
        Box2 { x: (-r, r), y: (-r, r) }
    }

    fn view_box(&self) -> Box2 {
        Box2 { x: (-3.8, 3.8), y: (-3.8, 3.8) }
    }

    fn exact(&self) -> Exact {
        let m = (1.0 - 2.0 * self.w) * A;
        let between = self.w * (1.0 - self.w) * (2.0 * A) * (2.0 * A);
        Exact {
            log_z: Some(0.0),
            mean: Some(Vec2::new(m, m)),
            cov: Some(Mat2::new(S * S + between, between, between, S * S + between)),
        }
    }
}
