//! Bayesian logistic regression on data the student clicks (science.md, "More targets"): z = (α, β),
//! P(y = 1 | x) = σ(α + βx), prior N(0, 2.5² I):
//!
//!   ln p̃(α, β) = Σᵢ [yᵢ ℓ(tᵢ) + (1 − yᵢ) ℓ(−tᵢ)] − (α² + β²)/(2·2.5²) − ln(2π·2.5²),  tᵢ = α + βxᵢ,
//!
//! with ℓ(t) = −ln(1 + e^(−t)) = −softplus(−t). ∇ = Σᵢ (yᵢ − σ(tᵢ)) (1, xᵢ) − z/2.5². With no data
//! p is the prior: ln Z = 0, mean 0, covariance 2.5² I; otherwise quadrature.
//!
//! p is log-concave, so Newton's method finds its mode m and the Hessian H there. p's integrals are
//! taken in a chart built from them, which maps the open square (−1, 1)² onto the whole plane:
//! z = m + A t, tₖ = C uₖ/(1 − uₖ²), A Aᵀ = H⁻¹, so the mass sits in the middle of the square
//! whether the data make it narrow (200 points) or leave it as wide as the prior.

use super::{Box2, Exact, Target, TargetInfo};
use crate::engine::error::EngineError;
use crate::engine::math::{cholesky2, exp, ln, ln_1p, sigmoid, Mat2, Vec2, LN_2PI};
use crate::engine::registry::Explanation;
use crate::engine::settings::{Kind, Options, Setting};

/// The prior's sd of α and β.
pub const PRIOR_SD: f64 = 2.5;
/// Where x may lie, and the most points.
pub const X_RANGE: (f64, f64) = (-3.0, 3.0);
pub const MAX_POINTS: usize = 200;
/// The chart's scale: one Laplace sd at u ≈ 0.3.
const C: f64 = 3.0;

/// A small data set whose posterior is visibly skewed (few points, the classes overlapping on
/// one side) and correlated (x mostly positive, so intercept and slope trade off).
pub const DEFAULT_DATA: &[[f64; 2]] =
    &[[0.2, 0.0], [0.6, 0.0], [0.8, 0.0], [1.0, 0.0], [1.3, 1.0], [1.5, 0.0], [1.9, 1.0], [2.2, 1.0], [2.6, 1.0]];

pub const DATA: Setting = Setting {
    key: "data",
    url: "data",
    label: "Data (x, class)",
    help: "logistic: the points x in [-3, 3] with their class y, 0 or 1",
    kind: Kind::Points { max: MAX_POINTS, default: DEFAULT_DATA },
    aliases: &[],
};

pub static INFO: TargetInfo = TargetInfo {
    name: "logistic",
    label: "Logistic regression (your data)",
    inputs: &[DATA],
    explain: Explanation {
        title: "A posterior from your data",
        text: "Each point is an observation x with its class y (0 or 1); the model says P(y = 1) = σ(α + βx), with a N(0, 2.5²) prior on the intercept α and the slope β. \
               The plot is the posterior over (α, β). Click in the data panel to add points, click a point to remove it: a few points give a skewed, correlated posterior, many a nearly Gaussian one; clear them all and it is the prior.",
        formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>α</mi><mo>,</mo><mi>β</mi><mo>∣</mo><mi>D</mi><mo>)</mo><mo>∝</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>α</mi><mo>,</mo><mi>β</mi><mo>;</mo><mn>0</mn><mo>,</mo><msup><mn>2.5</mn><mn>2</mn></msup><mi>I</mi><mo>)</mo><munder><mo>∏</mo><mi>i</mi></munder><mi>σ</mi><msup><mrow><mo>(</mo><msub><mi>t</mi><mi>i</mi></msub><mo>)</mo></mrow><msub><mi>y</mi><mi>i</mi></msub></msup><mi>σ</mi><msup><mrow><mo>(</mo><mo>−</mo><msub><mi>t</mi><mi>i</mi></msub><mo>)</mo></mrow><mrow><mn>1</mn><mo>−</mo><msub><mi>y</mi><mi>i</mi></msub></mrow></msup></math>"#,
    },
    build: |o| Ok(Box::new(Logistic::new(o)?)),
};

/// ℓ(t) = ln σ(t) = −softplus(−t), without overflow.
fn log_sigmoid(t: f64) -> f64 {
    -((-t).max(0.0) + ln_1p(exp(-t.abs())))
}

#[derive(Debug, Clone)]
pub struct Logistic {
    data: Vec<[f64; 2]>,
    mode: Vec2,
    /// A Aᵀ = H⁻¹ at the mode, and ln det A.
    a: Mat2,
    ln_det_a: f64,
}

