//! Squiggle: x ~ N(0, 1.5²), y | x ~ N(sin(ωx), 0.3²) (science.md, "More targets").
//!
//! ln p(x, y) = −x²/(2·1.5²) − (y − sin ωx)²/(2·0.3²) − ln 2π − ln(1.5·0.3), so Z = 1. With
//! r = (y − sin ωx)/0.3²: ∂/∂x = −x/1.5² + r ω cos ωx, ∂/∂y = −r. For x ~ N(0, s²), s = 1.5:
//! E[x sin ωx] = s²ω e^(−s²ω²/2) and E[sin² ωx] = ½(1 − e^(−2s²ω²)), so the mean is 0, Var x = 2.25,
//! Var y = 0.09 + ½(1 − e^(−4.5ω²)) and Cov(x, y) = 2.25 ω e^(−1.125ω²). The map
//! u ↦ (1.5u₁, 0.3u₂ + sin(1.5ωu₁)) turns p into N(0, I) (ln|det| = ln 0.45): p's integrals follow
//! the wiggle instead of refining along it.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{cos, exp, ln, sin, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

/// The sd of x and of y given x.
pub const SX: f64 = 1.5;
pub const SY: f64 = 0.3;

pub const OMEGA: Setting = Setting {
    key: "omega",
    url: "omega",
    label: "Frequency ω",
    help: "squiggle: how fast y winds along x",
    kind: Kind::Number { min: 0.0, max: 4.0, step: 0.1, default: 2.0, symbol: "ω" },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "squiggle",
    label: "Squiggle",
    inputs: &[OMEGA],
    explain: Explanation {
        title: "The squiggle",
        text: "x is normal and y follows sin(ωx) closely, so the mass winds along a sine wave. \
               No ellipse can follow it: a Gaussian q covers the wave with a blur, or, by reverse KL, hugs one stretch of it. Raise ω to wind it tighter; try the flow.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>x</mi><mo>;</mo><mn>0</mn><mo>,</mo><msup><mn>1.5</mn><mn>2</mn></msup><mo>)</mo><mspace width="0.2em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>y</mi><mo>;</mo><mi>sin</mi><mo>(</mo><mi>ω</mi><mi>x</mi><mo>)</mo><mo>,</mo><msup><mn>0.3</mn><mn>2</mn></msup><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Squiggle::new(o.number(&OMEGA)))),
};

#[derive(Debug, Clone, Copy)]
pub struct Squiggle {
    omega: f64,
}

impl Squiggle {
    pub fn new(omega: f64) -> Self {
        Squiggle { omega }
    }
}

impl Target for Squiggle {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (x, y) = (z[0], z[1]);
        let d = y - sin(self.omega * x);
        let r = d / (SY * SY);
        let lp = -0.5 * x * x / (SX * SX) - 0.5 * d * r - LN_2PI - ln(SX * SY);
        (lp, Vec2::new(-x / (SX * SX) + r * self.omega * cos(self.omega * x), -r))
    }

    fn mass_box(&self) -> Box2 {
        // ± 6.5 sd in x (8e-11 outside); y within the wave's ±1, ± 7 sd.
        Box2 { x: (-6.5 * SX, 6.5 * SX), y: (-1.0 - 7.0 * SY, 1.0 + 7.0 * SY) }
    }

    fn chart_box(&self) -> Box2 {
        Box2 { x: (-9.0, 9.0), y: (-9.0, 9.0) }
    }

    fn from_chart(&self, u: Vec2) -> (Vec2, f64) {
        let x = SX * u[0];
        (Vec2::new(x, SY * u[1] + sin(self.omega * x)), ln(SX * SY))
    }

    fn view_box(&self) -> Box2 {
        Box2 { x: (-4.5, 4.5), y: (-2.0, 2.0) }
    }

    fn exact(&self) -> Exact {
        let w = self.omega;
        let cov_xy = SX * SX * w * exp(-0.5 * SX * SX * w * w);
        let var_y = SY * SY + 0.5 * (1.0 - exp(-2.0 * SX * SX * w * w));
        Exact { log_z: Some(0.0), mean: Some(Vec2::zeros()), cov: Some(Mat2::new(SX * SX, cov_xy, cov_xy, var_y)) }
    }
}
