//! Gaussian families, both one affine layer z = μ + Lε (NumPyro's AutoNormal and
//! AutoMultivariateNormal):
//!
//! - **mean-field** q = N(μ, diag(σ²)), σ = exp θ: φ = (μ₀, μ₁, θ₀, θ₁) (ADVI's parameterisation,
//!   Kucukelbir et al. 2017);
//! - **full-rank** q = N(μ, LLᵀ), L lower-triangular, L₀₀ = exp θ₀, L₁₁ = exp θ₁, free L₁₀:
//!   φ = (μ₀, μ₁, θ₀, L₁₀, θ₁). Contains every 2-D Gaussian.

use super::affine::AffineGrad;
use super::{bijective_family, Affine, Bijection, Family};
use crate::engine::math::{exp, ln, Mat2, Vec2};

/// Which covariances the family can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    MeanField,
    FullRank,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    structure: Structure,
    /// Mean-field uses the first four entries.
    phi: [f64; 5],
    /// μ and L derived from φ, kept so the hot loop does not recompute exp θ.
    affine: Affine,
}

impl Gaussian {
    /// N(0, I): the usual starting point.
    pub fn standard(structure: Structure) -> Self {
        let mut g =
            Gaussian { structure, phi: [0.0; 5], affine: Affine { mu: Vec2::zeros(), l00: 1.0, l10: 0.0, l11: 1.0 } };
        g.update_affine();
        g
    }

    /// N(mean, LLᵀ) from a Cholesky factor with positive diagonal; mean-field drops L₁₀.
    pub fn new(structure: Structure, mean: Vec2, l: &Mat2) -> Self {
        let mut g = Gaussian::standard(structure);
        g.phi[0] = mean[0];
        g.phi[1] = mean[1];
        g.phi[2] = ln(l[(0, 0)]);
        let i11 = g.i11();
        g.phi[i11] = ln(l[(1, 1)]);
        if structure == Structure::FullRank {
            g.phi[3] = l[(1, 0)];
        }
        g.update_affine();
        g
    }

    /// Index of θ₁ in φ.
    #[inline]
    fn i11(&self) -> usize {
        match self.structure {
            Structure::MeanField => 3,
            Structure::FullRank => 4,
        }
    }

    fn update_affine(&mut self) {
        let l10 = match self.structure {
            Structure::MeanField => 0.0,
            Structure::FullRank => self.phi[3],
        };
        self.affine = Affine {
            mu: Vec2::new(self.phi[0], self.phi[1]),
            l00: exp(self.phi[2]),
            l10,
            l11: exp(self.phi[self.i11()]),
        };
    }

    #[inline]
    fn log_det(&self) -> f64 {
        self.phi[2] + self.phi[self.i11()]
    }

    /// Maps a gradient in (μ, L) to φ, with dL_ii/dθ_i = L_ii.
    #[inline]
    fn accumulate(&self, a: &Affine, g: AffineGrad, weight: f64, grad: &mut [f64]) {
        grad[0] += weight * g.mu[0];
        grad[1] += weight * g.mu[1];
        grad[2] += weight * g.l00 * a.l00;
        grad[self.i11()] += weight * g.l11 * a.l11;
        if self.structure == Structure::FullRank {
            grad[3] += weight * g.l10;
        }
    }
}

/// The affine layer's reverse mode with respect to its input, for the flow built on it.
impl Gaussian {
    /// dF/dε for F = g_z·(μ + Lε).
    pub fn input_grad(&self, g_z: Vec2) -> Vec2 {
        self.affine.input_grad(g_z)
    }

    /// Reverse mode through ε = L⁻¹(z − μ) given g_ε = dF/dε, plus g_ld·ln|det L|: adds dF/dφ to
    /// `grad` and returns dF/dz.
    pub fn backprop_inverse(&self, z: Vec2, g_eps: Vec2, g_ld: f64, grad: &mut [f64]) -> Vec2 {
        let a = &self.affine;
        let (g, g_z) = a.backprop_inverse(z, g_eps, g_ld);
        self.accumulate(a, g, 1.0, grad);
        g_z
    }
}

impl Bijection for Gaussian {
    fn forward(&self, eps: Vec2) -> (Vec2, f64) {
        (self.affine.forward(eps), self.log_det())
    }
    fn inverse(&self, z: Vec2) -> (Vec2, f64) {
        (self.affine.inverse(z), self.log_det())
    }
    fn backprop_forward(&self, eps: Vec2, g_z: Vec2, g_ld: f64, grad: &mut [f64]) {
        let a = &self.affine;
        self.accumulate(a, a.backprop(eps, g_z, g_ld), 1.0, grad);
    }
}

impl Family for Gaussian {
    bijective_family!();

    fn name(&self) -> &'static str {
        match self.structure {
            Structure::MeanField => "mean-field",
            Structure::FullRank => "full-rank",
        }
    }

    fn params(&self) -> &[f64] {
        &self.phi[..=self.i11()]
    }

    fn set_params(&mut self, phi: &[f64]) {
        let n = self.i11() + 1;
        self.phi[..n].copy_from_slice(phi);
        self.update_affine();
    }

    fn score_params(&self, z: Vec2, weight: f64, grad: &mut [f64]) {
        let a = &self.affine;
        self.accumulate(a, a.score(z).0, weight, grad);
    }

    fn score_z(&self, z: Vec2) -> Vec2 {
        self.affine.score_z(z)
    }

    fn gaussian(&self) -> Option<(Vec2, Mat2)> {
        Some((self.affine.mu, self.affine.l()))
    }

    fn structure(&self) -> Option<Structure> {
        Some(self.structure)
    }

    fn box_clone(&self) -> Box<dyn Family> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        match self.structure {
            Structure::MeanField => {
                "z = μ + σ ⊙ ε: a mean and one standard deviation per axis, no correlation (4 parameters)".into()
            }
            Structure::FullRank => "z = μ + Lε with L lower-triangular: any mean and covariance (5 parameters)".into(),
        }
    }
}
