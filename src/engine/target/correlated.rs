//! Correlated Gaussian: p(z) = N(z; 0, Σ), Σ = [[1, ρ], [ρ, 1]].
//!
//! ln p(z) = −(x² − 2ρxy + y²) / (2(1 − ρ²)) − ln 2π − ½ ln(1 − ρ²), so Z = 1 (ln Z = 0) and
//! ∇ ln p(z) = −Σ⁻¹ z = −(x − ρy, y − ρx) / (1 − ρ²). Science.md, table of targets; the classic
//! example of PRML §10.1.2 where mean-field VI underestimates the variance.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{ln, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

pub const RHO: Setting = Setting {
    key: "rho",
    url: "rho",
    label: "Correlation ρ",
    help: "correlated: the correlation",
    kind: Kind::Number { min: -0.99, max: 0.99, step: 0.01, default: 0.9, symbol: "ρ" },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "correlated",
    label: "Correlated Gaussian",
    inputs: &[RHO],
    explain: Explanation {
        title: "A correlated Gaussian",
        text: "A Gaussian with unit variances and correlation ρ: the simplest posterior where the two coordinates depend on each other. \
               Its exact answer is known, so every error of the fit can be read off.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi mathvariant="script">N</mi><mrow><mo>(</mo><mi>z</mi><mo>;</mo><mn>0</mn><mo>,</mo><mrow><mo>[</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mi>ρ</mi></mtd></mtr><mtr><mtd><mi>ρ</mi></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>]</mo></mrow><mo>)</mo></mrow></math>"#,
    },
    build: |o| Ok(Box::new(Correlated::new(o.number(&RHO)))),
};

#[derive(Debug, Clone, Copy)]
pub struct Correlated {
    rho: f64,
    /// 1 / (1 − ρ²).
    inv_det: f64,
    log_norm: f64,
}

impl Correlated {
    /// `rho` must lie in (−1, 1); [`super::TargetInfo::build`] checks the slider's range.
    pub fn new(rho: f64) -> Self {
        let det = 1.0 - rho * rho;
        Correlated { rho, inv_det: 1.0 / det, log_norm: -LN_2PI - 0.5 * ln(det) }
    }
}

impl Target for Correlated {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (x, y) = (z[0], z[1]);
        let gx = -(x - self.rho * y) * self.inv_det;
        let gy = -(y - self.rho * x) * self.inv_det;
        // zᵀΣ⁻¹z = −z·∇, so ln p = ½ z·∇ + log_norm.
        (0.5 * (x * gx + y * gy) + self.log_norm, Vec2::new(gx, gy))
    }

    fn mass_box(&self) -> Box2 {
        // Unit marginals: 2.5e-12 of the mass lies outside ±7.
        Box2 { x: (-7.0, 7.0), y: (-7.0, 7.0) }
    }

    fn view_box(&self) -> Box2 {
        Box2 { x: (-3.5, 3.5), y: (-3.5, 3.5) }
    }

    fn exact(&self) -> Exact {
        Exact { log_z: Some(0.0), mean: Some(Vec2::zeros()), cov: Some(Mat2::new(1.0, self.rho, self.rho, 1.0)) }
    }
}
