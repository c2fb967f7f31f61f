//! Small numerical helpers shared by the engine.
//!
//! Transcendental functions go through the `libm` crate, which is what Rust's standard library
//! itself uses on wasm32: natively and in the browser the engine then computes bit-identical
//! numbers from the same seed.

use rand::Rng as _;
use rand_distr::StandardNormal;

pub type Vec2 = nalgebra::Vector2<f64>;
pub type Mat2 = nalgebra::Matrix2<f64>;

/// The engine's one RNG type: 64-bit operations only, so it is as fast in wasm as natively and
/// gives the same stream on both (unlike `SmallRng`, which differs between 32- and 64-bit targets).
pub type Rng = rand_xoshiro::Xoshiro256PlusPlus;

/// A seeded [`Rng`].
pub fn rng_from_seed(seed: u64) -> Rng {
    rand::SeedableRng::seed_from_u64(seed)
}

/// ε ~ N(0, I₂).
#[inline]
pub fn std_normal2(rng: &mut Rng) -> Vec2 {
    Vec2::new(rng.sample(StandardNormal), rng.sample(StandardNormal))
}

/// ln(2π).
pub const LN_2PI: f64 = 1.837_877_066_409_345_3;

/// x², for sums of squared deviations.
pub fn sq(x: f64) -> f64 {
    x * x
}

/// Sorts ascending in IEEE total order. Every sort of plain numbers goes through this one
/// function, so the wasm carries one sorting routine for them (each `sort_by` closure is compiled
/// separately, and the stable sort is several kilobytes a copy).
pub fn sort_f64(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
}

#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

#[inline]
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Φ(x), the standard normal CDF: ½ erfc(−x/√2), accurate in both tails.
#[inline]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// σ(t) = 1/(1 + e^(−t)), written so that neither tail overflows.
#[inline]
pub fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + exp(-t))
    } else {
        let e = exp(t);
        e / (1.0 + e)
    }
}

/// ln(eᵃ + eᵇ) without overflow or underflow.
#[inline]
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ln_1p(exp(-(a - b).abs()))
}

/// ln Σ exp(xᵢ), stable; −∞ for an empty or all −∞ slice.
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + ln(xs.iter().map(|&x| exp(x - m)).sum::<f64>())
}

/// log N(ε; 0, I₂) = −‖ε‖²/2 − ln 2π.
#[inline]
pub fn std_normal_log_pdf(eps: Vec2) -> f64 {
    -0.5 * eps.norm_squared() - LN_2PI
}

/// Cholesky factor of a 2×2 symmetric positive-definite matrix, or None if it is not one.
pub fn cholesky2(s: &Mat2) -> Option<Mat2> {
    let l00 = s[(0, 0)].sqrt();
    if !(l00 > 0.0) {
        return None;
    }
    let l10 = s[(1, 0)] / l00;
    let d = s[(1, 1)] - l10 * l10;
    if !(d > 0.0) {
        return None;
    }
    Some(Mat2::new(l00, 0.0, l10, d.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_add_exp_is_stable_where_the_naive_formula_fails() {
        assert_eq!(log_add_exp(1000.0, 1000.0), 1000.0 + std::f64::consts::LN_2);
        assert!((log_add_exp(-1000.0, -1001.0) - (-1000.0 + (1.0 + (-1.0f64).exp()).ln())).abs() < 1e-12);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0, 0.0, 0.0, 0.0]) - 4f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn cholesky2_factors_and_refuses_what_is_not_positive_definite() {
        let s = Mat2::new(2.0, 0.7, 0.7, 1.5);
        let l = cholesky2(&s).unwrap();
        assert_eq!(l[(0, 1)], 0.0);
        assert!((l * l.transpose() - s).abs().max() < 1e-15);
        assert!(cholesky2(&Mat2::new(1.0, 2.0, 2.0, 1.0)).is_none());
        assert!(cholesky2(&Mat2::new(0.0, 0.0, 0.0, 1.0)).is_none());
    }
}
