//! Rezende & Mohamed's test energies (2015, "Variational inference with normalizing flows",
//! Table 1), p̃ = e^(−U) (science.md, "More targets"):
//!
//!   U1 = ½((‖z‖ − 2)/0.4)² − ln(e^(−½((x−2)/0.6)²) + e^(−½((x+2)/0.6)²))
//!   U2 = ½((y − w₁)/0.4)²
//!   U3 = −ln(e^(−½((y−w₁)/0.35)²) + e^(−½((y−w₁+w₂)/0.35)²))
//!   U4 = −ln(e^(−½((y−w₁)/0.4)²) + e^(−½((y−w₁+w₃)/0.35)²))
//!
//! with w₁ = sin(2πx/4), w₂ = 3e^(−½((x−1)/0.6)²), w₃ = 3σ((x − 1)/0.3). U2–U4 do not decay in x,
//! so science.md adds ½(x/2)² to them (x ~ N(0, 2²)): p is then proper. The paper plots them on
//! [−4, 4]². The terms in y are unnormalised Gaussians, so integrating y out gives
//! Z₂ = 2π·0.4·2, Z₃ = 2π·(0.35 + 0.35)·2, Z₄ = 2π·(0.4 + 0.35)·2; U2's moments are squiggle's
//! with s = 2, ω = π/2: Var y = 0.16 + ½(1 − e^(−2π²)), Cov = 2π e^(−π²/2). U1's ln Z and the
//! other moments come from the integrator (the tests check it by independent integrals).
//! The gradients are by the chain rule through the log-sum-exps' responsibilities.

use super::{Box2, Exact, Target};
use crate::engine::math::{cos, exp, ln, log_add_exp, sigmoid, sin, Mat2, Vec2};
use std::f64::consts::PI;

/// Which of the four energies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rezende(pub u8);

/// The sd of x in the envelope ½(x/2)² of U2–U4.
const ENVELOPE: f64 = 2.0;

/// w₁ = sin(πx/2) and its derivative.
fn w1(x: f64) -> (f64, f64) {
    (sin(0.5 * PI * x), 0.5 * PI * cos(0.5 * PI * x))
}

/// A two-term log-sum-exp and the first term's responsibility.
fn lse2(a: f64, b: f64) -> (f64, f64) {
    let l = log_add_exp(a, b);
    (l, exp(a - l))
}

impl Target for Rezende {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        let (x, y) = (z[0], z[1]);
        if self.0 == 1 {
            let n = z.norm();
            let d = (n - 2.0) / 0.4;
            let (a, b) = ((x - 2.0) / 0.6, (x + 2.0) / 0.6);
            let (l, r) = lse2(-0.5 * a * a, -0.5 * b * b);
            let radial = if n > 0.0 { z * (-d / (0.4 * n)) } else { Vec2::zeros() };
            let side = -(r * a + (1.0 - r) * b) / 0.6;
            return (-0.5 * d * d + l, radial + Vec2::new(side, 0.0));
        }
        let (w, dw) = w1(x);
        let env = -0.5 * x * x / (ENVELOPE * ENVELOPE);
        let denv = -x / (ENVELOPE * ENVELOPE);
        // Two Gaussian terms in y: centres w₁ and w₁ − shift(x), sds s1 and s2.
        let (shift, dshift, s1, s2) = match self.0 {
            2 => {
                let d = (y - w) / 0.4;
                return (env - 0.5 * d * d, Vec2::new(denv + d / 0.4 * dw, -d / 0.4));
            }
            3 => {
                let w2 = 3.0 * exp(-0.5 * ((x - 1.0) / 0.6).powi(2));
                (w2, -w2 * (x - 1.0) / 0.36, 0.35, 0.35)
            }
            _ => {
                let s = sigmoid((x - 1.0) / 0.3);
                (3.0 * s, 3.0 * s * (1.0 - s) / 0.3, 0.4, 0.35)
            }
        };
        let (d1, d2) = ((y - w) / s1, (y - w + shift) / s2);
        let (l, r) = lse2(-0.5 * d1 * d1, -0.5 * d2 * d2);
        // ∂/∂y and ∂/∂x of each term −½dₖ², weighted by its responsibility.
        let gy = -(r * d1 / s1 + (1.0 - r) * d2 / s2);
        let gx = r * d1 / s1 * dw + (1.0 - r) * d2 / s2 * (dw - dshift);
        (env + l, Vec2::new(denv + gx, gy))
    }

    fn mass_box(&self) -> Box2 {
        match self.0 {
            // ‖z‖ within 2 ± 7·0.4.
            1 => Box2 { x: (-4.8, 4.8), y: (-4.8, 4.8) },
            // x within 6.5 sd of the envelope; y within the waves' reach and 7 sd of a term.
            2 => Box2 { x: (-13.0, 13.0), y: (-1.0 - 2.8, 1.0 + 2.8) },
            // The second branch reaches down to −1 − 3.
            _ => Box2 { x: (-13.0, 13.0), y: (-4.0 - 2.8, 1.0 + 2.8) },
        }
    }

    fn view_box(&self) -> Box2 {
        // The paper's [−4, 4]², lowered for U4's second wave (y down to −4 for x > 1).
        let low = if self.0 == 4 { -5.0 } else { -4.0 };
        Box2 { x: (-4.0, 4.0), y: (low, low + 8.0) }
    }

    fn exact(&self) -> Exact {
        let tau = 2.0 * PI;
        match self.0 {
            2 => {
                let var_y = 0.16 + 0.5 * (1.0 - exp(-2.0 * PI * PI));
                let cov = tau * exp(-0.5 * PI * PI);
                Exact {
                    log_z: Some(ln(tau * 0.4 * ENVELOPE)),
                    mean: Some(Vec2::zeros()),
                    cov: Some(Mat2::new(ENVELOPE * ENVELOPE, cov, cov, var_y)),
                }
            }
            3 => Exact { log_z: Some(ln(tau * 0.7 * ENVELOPE)), mean: None, cov: None },
            4 => Exact { log_z: Some(ln(tau * 0.75 * ENVELOPE)), mean: None, cov: None },
            _ => Exact { log_z: None, mean: None, cov: None },
        }
    }
}
