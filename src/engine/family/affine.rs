//! The affine map z = μ + Lε with L lower-triangular and L₀₀, L₁₁ > 0: the whole of a Gaussian
//! family, and the last layer of a flow.
//!
//! ln|det ∂z/∂ε| = ln L₀₀ + ln L₁₁. For the score at fixed z, with ε = L⁻¹(z − μ) and v = L⁻ᵀε:
//! ∇_μ ln q = v, ∂ ln q/∂L_ij = v_i ε_j − [i = j]/L_ii (differentiate −½‖L⁻¹(z − μ)‖² − ln|L|).
//! Gradients are returned with respect to (μ₀, μ₁, L₀₀, L₁₀, L₁₁); each family maps them to its own
//! parameters (e.g. L₀₀ = exp θ).

use crate::engine::math::{ln, Mat2, Vec2};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub mu: Vec2,
    pub l00: f64,
    pub l10: f64,
    pub l11: f64,
}

/// A gradient with respect to (μ, L₀₀, L₁₀, L₁₁).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AffineGrad {
    pub mu: Vec2,
    pub l00: f64,
    pub l10: f64,
    pub l11: f64,
}

impl Affine {
    #[inline]
    pub fn forward(&self, eps: Vec2) -> Vec2 {
        Vec2::new(self.mu[0] + self.l00 * eps[0], self.mu[1] + self.l10 * eps[0] + self.l11 * eps[1])
    }

    #[inline]
    pub fn inverse(&self, z: Vec2) -> Vec2 {
        let e0 = (z[0] - self.mu[0]) / self.l00;
        Vec2::new(e0, (z[1] - self.mu[1] - self.l10 * e0) / self.l11)
    }

    #[inline]
    pub fn log_det(&self) -> f64 {
        ln(self.l00) + ln(self.l11)
    }

    /// v = L⁻ᵀ ε.
    #[inline]
    fn solve_transpose(&self, eps: Vec2) -> Vec2 {
        let v1 = eps[1] / self.l11;
        Vec2::new((eps[0] - self.l10 * v1) / self.l00, v1)
    }

    /// Gradient in (μ, L), at fixed ε, of g_z·(μ + Lε) + g_ld·(ln L₀₀ + ln L₁₁).
    #[inline]
    pub fn backprop(&self, eps: Vec2, g_z: Vec2, g_ld: f64) -> AffineGrad {
        AffineGrad {
            mu: g_z,
            l00: g_z[0] * eps[0] + g_ld / self.l00,
            l10: g_z[1] * eps[0],
            l11: g_z[1] * eps[1] + g_ld / self.l11,
        }
    }

    /// Lᵀ g: the gradient with respect to ε of g·(μ + Lε).
    #[inline]
    pub fn input_grad(&self, g_z: Vec2) -> Vec2 {
        Vec2::new(self.l00 * g_z[0] + self.l10 * g_z[1], self.l11 * g_z[1])
    }

    /// Reverse mode through the inverse v = L⁻¹(z − μ), given g_v = dF/dv, plus g_ld·ln|det L|:
    /// with r = L⁻ᵀ g_v, dF/dz = r, dF/dμ = −r and dF/dL_ij = −r_i v_j (lower part).
    #[inline]
    pub fn backprop_inverse(&self, z: Vec2, g_v: Vec2, g_ld: f64) -> (AffineGrad, Vec2) {
        let v = self.inverse(z);
        let r = self.solve_transpose(g_v);
        let g = AffineGrad {
            mu: -r,
            l00: -r[0] * v[0] + g_ld / self.l00,
            l10: -r[1] * v[0],
            l11: -r[1] * v[1] + g_ld / self.l11,
        };
        (g, r)
    }

    /// ∇_{μ,L} ln N(z; μ, LLᵀ) at fixed z, and ∇_z of it (= −v).
    #[inline]
    pub fn score(&self, z: Vec2) -> (AffineGrad, Vec2) {
        let eps = self.inverse(z);
        let v = self.solve_transpose(eps);
        let g = AffineGrad {
            mu: v,
            l00: v[0] * eps[0] - 1.0 / self.l00,
            l10: v[1] * eps[0],
            l11: v[1] * eps[1] - 1.0 / self.l11,
        };
        (g, -v)
    }

    /// ∇_z ln N(z; μ, LLᵀ) = −L⁻ᵀL⁻¹(z − μ).
    #[inline]
    pub fn score_z(&self, z: Vec2) -> Vec2 {
        -self.solve_transpose(self.inverse(z))
    }

    /// The Cholesky factor as a matrix.
    pub fn l(&self) -> Mat2 {
        Mat2::new(self.l00, 0.0, self.l10, self.l11)
    }
}
