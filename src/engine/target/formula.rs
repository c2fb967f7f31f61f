//! A density of the student's own: ln p̃(x, y) typed as a formula (`engine::formula`), restricted
//! to a box B (science.md, "More targets": p̃ = 0 outside B; ln Z and the moments by quadrature
//! over B).
//!
//! The fit needs a finite ln p̃ everywhere (a Gaussian or a flow puts some mass outside any box,
//! where ln p̃ = −∞ would make every objective infinite), so outside B it sees a steep wall:
//! ln p̃(z) = f(π(z)) − d(z)²/(2w²), with π(z) the nearest point of B, d(z) the distance to it
//! and w = 1/40 of B's shorter side. p's integrals (ln Z, its moments, KL(p‖q)) are taken over B
//! alone, as science.md defines them; q's (KL(q‖p)) see the wall where q reaches beyond B.
//! A value that is not finite (log of a negative, 0/0) counts as p̃ = 0 there. The gradient is
//! exact (forward-mode differentiation of the formula).

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::error::EngineError;
use crate::engine::formula::{Formula, MAX_LEN};
use crate::engine::math::Vec2;
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Options, Setting};

pub const TEXT: Setting = Setting {
    key: "formula",
    url: "formula",
    label: "ln p̃(x, y) =",
    help: "formula: ln p(x, y) up to a constant, in x and y",
    kind: Kind::Text { max_len: MAX_LEN, default: "-x^2/2 - (y - x^2/2 + 1)^2" },
    aliases: &[],
};

pub const BOX: Setting = Setting {
    key: "box",
    url: "box",
    label: "Box x0,x1,y0,y1",
    help: "formula: the box B = [x0, x1] × [y0, y1] outside which p = 0",
    kind: Kind::Text { max_len: 80, default: "-4,4,-4,4" },
    aliases: &[],
};

/// The largest |coordinate| of a box side, and its smallest side.
const MAX_COORD: f64 = 100.0;
const MIN_SIDE: f64 = 0.1;
/// Cells per side of the grid that checks a formula is finite somewhere and does not overflow.
const CHECK_GRID: usize = 64;

pub static INFO: TargetInfo = TargetInfo {
    name: "formula",
    label: "Your formula",
    inputs: &[TEXT, BOX],
    explain: Explanation {
        title: "A density of your own",
        text: "Type ln p̃(x, y), the log density up to a constant: + − * / ^, parentheses, numbers, x, y, pi, e and \
               exp, log, sqrt, abs, sin, cos, tan, tanh, sigmoid, softplus, log1p, logsumexp(a, b, …). \
               p̃ is zero outside the box; ln Z and p's moments are integrals over it. \
               Try -(x^2 + y^2)/2 (a standard normal), then bend it: -x^2/2 - (y - x^2/2)^2.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>∝</mo><msup><mi>e</mi><mrow><mi>f</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo></mrow></msup><mspace width="0.3em"/><mtext>on</mtext><mspace width="0.3em"/><mi>B</mi></math>"#,
    },
    build: |o| Ok(Box::new(FormulaTarget::new(o)?)),
};

#[derive(Debug, Clone)]
pub struct FormulaTarget {
    f: Formula,
    b: Box2,
    wall: f64,
}

/// `x0,x1,y0,y1` as a box, or why not.
pub fn parse_box(text: &str) -> Result<Box2, EngineError> {
    let bad = |why: String| EngineError::Invalid(format!("box '{text}': {why}"));
    let v: Vec<f64> = text
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| bad("write four numbers x0,x1,y0,y1".into()))?;
    let [x0, x1, y0, y1] = v[..] else { return Err(bad(format!("write four numbers x0,x1,y0,y1, not {}", v.len()))) };
    if v.iter().any(|c| c.abs() > MAX_COORD) {
        return Err(bad(format!("every coordinate must lie in [−{MAX_COORD}, {MAX_COORD}]")));
    }
    if !(x1 - x0 >= MIN_SIDE && y1 - y0 >= MIN_SIDE) {
        return Err(bad(format!("x0 < x1 and y0 < y1, each side at least {MIN_SIDE}")));
    }
    Ok(Box2 { x: (x0, x1), y: (y0, y1) })
}

impl FormulaTarget {
    /// The target of a formula and a box, refused in words when the formula does not parse, is
    /// not finite anywhere in the box, or e^f would overflow there.
    pub fn new(o: &Options) -> Result<Self, EngineError> {
        let f = Formula::parse(o.get(&TEXT).text()).map_err(|e| EngineError::Invalid(format!("formula {e}")))?;
        let b = parse_box(o.get(&BOX).text())?;
        let (mut finite, mut top) = (0, f64::NEG_INFINITY);
        let n = CHECK_GRID;
        for i in 0..n {
            for j in 0..n {
                let x = b.x.0 + (i as f64 + 0.5) / n as f64 * (b.x.1 - b.x.0);
                let y = b.y.0 + (j as f64 + 0.5) / n as f64 * (b.y.1 - b.y.0);
                let v = f.value(x, y);
                if v.is_finite() {
                    finite += 1;
                    top = top.max(v);
                } else if v == f64::INFINITY {
                    top = v;
                }
            }
        }
        if finite == 0 {
            return Err(EngineError::Invalid(
                "formula: it is not a finite number anywhere in the box (e.g. log of a negative): p̃ would be 0 everywhere".into(),
            ));
        }
        let area = (b.x.1 - b.x.0) * (b.y.1 - b.y.0);
        if !(top + area.ln() < 700.0) {
            return Err(EngineError::Invalid(format!(
                "formula: it reaches {top:.0} in the box, so the integral of e^f overflows: subtract a constant"
            )));
        }
        let wall = (b.x.1 - b.x.0).min(b.y.1 - b.y.0) / 40.0;
        Ok(FormulaTarget { f, b, wall })
    }
}

impl Target for FormulaTarget {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let b = self.b;
        let (px, py) = (z[0].clamp(b.x.0, b.x.1), z[1].clamp(b.y.0, b.y.1));
        let d = self.f.eval(px, py);
        if !d.v.is_finite() {
            return (f64::NEG_INFINITY, Vec2::zeros());
        }
        // Outside B: the clamped coordinate's derivative is 0, and the wall pulls back in.
        let (ox, oy) = (z[0] - px, z[1] - py);
        let w2 = self.wall * self.wall;
        let lp = d.v - 0.5 * (ox * ox + oy * oy) / w2;
        let gx = if ox == 0.0 { d.dx } else { -ox / w2 };
        let gy = if oy == 0.0 { d.dy } else { -oy / w2 };
        (lp, Vec2::new(gx, gy))
    }

    fn mass_box(&self) -> Box2 {
        self.b
    }

    fn exact(&self) -> Exact {
        Exact { log_z: None, mean: None, cov: None }
    }
}
