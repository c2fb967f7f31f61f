//! Neal's funnel (Neal 2003, "Slice sampling", §8), x across and v = y up:
//! v ~ N(0, τ²), x | v ~ N(0, e^v).
//!
//! ln p̃(x, v) = −v²/(2τ²) − ln(2πτ) − v/2 − x² e^(−v)/2; Z = 1, mean 0, Var x = E[e^v] = e^(τ²/2),
//! Var v = τ², Cov = 0 (science.md, wave-2 table). ∂/∂x = −x e^(−v), ∂/∂v = −v/τ² − ½ + x² e^(−v)/2.
//!
//! At τ = 3 the neck's sd is e^(−4.5) ≈ 0.011 and the mouth's e^(4.5) ≈ 90: no box and no uniform
//! grid fits both, so the integrals over p are taken in the chart u ↦ (e^(τu₂/2) u₁, τu₂), in
//! which p is the standard normal (ln|det| = ln τ + τu₂/2).

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::math::{exp, ln, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Setting};

pub static INFO: TargetInfo = TargetInfo {
    name: "funnel",
    label: "Neal's funnel",
    inputs: &[Funnel::TAU],
    explain: Explanation {
        title: "Neal's funnel",
        text: "v sets the scale of x: x's sd is e^(v/2), so the mass is a narrow neck below and a wide mouth above. \
               The scales differ so much that one step size cannot fit both: NUTS diverges in the neck (the reference says so), and a Gaussian q cuts the neck and the mouth short. \
               Raise τ towards Neal's 3 and watch both fail; the flow does better.",
        formula: r#"<math display="block"><mi>v</mi><mo>∼</mo><mi mathvariant="script">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><msup><mi>τ</mi><mn>2</mn></msup><mo>)</mo><mo>,</mo><mspace width="0.4em"/><mi>x</mi><mo>∣</mo><mi>v</mi><mo>∼</mo><mi mathvariant="script">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><msup><mi>e</mi><mi>v</mi></msup><mo>)</mo></math>"#,
    },
    build: |o| Ok(Box::new(Funnel::new(o.number(&Funnel::TAU)))),
};

#[derive(Debug, Clone, Copy)]
pub struct Funnel {
    tau: f64,
}

impl Funnel {
    /// τ, v's sd: 3 in Neal's paper.
    pub const TAU: Setting = Setting {
        key: "tau",
        url: "tau",
        label: "Scale τ",
        help: "funnel: the sd of v",
        kind: Kind::Number { min: 0.5, max: 3.0, step: 0.05, default: 1.5, symbol: "τ" },
        aliases: &[],
    };

    pub fn new(tau: f64) -> Self {
        Funnel { tau }
    }
}

impl Target for Funnel {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (x, v) = (z[0], z[1]);
        let t2 = self.tau * self.tau;
        let e = exp(-v);
        let lp = -0.5 * v * v / t2 - 0.5 * LN_2PI - ln(self.tau) - 0.5 * LN_2PI - 0.5 * v - 0.5 * x * x * e;
        (lp, Vec2::new(-x * e, -v / t2 - 0.5 + 0.5 * x * x * e))
    }

    fn mass_box(&self) -> Box2 {
        // |v| ≤ 4.5τ holds all but 7e-6 of v's mass; x spans ± 4.5 sd at the top of that range.
        let v = 4.5 * self.tau;
        let x = 4.5 * exp(0.5 * v);
        Box2 { x: (-x, x), y: (-v, v) }
    }

    fn view_box(&self) -> Box2 {
        // The neck and the mouth up to v = 2τ, where x's sd is e^τ.
        let v = 2.5 * self.tau;
        let x = 2.0 * exp(self.tau);
        Box2 { x: (-x, x), y: (-v, v) }
    }

    fn chart_box(&self) -> Box2 {
        Box2 { x: (-9.0, 9.0), y: (-9.0, 9.0) }
    }

    fn from_chart(&self, u: Vec2) -> (Vec2, f64) {
        let half = 0.5 * self.tau * u[1];
        (Vec2::new(exp(half) * u[0], self.tau * u[1]), ln(self.tau) + half)
    }

    fn axis_names(&self) -> [&'static str; 2] {
        ["x", "v"]
    }

    fn exact(&self) -> Exact {
        let t2 = self.tau * self.tau;
        Exact { log_z: Some(0.0), mean: Some(Vec2::zeros()), cov: Some(Mat2::new(exp(0.5 * t2), 0.0, 0.0, t2)) }
    }
}
