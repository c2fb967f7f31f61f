//! Donut: ln p̃(z) = −(‖z‖ − r)²/(2σ²), σ = 0.3 (science.md, "More targets").
//!
//! ∇ ln p̃ = −(‖z‖ − r)/σ² · z/‖z‖ (0 at the origin, the cone's tip, which has no mass). In polar
//! coordinates Z = 2π ∫₀^∞ ρ e^(−(ρ−r)²/2σ²) dρ; with t = ρ − r and the truncated moments
//! Mₙ = ∫_{−r}^∞ tⁿ e^(−t²/2σ²) dt, E = e^(−r²/2σ²):
//!   M₀ = σ√(2π) Φ(r/σ),  M₁ = σ² E,  M₂ = σ² M₀ − σ² r E,  M₃ = σ² r² E + 2σ⁴ E,
//! so Z = 2π (r M₀ + M₁) = 2π[σ² E + rσ√(2π) Φ(r/σ)] and E‖z‖² = 2π(r³M₀ + 3r²M₁ + 3rM₂ + M₃)/Z.
//! By symmetry the mean is 0 and the covariance ½ E‖z‖² I.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{exp, ln, normal_cdf, Mat2, Vec2};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

/// The ring's thickness.
pub const SIGMA: f64 = 0.3;

pub const RADIUS: Setting = Setting {
    key: "r",
    url: "r",
    label: "Radius r",
    help: "donut: the radius of the ridge",
    kind: Kind::Number { min: 0.5, max: 3.0, step: 0.05, default: 2.0, symbol: "r" },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "donut",
    label: "Donut",
    inputs: &[RADIUS],
    explain: Explanation {
        title: "The donut",
        text: "The mass lies on a thin circular ridge of radius r, with a hole in the middle. \
               A Gaussian q cannot bend around it: reverse KL hugs one arc, forward KL spreads across the hole, where p has almost nothing. Shrink r until the hole closes; try the flow.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>∝</mo><mi>exp</mi><mo>(</mo><mo>−</mo><mfrac><msup><mrow><mo>(</mo><mo>‖</mo><mi>z</mi><mo>‖</mo><mo>−</mo><mi>r</mi><mo>)</mo></mrow><mn>2</mn></msup><mrow><mn>2</mn><msup><mi>σ</mi><mn>2</mn></msup></mrow></mfrac><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Donut::new(o.number(&RADIUS)))),
};

#[derive(Debug, Clone, Copy)]
pub struct Donut {
    r: f64,
}

impl Donut {
    pub fn new(r: f64) -> Self {
        Donut { r }
    }
}

impl Target for Donut {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let n = z.norm();
        let d = n - self.r;
        let lp = -0.5 * d * d / (SIGMA * SIGMA);
        let g = if n > 0.0 { z * (-d / (SIGMA * SIGMA * n)) } else { Vec2::zeros() };
        (lp, g)
    }

    fn mass_box(&self) -> Box2 {
        let h = self.r + 7.0 * SIGMA; // 2.6e-12 of the ridge beyond 7 sd
        Box2 { x: (-h, h), y: (-h, h) }
    }

    fn view_box(&self) -> Box2 {
        let h = (self.r + 4.0 * SIGMA).max(2.5);
        Box2 { x: (-h, h), y: (-h, h) }
    }

    fn exact(&self) -> Exact {
        let (r, s2) = (self.r, SIGMA * SIGMA);
        let e = exp(-0.5 * r * r / s2);
        let m0 = SIGMA * (2.0 * std::f64::consts::PI).sqrt() * normal_cdf(r / SIGMA);
        let m1 = s2 * e;
        let m2 = s2 * m0 - s2 * r * e;
        let m3 = s2 * r * r * e + 2.0 * s2 * s2 * e;
        let tau = 2.0 * std::f64::consts::PI;
        let z = tau * (r * m0 + m1);
        let second = tau * (r * r * r * m0 + 3.0 * r * r * m1 + 3.0 * r * m2 + m3) / z;
        Exact { log_z: Some(ln(z)), mean: Some(Vec2::zeros()), cov: Some(Mat2::identity() * (0.5 * second)) }
    }
}
