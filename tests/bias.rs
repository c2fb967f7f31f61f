//! The bias table pinned on hand-made cases: where it flags (more than 3 combined standard errors
//! of VI − MCMC), what it puts in the exact column, and that a NaN is flagged, not hidden.

#![cfg(not(target_arch = "wasm32"))]

use vi_playground::engine::bias::{bias_table, BiasRow, FLAG_MCSE};
use vi_playground::engine::mcmc::Summary;
use vi_playground::engine::target::Exact;
use vi_playground::engine::{Mat2, Vec2};

/// An MCMC summary of mean (0, 0), sds (1, 1), correlation 0.5, with MCSEs 0.01 (means),
/// 0.02 (sds) and 0.03 (correlation).
fn summary() -> Summary {
    Summary {
        draws: 8000,
        mean: Vec2::zeros(),
        cov: Mat2::new(1.0, 0.5, 0.5, 1.0),
        sd: Vec2::new(1.0, 1.0),
        corr: 0.5,
        rhat: [1.0; 2],
        ess_bulk: [4000.0; 2],
        ess_tail: [4000.0; 2],
        ess_mean: [4000.0; 2],
        mcse_mean: [0.01; 2],
        mcse_sd: [0.02; 2],
        mcse_corr: 0.03,
        accept_rate: 0.9,
        divergences: 0,
        mean_tree_depth: None,
        leapfrogs_per_draw: None,
        step_size: vec![0.5],
    }
}

/// q = N(mean, cov) with the given means, sds and correlation.
fn q(mx: f64, my: f64, sx: f64, sy: f64, r: f64) -> (Vec2, Mat2) {
    (Vec2::new(mx, my), Mat2::new(sx * sx, r * sx * sy, r * sx * sy, sy * sy))
}

fn flags(rows: &[BiasRow]) -> Vec<bool> {
    rows.iter().map(|r| r.flagged).collect()
}

#[test]
fn a_row_is_flagged_beyond_three_standard_errors_and_not_within() {
    assert_eq!(FLAG_MCSE, 3.0);
    let none = Exact { log_z: None, mean: None, cov: None };
    // Exactly MCMC's values: nothing flagged.
    assert_eq!(flags(&bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.5)], &summary(), &none)), [false; 5]);
    // Two MCSE off in every quantity: not flagged. Four: every row flagged.
    let two = bias_table(&[q(0.02, -0.02, 1.04, 0.96, 0.56)], &summary(), &none);
    assert_eq!(flags(&two), [false; 5], "{two:?}");
    let four = bias_table(&[q(0.04, -0.04, 1.08, 0.92, 0.62)], &summary(), &none);
    assert_eq!(flags(&four), [true; 5], "{four:?}");
    for r in &four {
        assert!((r.z().abs() - 4.0).abs() < 1e-9, "{} at {} SE", r.quantity, r.z());
    }
    // Only the correlation off: only its row.
    let corr = bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.62)], &summary(), &none);
    assert_eq!(flags(&corr), [false, false, false, false, true]);
}

/// VI's own jitter counts: the snapshots' spread over √n is its standard error, combined with the
/// MCSE in quadrature.
#[test]
fn the_fits_own_jitter_widens_the_threshold() {
    let none = Exact { log_z: None, mean: None, cov: None };
    // mean x over two snapshots: 0.05 ± 0.02 (sd 0.0283 / √2); combined SE √(0.01² + 0.02²) = 0.02236.
    let rows = bias_table(&[q(0.03, 0.0, 1.0, 1.0, 0.5), q(0.07, 0.0, 1.0, 1.0, 0.5)], &summary(), &none);
    let r = &rows[0];
    assert!((r.vi - 0.05).abs() < 1e-12 && (r.vi_se - 0.02).abs() < 1e-12, "{r:?}");
    assert!((r.se() - 0.0005f64.sqrt()).abs() < 1e-12);
    assert!(!r.flagged, "0.05 is 2.24 combined SE from 0: {r:?}");
    let rows = bias_table(&[q(0.06, 0.0, 1.0, 1.0, 0.5), q(0.1, 0.0, 1.0, 1.0, 0.5)], &summary(), &none);
    assert!(rows[0].flagged, "0.08 is 3.58 combined SE from 0: {:?}", rows[0]);
}

#[test]
fn the_exact_column_holds_the_exact_moments_and_a_nan_is_flagged() {
    let exact = Exact { log_z: Some(0.0), mean: Some(Vec2::new(0.1, 0.2)), cov: Some(Mat2::new(4.0, 1.2, 1.2, 1.0)) };
    let rows = bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.5)], &summary(), &exact);
    let exact_column: Vec<Option<f64>> = rows.iter().map(|r| r.exact).collect();
    // sd x = √4 = 2, sd y = 1, correlation 1.2/(2·1) = 0.6.
    assert_eq!(exact_column, [Some(0.1), Some(0.2), Some(2.0), Some(1.0), Some(0.6)]);
    let quantities: Vec<&str> = rows.iter().map(|r| r.quantity).collect();
    assert_eq!(quantities, ["mean x", "mean y", "sd x", "sd y", "corr"]);
    // A q gone non-finite is flagged, never passed as "within the noise".
    let rows = bias_table(&[q(f64::NAN, 0.0, 1.0, 1.0, 0.5)], &summary(), &exact);
    assert!(rows[0].flagged && !rows[1].flagged, "{rows:?}");
}
