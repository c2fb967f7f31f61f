//! Quadrature against the closed forms of shared/science.md's table: ln Z within 1e-3 (in fact far
//! better), and the grid's moments against the table's mean and covariance, on all targets and
//! several parameter values.

#![cfg(not(target_arch = "wasm32"))]

use vi_playground::engine::family::{Family, Gaussian, Structure};
use vi_playground::engine::math::{cholesky2, exp, Mat2, Vec2};
use vi_playground::engine::quadrature::{TargetGrid, GRID_CELLS};
use vi_playground::engine::target::TARGETS;

#[test]
fn quadrature_log_z_and_moments_match_the_table() {
    for info in TARGETS {
        let p = info.param;
        for value in [p.min, p.default, p.max, 0.5 * (p.min + p.default)] {
            let target = info.build(value).unwrap();
            let exact = target.exact();
            let grid = TargetGrid::new(target.as_ref(), GRID_CELLS);
            let log_z = exact.log_z.expect("science.md gives ln Z for every current target");
            assert!((grid.log_z - log_z).abs() < 1e-3, "{} {value}: ln Z {} vs {log_z}", info.name, grid.log_z);

            let area = grid.grid.cell_area();
            let (mut m, mut s) = (Vec2::zeros(), Mat2::zeros());
            for (z, lp) in grid.grid.points().zip(&grid.log_p) {
                let w = exp(lp - grid.log_z) * area;
                m += z * w;
                s += z * z.transpose() * w;
            }
            let cov = s - m * m.transpose();
            let (em, ec) = (exact.mean.unwrap(), exact.cov.unwrap());
            assert!((m - em).norm() < 1e-3, "{} {value}: mean {m:?} vs {em:?}", info.name);
            assert!((cov - ec).norm() < 1e-3 * (1.0 + ec.norm()), "{} {value}: cov {cov:?} vs {ec:?}", info.name);
        }
    }
}

/// KL between two Gaussians has a closed form; the engine's grid and Gauss–Hermite paths must
/// reproduce it. KL(N₀‖N₁) = ½[tr(Σ₁⁻¹Σ₀) + (μ₁−μ₀)ᵀΣ₁⁻¹(μ₁−μ₀) − 2 + ln(|Σ₁|/|Σ₀|)].
#[test]
fn kl_against_a_gaussian_target_matches_the_closed_form() {
    let rho: f64 = 0.8;
    let target = TARGETS.iter().find(|t| t.name == "correlated").unwrap().build(rho).unwrap();
    let sp = Mat2::new(1.0, rho, rho, 1.0);
    let grid = TargetGrid::new(target.as_ref(), GRID_CELLS);
    let kl_closed = |m0: Vec2, s0: Mat2, m1: Vec2, s1: Mat2| {
        let inv = s1.try_inverse().unwrap();
        let d = m1 - m0;
        0.5 * ((inv * s0).trace() + d.dot(&(inv * d)) - 2.0 + (s1.determinant() / s0.determinant()).ln())
    };
    for (mean, sq) in
        [(Vec2::new(0.3, -0.2), Mat2::new(0.5, 0.1, 0.1, 0.8)), (Vec2::new(-1.0, 0.5), Mat2::new(1.5, -0.3, -0.3, 0.4))]
    {
        let q = Gaussian::new(Structure::FullRank, mean, &cholesky2(&sq).unwrap());
        let kl = grid.kl(target.as_ref(), &q);
        let want_qp = kl_closed(mean, sq, Vec2::zeros(), sp);
        let want_pq = kl_closed(Vec2::zeros(), sp, mean, sq);
        assert!((kl.kl_qp - want_qp).abs() < 1e-6, "KL(q‖p) {} vs {want_qp}", kl.kl_qp);
        assert!((kl.kl_pq - want_pq).abs() < 1e-4, "KL(p‖q) {} vs {want_pq}", kl.kl_pq);
        assert!((q.log_q(mean) + (2.0 * std::f64::consts::PI).ln() + 0.5 * sq.determinant().ln()).abs() < 1e-12);
    }
}