impl Logistic {
    /// The posterior of `o`'s data, each point checked: x in [−3, 3], y 0 or 1.
    pub fn new(o: &Options) -> Result<Self, EngineError> {
        let data = o.get(&DATA).points().to_vec();
        for (i, &[x, y]) in data.iter().enumerate() {
            let bad = |why| EngineError::Invalid(format!("data point {} ({x}, {y}): {why}", i + 1));
            if !(X_RANGE.0..=X_RANGE.1).contains(&x) {
                return Err(bad("x must lie in [−3, 3]"));
            }
            if y != 0.0 && y != 1.0 {
                return Err(bad("its class y must be 0 or 1"));
            }
        }
        Ok(Self::of(data))
    }

    /// The posterior of checked data.
    pub fn of(data: Vec<[f64; 2]>) -> Self {
        let mut t =
            Logistic { data, mode: Vec2::zeros(), a: Mat2::identity() * PRIOR_SD, ln_det_a: 2.0 * ln(PRIOR_SD) };
        // Newton's method with step halving: p is strictly log-concave (the prior), so it converges.
        let mut m = Vec2::zeros();
        let mut h = t.neg_hessian(m);
        for _ in 0..100 {
            let (lp, g) = t.log_density_and_grad(m);
            let step = h.try_inverse().unwrap_or(Mat2::identity() * PRIOR_SD * PRIOR_SD) * g;
            let mut s = 1.0;
            while s > 1e-6 && !(t.log_density(m + step * s) >= lp) {
                s *= 0.5;
            }
            m += step * s;
            h = t.neg_hessian(m);
            if (step * s).norm() < 1e-12 {
                break;
            }
        }
        let cov = h.try_inverse().unwrap_or(Mat2::identity() * PRIOR_SD * PRIOR_SD);
        if let Some(a) = cholesky2(&cov) {
            t.a = a;
            t.ln_det_a = ln(a[(0, 0)] * a[(1, 1)]);
        }
        t.mode = m;
        t
    }

    /// −∇² ln p̃ = I/2.5² + Σᵢ σ(tᵢ)(1 − σ(tᵢ)) (1, xᵢ)(1, xᵢ)ᵀ.
    fn neg_hessian(&self, z: Vec2) -> Mat2 {
        self.data.iter().fold(Mat2::identity() / (PRIOR_SD * PRIOR_SD), |h, &[x, _]| {
            let s = sigmoid(z[0] + z[1] * x);
            let w = s * (1.0 - s);
            h + Mat2::new(w, w * x, w * x, w * x * x)
        })
    }

    /// The points (x, class).
    pub fn data(&self) -> &[[f64; 2]] {
        &self.data
    }
}

impl Target for Logistic {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let v = PRIOR_SD * PRIOR_SD;
        let mut lp = -0.5 * z.norm_squared() / v - LN_2PI - ln(v);
        let mut g = -z / v;
        for &[x, y] in &self.data {
            let t = z[0] + z[1] * x;
            lp += if y == 1.0 { log_sigmoid(t) } else { log_sigmoid(-t) };
            let r = y - sigmoid(t);
            g += Vec2::new(r, r * x);
        }
        (lp, g)
    }

    fn mass_box(&self) -> Box2 {
        // The prior's 7 sd about the mode (p's curvature is at least the prior's everywhere).
        let h = 7.0 * PRIOR_SD;
        Box2 { x: (self.mode[0] - h, self.mode[0] + h), y: (self.mode[1] - h, self.mode[1] + h) }
    }

    fn chart_box(&self) -> Box2 {
        Box2 { x: (-1.0, 1.0), y: (-1.0, 1.0) }
    }

    fn from_chart(&self, u: Vec2) -> (Vec2, f64) {
        let (mut t, mut lj) = (Vec2::zeros(), self.ln_det_a);
        for k in 0..2 {
            let d = 1.0 - u[k] * u[k];
            t[k] = C * u[k] / d;
            lj += ln(C * (1.0 + u[k] * u[k]) / (d * d));
        }
        (self.mode + self.a * t, lj)
    }

    fn view_box(&self) -> Box2 {
        // Four Laplace sds about the mode, at least ±1.5.
        let cov = self.a * self.a.transpose();
        let (hx, hy) = ((4.0 * cov[(0, 0)].sqrt()).max(1.5), (4.0 * cov[(1, 1)].sqrt()).max(1.5));
        Box2 { x: (self.mode[0] - hx, self.mode[0] + hx), y: (self.mode[1] - hy, self.mode[1] + hy) }
    }

    fn axis_names(&self) -> [&'static str; 2] {
        ["α (intercept)", "β (slope)"]
    }

    fn exact(&self) -> Exact {
        if self.data.is_empty() {
            let v = PRIOR_SD * PRIOR_SD;
            Exact { log_z: Some(0.0), mean: Some(Vec2::zeros()), cov: Some(Mat2::identity() * v) }
        } else {
            Exact { log_z: None, mean: None, cov: None }
        }
    }
}
