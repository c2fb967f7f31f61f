//! Banana: x ~ N(0, 1), y | x ~ N(b(x² − 1), σ²) with σ = 0.5.
//!
//! ln p(x, y) = −x²/2 − (y − b(x² − 1))² / (2σ²) − ln 2π − ln σ. The map (x, y) ↦ (x, y − b(x² − 1))
//! has unit Jacobian, so Z = 1 (and p's integrals are taken through it: [`Target::from_chart`]); E[y] = b(E[x²] − 1) = 0, Var y = σ² + b² Var(x²) = σ² + 2b², and
//! Cov(x, y) = b E[x³ − x] = 0 (science.md, table of targets). With r = (y − b(x² − 1))/σ²:
//! ∂/∂x = −x + 2bx·r, ∂/∂y = −r.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{ln, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

pub const B: Setting = Setting {
    key: "b",
    url: "b",
    label: "Curvature b",
    help: "banana: the curvature",
    kind: Kind::Number { min: 0.0, max: 2.0, step: 0.05, default: 1.0, symbol: "b" },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "banana",
    label: "Banana",
    inputs: &[B],
    explain: Explanation {
        title: "The banana",
        text: "x is standard normal and y follows b(x² − 1) with noise of sd 0.5, so the density bends into a curved ridge. \
               A Gaussian can only cover it with a straight ellipse; the curvature b sets how much it misses.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>x</mi><mo>;</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>)</mo><mspace width="0.2em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>y</mi><mo>;</mo><mi>b</mi><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>−</mo><mn>1</mn><mo>)</mo><mo>,</mo><msup><mi>σ</mi><mn>2</mn></msup><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Banana::new(o.number(&B)))),
};

/// Conditional standard deviation of y given x.
pub const SIGMA: f64 = 0.5;

#[derive(Debug, Clone, Copy)]
pub struct Banana {
    b: f64,
    log_norm: f64,
}

impl Banana {
    pub fn new(b: f64) -> Self {
        Banana { b, log_norm: -LN_2PI - ln(SIGMA) }
    }
}

impl Target for Banana {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (x, y) = (z[0], z[1]);
        let d = y - self.b * (x * x - 1.0);
        let r = d / (SIGMA * SIGMA);
        let lp = -0.5 * x * x - 0.5 * d * r + self.log_norm;
        (lp, Vec2::new(-x + 2.0 * self.b * x * r, -r))
    }

    fn mass_box(&self) -> Box2 {
        // |x| ≤ 6.5 holds all but 8e-11 of the mass, so even the heavy y-tail (y ≈ b x²) adds
        // under 1e-8 to Var y; y spans the parabola over it, ± 7σ (2.6e-12 outside).
        const X: f64 = 6.5;
        Box2 { x: (-X, X), y: (-self.b - 7.0 * SIGMA, self.b * (X * X - 1.0) + 7.0 * SIGMA) }
    }

    /// The unit-Jacobian map that defines the banana, scaled: u ↦ (u₁, σu₂ + b(u₁² − 1)) turns p
    /// into N(0, I), so its integrals need no refinement along the parabola (ln|det| = ln σ).
    fn chart_box(&self) -> Box2 {
        Box2 { x: (-9.0, 9.0), y: (-9.0, 9.0) }
    }

    fn from_chart(&self, u: Vec2) -> (Vec2, f64) {
        (Vec2::new(u[0], SIGMA * u[1] + self.b * (u[0] * u[0] - 1.0)), ln(SIGMA))
    }

    fn view_box(&self) -> Box2 {
        Box2 { x: (-3.5, 3.5), y: (-self.b - 2.0, 2.5 + 6.0 * self.b) }
    }

    fn exact(&self) -> Exact {
        Exact {
            log_z: Some(0.0),
            mean: Some(Vec2::zeros()),
            cov: Some(Mat2::new(1.0, 0.0, 0.0, SIGMA * SIGMA + 2.0 * self.b * self.b)),
        }
    }
}
